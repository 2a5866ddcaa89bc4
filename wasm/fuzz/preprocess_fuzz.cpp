// libFuzzer target: any bytes as a small canvas (its width and height from the first two
// bytes, 1 to 64 each, then RGBA, the bytes repeated to fill it). Preprocessing must
// answer every canvas with an image or "nothing drawn", never a crash or an out-of-bounds
// access; small canvases reach the limit on separate marks (256) that large ones hardly do.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "digits/preprocess.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const int width = 1 + data[0] % 64, height = 1 + data[1] % 64;
  std::vector<uint8_t> rgba(static_cast<size_t>(width) * height * 4);
  for (size_t i = 0; i < rgba.size(); ++i) rgba[i] = data[2 + i % (size - 2)];
  auto out = digits::preprocess_canvas(rgba.data(), rgba.size(), width, height);
  if (!out.ok()) __builtin_trap();  // a well-formed canvas is never an error
  return 0;
}
