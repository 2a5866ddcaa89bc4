// Relu, Clip and Sigmoid. (After a Conv or Gemm the engine folds Relu and Clip into it.)
#include <cfloat>

#include "kernels/elementwise.h"
#include "ops/ops.h"

namespace digits::engine {
namespace {

// An operator applied to each value on its own, whatever the shape.
class PointwiseOp final : public Op {
 public:
  using Kernel = void (*)(size_t count, const float* input, float* output);
  explicit PointwiseOp(Kernel kernel) : kernel_(kernel) {}

  Status prepare(PrepareContext& c) override {
    DIGITS_TRY(c.require_one_float());
    count_ = static_cast<size_t>(element_count(c.input(0).shape));
    return c.define_output(0, c.input(0).shape);
  }
  void run(const RunBuffers& b) const override { kernel_(count_, b.inputs[0], b.outputs[0]); }

 private:
  Kernel kernel_;
  size_t count_ = 0;
};

void relu(size_t count, const float* input, float* output) {
  kernels::clamp_f32(count, input, kernels::Activation::relu(), output);
}

// Before opset 11 the bounds are attributes; from 11 they are optional scalar inputs,
// which may be computed at run time.
class ClipOp final : public Op {
 public:
  Status prepare(PrepareContext& c) override {
    if (c.opset() < 11) {
      DIGITS_TRY(c.require_inputs(1, 1));
      DIGITS_TRY(c.float_attribute("min", -FLT_MAX, bounds_.min));
      DIGITS_TRY(c.float_attribute("max", FLT_MAX, bounds_.max));
    } else {
      DIGITS_TRY(c.require_inputs(1, 3));
      for (size_t i = 1; i < 3; ++i) {
        if (!c.has_input(i)) continue;
        DIGITS_TRY(c.require_float(i));
        if (element_count(c.input(i).shape) != 1) {
          return Status::error(std::string(i == 1 ? "min" : "max") + " must be a scalar, got " +
                               shape_string(c.input(i).shape));
        }
        run_time_bound_[i - 1] = true;
      }
    }
    DIGITS_TRY(c.require_float(0));
    count_ = static_cast<size_t>(element_count(c.input(0).shape));
    return c.define_output(0, c.input(0).shape);
  }

  void run(const RunBuffers& b) const override {
    kernels::Activation bounds = bounds_;
    if (run_time_bound_[0]) bounds.min = b.inputs[1][0];
    if (run_time_bound_[1]) bounds.max = b.inputs[2][0];
    kernels::clamp_f32(count_, b.inputs[0], bounds, b.outputs[0]);
  }

 private:
  kernels::Activation bounds_;
  bool run_time_bound_[2] = {false, false};
  size_t count_ = 0;
};

}  // namespace

std::unique_ptr<Op> make_relu() { return std::make_unique<PointwiseOp>(relu); }
std::unique_ptr<Op> make_clip() { return std::make_unique<ClipOp>(); }
std::unique_ptr<Op> make_sigmoid() { return std::make_unique<PointwiseOp>(kernels::sigmoid_f32); }

}  // namespace digits::engine
