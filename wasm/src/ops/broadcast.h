// Numpy-style broadcasting, as ONNX specifies it for Add, MatMul and Gemm's C.
#pragma once

#include <vector>

#include "engine/op.h"
#include "kernels/elementwise.h"

namespace digits::engine {

// The shape both a and b broadcast to; fails if some dimension pair is neither equal nor 1.
Status multidirectional_broadcast(const Shape& a, const Shape& b, Shape& out);

// Strides (in elements, 0 where repeated) that read `from` as if it had shape `to`;
// fails unless `from` broadcasts to `to` one way.
Status broadcast_strides(const Shape& from, const Shape& to, std::vector<int64_t>& strides);

// Offset of each matrix of an operand with batch dims `operand_batch` for every index of
// the broadcast batch shape `batch`, in row-major order.
void batch_offsets(const Shape& operand_batch, const Shape& batch, int64_t matrix_size, std::vector<int64_t>& offsets);

// Iteration parameters for y = a + b, with neighbouring dimensions merged where the
// strides allow (fewer, longer inner loops). Fails above kernels::kMaxRank dimensions.
Status add_broadcast_params(const Shape& a, const Shape& b, const Shape& out, kernels::BroadcastParams& params);

}  // namespace digits::engine
