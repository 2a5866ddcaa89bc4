#include "kernels/similarity.h"

#include "kernels/simd.h"

namespace digits::kernels {

void dot_rows_f32(const float* rows, size_t count, size_t dimensions, const float* x, float* out) {
  const size_t vector_end = dimensions - dimensions % 8;
  for (size_t r = 0; r < count; ++r) {
    const float* row = rows + r * dimensions;
    // Two accumulators: additions in flight while the next products are formed.
    v4f even = splat4(0.0f), odd = splat4(0.0f);
    size_t j = 0;
    for (; j < vector_end; j += 8) {
      even += load4(row + j) * load4(x + j);
      odd += load4(row + j + 4) * load4(x + j + 4);
    }
    const v4f sum = even + odd;
    float total = sum[0] + sum[1] + sum[2] + sum[3];
    for (; j < dimensions; ++j) total += row[j] * x[j];
    out[r] = total;
  }
}

}  // namespace digits::kernels
