#include "kernels/similarity.h"

#include "kernels/simd.h"

namespace digits::kernels {
namespace {

inline float lanes_sum(v4f v) { return (v[0] + v[1]) + (v[2] + v[3]); }

// One row against x, for the rows left over after the blocks of four.
float dot_row(const float* row, size_t dimensions, size_t vector_end, const float* x) {
  v4f even = splat4(0.0f), odd = splat4(0.0f);
  size_t j = 0;
  for (; j + 8 <= vector_end; j += 8) {
    even += load4(row + j) * load4(x + j);
    odd += load4(row + j + 4) * load4(x + j + 4);
  }
  for (; j < vector_end; j += 4) even += load4(row + j) * load4(x + j);
  float total = lanes_sum(even + odd);
  for (; j < dimensions; ++j) total += row[j] * x[j];
  return total;
}

}  // namespace

void dot_rows_f32(const float* rows, size_t count, size_t dimensions, const float* x, float* out) {
  const size_t vector_end = dimensions - dimensions % 4;
  size_t r = 0;
  // Four rows at a time: each slice of x is loaded once for four rows, and four
  // independent sums keep the adds in flight.
  for (; r + 4 <= count; r += 4) {
    const float* a = rows + r * dimensions;
    const float* b = a + dimensions;
    const float* c = b + dimensions;
    const float* d = c + dimensions;
    v4f sa = splat4(0.0f), sb = splat4(0.0f), sc = splat4(0.0f), sd = splat4(0.0f);
    size_t j = 0;
    for (; j < vector_end; j += 4) {
      const v4f xv = load4(x + j);
      sa += load4(a + j) * xv;
      sb += load4(b + j) * xv;
      sc += load4(c + j) * xv;
      sd += load4(d + j) * xv;
    }
    float ta = lanes_sum(sa), tb = lanes_sum(sb), tc = lanes_sum(sc), td = lanes_sum(sd);
    for (; j < dimensions; ++j) {
      ta += a[j] * x[j];
      tb += b[j] * x[j];
      tc += c[j] * x[j];
      td += d[j] * x[j];
    }
    out[r] = ta;
    out[r + 1] = tb;
    out[r + 2] = tc;
    out[r + 3] = td;
  }
  for (; r < count; ++r) out[r] = dot_row(rows + r * dimensions, dimensions, vector_end, x);
}

}  // namespace digits::kernels
