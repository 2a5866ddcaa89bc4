#include "ops/broadcast.h"

namespace digits::engine {

Status multidirectional_broadcast(const Shape& a, const Shape& b, Shape& out) {
  const size_t rank = a.size() > b.size() ? a.size() : b.size();
  out.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t a_dim = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t b_dim = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (a_dim != b_dim && a_dim != 1 && b_dim != 1) {
      return Status::error("shapes " + shape_string(a) + " and " + shape_string(b) + " do not broadcast");
    }
    out[i] = a_dim == 1 ? b_dim : a_dim;
  }
  return Status::success();
}

Status broadcast_strides(const Shape& from, const Shape& to, std::vector<int64_t>& strides) {
  if (from.size() > to.size()) {
    return Status::error(shape_string(from) + " does not broadcast to " + shape_string(to));
  }
  strides.assign(to.size(), 0);
  int64_t stride = 1;
  for (size_t i = from.size(); i-- > 0;) {
    const size_t j = i + (to.size() - from.size());
    if (from[i] != to[j] && from[i] != 1) {
      return Status::error(shape_string(from) + " does not broadcast to " + shape_string(to));
    }
    strides[j] = from[i] == 1 ? 0 : stride;
    stride *= from[i];
  }
  return Status::success();
}

void batch_offsets(const Shape& operand_batch, const Shape& batch, int64_t matrix_size, std::vector<int64_t>& offsets) {
  std::vector<int64_t> strides;
  Status fits = broadcast_strides(operand_batch, batch, strides);  // checked by multidirectional_broadcast
  (void)fits;
  const int64_t count = element_count(batch);
  offsets.assign(static_cast<size_t>(count), 0);
  std::vector<int64_t> index(batch.size(), 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t offset = 0;
    for (size_t d = 0; d < batch.size(); ++d) offset += index[d] * strides[d];
    offsets[static_cast<size_t>(i)] = offset * matrix_size;
    for (size_t d = batch.size(); d-- > 0;) {  // row-major increment
      if (++index[d] < batch[d]) break;
      index[d] = 0;
    }
  }
}

Status add_broadcast_params(const Shape& a, const Shape& b, const Shape& out, kernels::BroadcastParams& params) {
  std::vector<int64_t> a_strides, b_strides;
  DIGITS_TRY(broadcast_strides(a, out, a_strides));
  DIGITS_TRY(broadcast_strides(b, out, b_strides));
  // Merge dimension d into the one before it when both operands step through them as one.
  std::vector<int64_t> dims, as, bs;
  for (size_t d = 0; d < out.size(); ++d) {
    if (out[d] == 1) continue;  // contributes nothing to the iteration
    if (!dims.empty() && as.back() == a_strides[d] * out[d] && bs.back() == b_strides[d] * out[d]) {
      dims.back() *= out[d];
      as.back() = a_strides[d];
      bs.back() = b_strides[d];
      continue;
    }
    dims.push_back(out[d]);
    as.push_back(a_strides[d]);
    bs.push_back(b_strides[d]);
  }
  if (dims.size() > static_cast<size_t>(kernels::kMaxRank)) {
    return Status::error("broadcasting over more than " + std::to_string(kernels::kMaxRank) +
                         " dimensions is not supported");
  }
  params = kernels::BroadcastParams{};
  params.rank = static_cast<int>(dims.size());
  for (size_t d = 0; d < dims.size(); ++d) {
    params.dims[d] = dims[d];
    params.a_strides[d] = as[d];
    params.b_strides[d] = bs[d];
  }
  return Status::success();
}

}  // namespace digits::engine
