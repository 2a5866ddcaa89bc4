// Conv: 1-D and 2-D, with groups, strides, dilations, pads / auto_pad and bias.
#include <vector>

#include "kernels/conv.h"
#include "kernels/winograd.h"
#include "ops/ops.h"
#include "ops/window.h"
#include "zeroed_vector.h"

namespace digits::engine {
namespace {

class ConvOp final : public Op {
 public:
  Status prepare(PrepareContext& c) override {
    DIGITS_TRY(c.require_inputs(2, 3));
    DIGITS_TRY(c.require_float(0));
    DIGITS_TRY(c.require_float(1));
    has_bias_ = c.has_input(2);
    if (has_bias_) DIGITS_TRY(c.require_float(2));
    const Shape& x = c.input(0).shape;
    const Shape& w = c.input(1).shape;
    if ((x.size() != 3 && x.size() != 4) || w.size() != x.size()) {
      return Status::error("input " + shape_string(x) + " and weights " + shape_string(w) +
                           " must both be 3-D or both 4-D");
    }
    int64_t groups = 1;
    DIGITS_TRY(c.int_attribute("group", 1, groups));
    const int64_t channels = x[1], filters = w[0];
    if (groups < 1 || channels % groups != 0 || filters % groups != 0 || w[1] * groups != channels) {
      return Status::error("weights " + shape_string(w) + " do not fit " + std::to_string(channels) +
                           " input channels in " + std::to_string(groups) + " groups");
    }
    std::vector<int64_t> kernel(w.begin() + 2, w.end()), declared;
    bool has_kernel_shape = false;
    DIGITS_TRY(c.ints_attribute("kernel_shape", declared, &has_kernel_shape));
    if (has_kernel_shape && declared != kernel) return Status::error("kernel_shape does not match the weights");
    Window2d window;
    DIGITS_TRY(resolve_window(c, x, kernel, false, window));
    if (has_bias_ && c.input(2).shape != Shape{filters}) {
      return Status::error("bias " + shape_string(c.input(2).shape) + " must be [" + std::to_string(filters) + "]");
    }

    const Shape y = window_output_shape(x, filters, window);
    c.count_operations(saturating_product({element_count(y), channels / groups, window.kernel_height,
                                           window.kernel_width}));
    params_ = kernels::Conv2dParams{window, static_cast<int>(x[0]), static_cast<int>(channels),
                                    static_cast<int>(filters), static_cast<int>(groups), c.fused_activation()};
    if (winograd_applies(c)) {
      use_winograd_ = true;
      packed_weights_ = zeroed_vector<float>(kernels::winograd_packed_weights_size_f32(params_));
      kernels::pack_winograd_weights_f32(params_, c.input(1).floats.data(), packed_weights_.data());
      c.request_scratch(kernels::winograd_scratch_size_f32(params_));
      return c.define_output(0, y);
    }
    const size_t packed_size = kernels::conv2d_packed_weights_size_f32(params_);
    weights_packed_ = c.input(1).constant;
    if (weights_packed_) {
      packed_weights_ = zeroed_vector<float>(packed_size);
      kernels::pack_conv2d_weights_f32(params_, c.input(1).floats.data(), packed_weights_.data());
      c.request_scratch(kernels::conv2d_columns_size_f32(params_));
    } else {
      // Weights computed at run time are packed into the front of the workspace.
      c.request_scratch(packed_size + kernels::conv2d_columns_size_f32(params_));
    }
    return c.define_output(0, y);
  }

  void run(const RunBuffers& b) const override {
    if (use_winograd_) {
      kernels::conv2d_winograd_nchw_f32(params_, b.inputs[0], packed_weights_.data(),
                                            has_bias_ ? b.inputs[2] : nullptr, b.scratch, b.outputs[0]);
      return;
    }
    const float* packed = packed_weights_.data();
    float* columns = b.scratch;
    if (!weights_packed_) {
      kernels::pack_conv2d_weights_f32(params_, b.inputs[1], b.scratch);
      packed = b.scratch;
      columns = b.scratch + kernels::conv2d_packed_weights_size_f32(params_);
    }
    kernels::conv2d_nchw_f32(params_, b.inputs[0], packed, has_bias_ ? b.inputs[2] : nullptr, columns, b.outputs[0]);
  }

 private:
  // Winograd where it applies and pays: constant 3x3 weights, stride and
  // dilation 1, one group, output channels in fours, enough input channels that its
  // transforms are shared by many multiplications, and a map large enough that its 4x4
  // tiles save multiplications (kernels::winograd_pays).
  bool winograd_applies(const PrepareContext& c) const {
    const kernels::Conv2dParams& p = params_;
    return c.input(1).constant && p.kernel_height == 3 && p.kernel_width == 3 && p.stride_y == 1 && p.stride_x == 1 &&
           p.dilation_y == 1 && p.dilation_x == 1 && p.groups == 1 && p.out_channels % 4 == 0 &&
           p.in_channels >= 8 && kernels::winograd_pays(p);
  }

  kernels::Conv2dParams params_;
  bool use_winograd_ = false;
  std::vector<float> packed_weights_;
  bool weights_packed_ = false;
  bool has_bias_ = false;
};

}  // namespace

std::unique_ptr<Op> make_conv() { return std::make_unique<ConvOp>(); }

}  // namespace digits::engine
