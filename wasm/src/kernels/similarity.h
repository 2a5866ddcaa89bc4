// Dot products of one vector with many: the personal memory compares a drawing's
// embedding with every remembered one at each answer. The vectors are int8, so a
// remembered drawing costs a quarter of the memory traffic of float32, and the sums are
// exact: every platform gets the same similarities.
#pragma once

#include <cstddef>
#include <cstdint>

namespace digits::kernels {

// out[r] = sum over j < dimensions of rows[r * dimensions + j] * x[j], for r < count.
// Values are in [-127, 127]; dimensions at most 65,536 keeps every sum inside int32.
void dot_rows_i8(const int8_t* rows, size_t count, size_t dimensions, const int8_t* x, int32_t* out);

}  // namespace digits::kernels
