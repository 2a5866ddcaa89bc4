// Dot products of one vector with many: the personal memory compares a drawing's
// embedding with every remembered one at each answer.
#pragma once

#include <cstddef>

namespace digits::kernels {

// out[r] = sum over j < dimensions of rows[r * dimensions + j] * x[j], for r < count.
void dot_rows_f32(const float* rows, size_t count, size_t dimensions, const float* x, float* out);

}  // namespace digits::kernels
