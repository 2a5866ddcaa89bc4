// A clamp applied to a kernel's results as they are written: Relu is [0, inf), Clip
// is [min, max]. Fusing it saves a pass over the output.
#pragma once

#include <limits>

#include "kernels/simd.h"

namespace digits::kernels {

struct Activation {
  float min = -std::numeric_limits<float>::infinity();
  float max = std::numeric_limits<float>::infinity();

  static Activation relu() { return Activation{0.0f, std::numeric_limits<float>::infinity()}; }
  bool is_identity() const {
    return min == -std::numeric_limits<float>::infinity() && max == std::numeric_limits<float>::infinity();
  }
  // When min > max every value becomes max, as ONNX Clip specifies.
  float apply(float x) const {
    x = x < min ? min : x;
    return x > max ? max : x;
  }
  // Same comparisons as the scalar form, so NaN passes through both unchanged.
  v4f apply(v4f x) const {
    const v4f lo = splat4(min), hi = splat4(max);
    x = x < lo ? lo : x;
    return x > hi ? hi : x;
  }
};

}  // namespace digits::kernels
