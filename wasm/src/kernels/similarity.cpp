#include "kernels/similarity.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace digits::kernels {
namespace {

int32_t dot_tail(const int8_t* row, const int8_t* x, size_t from, size_t dimensions) {
  int32_t total = 0;
  for (size_t j = from; j < dimensions; ++j) total += int32_t{row[j]} * x[j];
  return total;
}

}  // namespace

#if defined(__wasm_simd128__)

namespace {

// Sixteen products added into four int32 lanes: the row's bytes widened to int16, then
// i32x4.dot_i16x8 multiplies and adds pairs (x comes widened already).
inline v128_t dot16(const int8_t* row, v128_t x_low, v128_t x_high) {
  const v128_t bytes = wasm_v128_load(row);
  return wasm_i32x4_add(wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(bytes), x_low),
                        wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(bytes), x_high));
}

inline int32_t lanes_sum(v128_t v) {
  return (wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1)) +
         (wasm_i32x4_extract_lane(v, 2) + wasm_i32x4_extract_lane(v, 3));
}

}  // namespace

void dot_rows_i8(const int8_t* rows, size_t count, size_t dimensions, const int8_t* x, int32_t* out) {
  const size_t vector_end = dimensions - dimensions % 16;
  // Four rows at a time: each slice of x is widened once for four rows, and four
  // independent sums keep the adds in flight.
  size_t r = 0;
  for (; r + 4 <= count; r += 4) {
    const int8_t* a = rows + r * dimensions;
    const int8_t* b = a + dimensions;
    const int8_t* c = b + dimensions;
    const int8_t* d = c + dimensions;
    v128_t sa = wasm_i32x4_splat(0), sb = sa, sc = sa, sd = sa;
    for (size_t j = 0; j < vector_end; j += 16) {
      const v128_t xv = wasm_v128_load(x + j);
      const v128_t x_low = wasm_i16x8_extend_low_i8x16(xv), x_high = wasm_i16x8_extend_high_i8x16(xv);
      sa = wasm_i32x4_add(sa, dot16(a + j, x_low, x_high));
      sb = wasm_i32x4_add(sb, dot16(b + j, x_low, x_high));
      sc = wasm_i32x4_add(sc, dot16(c + j, x_low, x_high));
      sd = wasm_i32x4_add(sd, dot16(d + j, x_low, x_high));
    }
    out[r] = lanes_sum(sa) + dot_tail(a, x, vector_end, dimensions);
    out[r + 1] = lanes_sum(sb) + dot_tail(b, x, vector_end, dimensions);
    out[r + 2] = lanes_sum(sc) + dot_tail(c, x, vector_end, dimensions);
    out[r + 3] = lanes_sum(sd) + dot_tail(d, x, vector_end, dimensions);
  }
  for (; r < count; ++r) {
    const int8_t* row = rows + r * dimensions;
    v128_t sum = wasm_i32x4_splat(0);
    for (size_t j = 0; j < vector_end; j += 16) {
      const v128_t xv = wasm_v128_load(x + j);
      sum = wasm_i32x4_add(sum, dot16(row + j, wasm_i16x8_extend_low_i8x16(xv), wasm_i16x8_extend_high_i8x16(xv)));
    }
    out[r] = lanes_sum(sum) + dot_tail(row, x, vector_end, dimensions);
  }
}

#else

// Natively (tests, the command line) the compiler vectorises the plain loop; integer sums
// make its answers the same as the WebAssembly build's.
void dot_rows_i8(const int8_t* rows, size_t count, size_t dimensions, const int8_t* x, int32_t* out) {
  for (size_t r = 0; r < count; ++r) out[r] = dot_tail(rows + r * dimensions, x, 0, dimensions);
}

#endif

}  // namespace digits::kernels
