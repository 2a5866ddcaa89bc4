// Softmax and LogSoftmax. From opset 13 they work along one axis (default -1); before,
// the input is read as a matrix split at axis (default 1) and normalised per row.
#include "kernels/elementwise.h"
#include "ops/ops.h"

namespace digits::engine {
namespace {

template <bool kLog>
class SoftmaxOp final : public Op {
 public:
  Status prepare(PrepareContext& c) override {
    DIGITS_TRY(c.require_one_float());
    const Shape& x = c.input(0).shape;
    const int64_t rank = static_cast<int64_t>(x.size());
    const bool per_axis = c.opset() >= 13;
    int64_t axis = 0;
    // A scalar's only axis is 0.
    DIGITS_TRY(c.axis_attribute(per_axis ? -1 : 1, rank == 0 ? 1 : rank, axis));
    outer_ = 1;
    for (int64_t d = 0; d < axis; ++d) outer_ *= x[d];
    if (per_axis && rank > 0) {
      axis_size_ = x[axis];
      inner_ = element_count(x) / (outer_ * axis_size_ == 0 ? 1 : outer_ * axis_size_);
    } else {
      axis_size_ = outer_ == 0 ? 0 : element_count(x) / outer_;
      inner_ = 1;
    }
    return c.define_output(0, x);
  }

  void run(const RunBuffers& b) const override {
    if (kLog) {
      kernels::log_softmax_f32(outer_, axis_size_, inner_, b.inputs[0], b.outputs[0]);
    } else {
      kernels::softmax_f32(outer_, axis_size_, inner_, b.inputs[0], b.outputs[0]);
    }
  }

 private:
  int64_t outer_ = 1, axis_size_ = 1, inner_ = 1;
};

}  // namespace

std::unique_ptr<Op> make_softmax() { return std::make_unique<SoftmaxOp<false>>(); }
std::unique_ptr<Op> make_log_softmax() { return std::make_unique<SoftmaxOp<true>>(); }

}  // namespace digits::engine
