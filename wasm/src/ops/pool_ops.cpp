// MaxPool, AveragePool and GlobalAveragePool.
#include "kernels/pool.h"
#include "ops/ops.h"
#include "ops/window.h"

namespace digits::engine {
namespace {

Status prepare_pool(PrepareContext& c, bool average, kernels::Pool2dParams& params) {
  DIGITS_TRY(c.require_one_float());
  if (c.has_output(1)) return Status::error("the Indices output is not supported");
  const Shape& x = c.input(0).shape;
  std::vector<int64_t> kernel;
  bool has_kernel = false;
  DIGITS_TRY(c.ints_attribute("kernel_shape", kernel, &has_kernel));
  if (!has_kernel) return Status::error("kernel_shape is required");
  if (x.size() != 3 && x.size() != 4) return Status::error("input " + shape_string(x) + " must be 3-D or 4-D");
  Window2d window;
  // ceil_mode exists from opset 10; dilations for AveragePool from 19 (resolve_window reads them).
  DIGITS_TRY(resolve_window(c, x, kernel, c.opset() >= 10, window));
  int64_t count_include_pad = 0;
  if (average) DIGITS_TRY(c.int_attribute("count_include_pad", 0, count_include_pad));
  params = kernels::Pool2dParams{window, static_cast<int>(x[0] * x[1]), count_include_pad != 0};
  const Shape y = window_output_shape(x, x[1], window);
  c.count_operations(saturating_product({element_count(y), window.kernel_height, window.kernel_width}));
  return c.define_output(0, y);
}

class MaxPoolOp final : public Op {
 public:
  Status prepare(PrepareContext& c) override { return prepare_pool(c, false, params_); }
  void run(const RunBuffers& b) const override { kernels::max_pool2d_nchw_f32(params_, b.inputs[0], b.outputs[0]); }

 private:
  kernels::Pool2dParams params_;
};

class AveragePoolOp final : public Op {
 public:
  Status prepare(PrepareContext& c) override { return prepare_pool(c, true, params_); }
  void run(const RunBuffers& b) const override {
    kernels::average_pool2d_nchw_f32(params_, b.inputs[0], b.outputs[0]);
  }

 private:
  kernels::Pool2dParams params_;
};

class GlobalAveragePoolOp final : public Op {
 public:
  Status prepare(PrepareContext& c) override {
    DIGITS_TRY(c.require_one_float());
    const Shape& x = c.input(0).shape;
    if (x.size() < 3) return Status::error("input " + shape_string(x) + " needs at least one spatial dimension");
    planes_ = static_cast<int>(x[0] * x[1]);
    plane_size_ = static_cast<int>(element_count(x) / (planes_ > 0 ? planes_ : 1));
    if (plane_size_ == 0) return Status::error("input " + shape_string(x) + " has an empty spatial extent");
    Shape y(x.size(), 1);
    y[0] = x[0];
    y[1] = x[1];
    return c.define_output(0, y);
  }
  void run(const RunBuffers& b) const override {
    kernels::global_average_pool_nchw_f32(planes_, plane_size_, b.inputs[0], b.outputs[0]);
  }

 private:
  int planes_ = 0;
  int plane_size_ = 0;
};

}  // namespace

std::unique_ptr<Op> make_max_pool() { return std::make_unique<MaxPoolOp>(); }
std::unique_ptr<Op> make_average_pool() { return std::make_unique<AveragePoolOp>(); }
std::unique_ptr<Op> make_global_average_pool() { return std::make_unique<GlobalAveragePoolOp>(); }

}  // namespace digits::engine
