// Canvas preprocessing: an RGBA drawing becomes the 28x28 image the model reads,
// following the recipe MNIST itself was made with (see model/preprocess.py, the
// reference this code mirrors and is tested against).
//
//   digits::Result<digits::Preprocessed> out = digits::preprocess_canvas(rgba, w * h * 4, w, h);
//   if (!out.ok()) fail(out.status().message());   // bad size or buffer length
//   if (out.value().nothing_drawn) say(out.value().reason);
//   else digits::normalise_image(out.value().image.data(), mean, std, model_input);
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "digits/status.h"

namespace digits {

inline constexpr int kFieldSize = 28;
inline constexpr int kImagePixels = kFieldSize * kFieldSize;
inline constexpr int kMaxCanvasSide = 4096;

struct Preprocessed {
  // A blank canvas, or ink too faint or too little to be a digit: not a guess to make.
  bool nothing_drawn = false;
  std::string reason;  // why nothing_drawn, in words for a person
  // Row-major, 0 = background; a drawing's strongest ink is 204 (model/preprocess.py
  // INK_PEAK), where a scanned MNIST digit's is 255.
  std::array<uint8_t, kImagePixels> image{};
};

// rgba: width * height pixels, 4 bytes each (R, G, B, A), rows top to bottom, as in a
// canvas ImageData. Ink is whatever is darker than the background once composited
// over white, so dark or coloured ink on a light or transparent background all work.
// Fails if width or height is not in 1..4096, or length is not width * height * 4.
Result<Preprocessed> preprocess_canvas(const uint8_t* rgba, size_t length, int width, int height);

// The model input for a preprocessed image: (pixel / 255 - mean) / std, 784 floats.
void normalise_image(const uint8_t* image, float mean, float std_dev, float* out);

}  // namespace digits
