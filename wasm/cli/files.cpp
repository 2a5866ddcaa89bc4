#include "files.h"

#include <png.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "digits/preprocess.h"

namespace digits::cli {

Result<std::vector<uint8_t>> read_file(const std::string& path) {
  // gzread reads plain files unchanged, so one path serves both.
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) return Status::error(path + ": cannot open (" + std::strerror(errno) + ")");
  std::vector<uint8_t> bytes;
  uint8_t chunk[1 << 16];
  int got = 0;
  while ((got = gzread(file, chunk, sizeof(chunk))) > 0) bytes.insert(bytes.end(), chunk, chunk + got);
  int error_number = 0;
  const std::string error = got < 0 ? gzerror(file, &error_number) : "";
  gzclose(file);
  if (got < 0) return Status::error(path + ": " + error);
  return bytes;
}

Result<IdxArray> read_idx(const std::string& path) {
  Result<std::vector<uint8_t>> bytes = read_file(path);
  if (!bytes.ok()) return bytes.status();
  const std::vector<uint8_t>& data = bytes.value();
  if (data.size() < 4 || data[0] != 0 || data[1] != 0 || data[2] != 0x08 || data[3] == 0) {
    return Status::error(path + ": not an unsigned-byte IDX file");
  }
  IdxArray array;
  const size_t header = 4 + 4 * static_cast<size_t>(data[3]);
  if (data.size() < header) return Status::error(path + ": truncated IDX header");
  uint64_t count = 1;
  for (size_t d = 0; d < data[3]; ++d) {
    const uint8_t* p = data.data() + 4 + 4 * d;
    array.dims.push_back(uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3]);
    count *= array.dims.back();
  }
  if (data.size() - header != count) {
    return Status::error(path + ": header promises " + std::to_string(count) + " values, file holds " +
                         std::to_string(data.size() - header));
  }
  array.values.assign(data.begin() + static_cast<long>(header), data.end());
  return array;
}

Result<RgbaImage> decode_png(const std::vector<uint8_t>& bytes) {
  if (bytes.size() < 8 || png_sig_cmp(bytes.data(), 0, 8) != 0) return Status::error("not a PNG file");
  png_image image;
  std::memset(&image, 0, sizeof(image));
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) {
    return Status::error(std::string("corrupt PNG: ") + image.message);
  }
  if (image.width > static_cast<png_uint_32>(kMaxCanvasSide) || image.height > static_cast<png_uint_32>(kMaxCanvasSide)) {
    png_image_free(&image);
    return Status::error("PNG of " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                         " pixels: each side must be at most " + std::to_string(kMaxCanvasSide));
  }
  image.format = PNG_FORMAT_RGBA;
  RgbaImage out;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.pixels.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.pixels.data(), 0, nullptr)) {
    return Status::error(std::string("corrupt PNG: ") + image.message);
  }
  return out;
}

}  // namespace digits::cli
