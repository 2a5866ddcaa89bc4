#include "kernels/dequantize.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

// Neither loop is unrolled or vectorised by the compiler: this runs once per load, and
// every byte of the .wasm is downloaded.
#if defined(__clang__)
#define DIGITS_PLAIN_LOOP _Pragma("clang loop vectorize(disable) interleave(disable) unroll(disable)")
#else
#define DIGITS_PLAIN_LOOP
#endif

namespace digits::kernels {
namespace {

#if defined(__wasm_simd128__)
inline void store_lanes(float* out, v128_t words, v128_t zero, v128_t scale) {
  wasm_v128_store(out, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(wasm_i32x4_sub(words, zero)), scale));
}

// Sixteen widened values: bytes to 16-bit halves to 32-bit quarters.
inline void store16(float* out, v128_t low, v128_t high, v128_t zero, v128_t scale) {
  store_lanes(out, wasm_i32x4_extend_low_i16x8(low), zero, scale);
  store_lanes(out + 4, wasm_i32x4_extend_high_i16x8(low), zero, scale);
  store_lanes(out + 8, wasm_i32x4_extend_low_i16x8(high), zero, scale);
  store_lanes(out + 12, wasm_i32x4_extend_high_i16x8(high), zero, scale);
}
#endif

// T is int8_t or uint8_t. The vector steps do the same arithmetic in every lane as the
// scalar tail (an exact integer difference, one rounding in the product), so both give
// the same floats bit for bit.
template <typename T>
void dequantize_bytes(size_t count, const T* q, int32_t zero, float scale, float* out) {
  size_t i = 0;
#if defined(__wasm_simd128__)
  constexpr bool kSigned = static_cast<T>(-1) < 0;
  const v128_t zeros = wasm_i32x4_splat(zero), scales = wasm_f32x4_splat(scale);
  DIGITS_PLAIN_LOOP
  for (; i + 16 <= count; i += 16) {
    const v128_t bytes = wasm_v128_load(q + i);
    if (kSigned) {
      store16(out + i, wasm_i16x8_extend_low_i8x16(bytes), wasm_i16x8_extend_high_i8x16(bytes), zeros, scales);
    } else {
      store16(out + i, wasm_u16x8_extend_low_u8x16(bytes), wasm_u16x8_extend_high_u8x16(bytes), zeros, scales);
    }
  }
#endif
  DIGITS_PLAIN_LOOP
  for (; i < count; ++i) out[i] = static_cast<float>(int32_t{q[i]} - zero) * scale;
}

}  // namespace

void dequantize_i8_f32(size_t count, const int8_t* q, int32_t zero, float scale, float* out) {
  dequantize_bytes(count, q, zero, scale, out);
}

void dequantize_u8_f32(size_t count, const uint8_t* q, int32_t zero, float scale, float* out) {
  dequantize_bytes(count, q, zero, scale, out);
}

}  // namespace digits::kernels
