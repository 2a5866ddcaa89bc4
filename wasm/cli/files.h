// Reading the files the command line tool takes: whole files, IDX (MNIST) arrays, PNG.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "digits/status.h"

namespace digits::cli {

// Reads a file; .gz files are decompressed.
Result<std::vector<uint8_t>> read_file(const std::string& path);

struct IdxArray {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> values;
};
// An unsigned-byte IDX file (MNIST images or labels), plain or gzip-compressed.
Result<IdxArray> read_idx(const std::string& path);

struct RgbaImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // width * height * 4
};
// Decodes a PNG to RGBA. Fails on files that are not PNG, corrupt data, and images
// larger than 4096 pixels on a side (checked before decoding allocates anything).
Result<RgbaImage> decode_png(const std::vector<uint8_t>& bytes);

}  // namespace digits::cli
