// 8-bit quantized weights to float32, once per model load: y[i] = float(q[i] - zero) * scale.
// The page waits for this pass over a quarter of a million weights, and it runs in V8's
// baseline code (see zeroed_vector.h): sixteen values per vector step instead of one.
#pragma once

#include <cstddef>
#include <cstdint>

namespace digits::kernels {

void dequantize_i8_f32(size_t count, const int8_t* q, int32_t zero, float scale, float* out);
void dequantize_u8_f32(size_t count, const uint8_t* q, int32_t zero, float scale, float* out);

}  // namespace digits::kernels
