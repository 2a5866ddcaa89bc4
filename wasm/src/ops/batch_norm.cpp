// BatchNormalization in inference mode: y = scale (x - mean) / sqrt(var + epsilon) + B.
#include <cmath>
#include <vector>

#include "kernels/elementwise.h"
#include "ops/ops.h"

namespace digits::engine {
namespace {

class BatchNormOp final : public Op {
 public:
  Status prepare(PrepareContext& c) override {
    DIGITS_TRY(c.require_inputs(5, 5));
    for (size_t i = 0; i < 5; ++i) DIGITS_TRY(c.require_float(i));
    int64_t training = 0, spatial = 1;
    DIGITS_TRY(c.float_attribute("epsilon", 1e-5f, epsilon_));
    if (c.opset() >= 14) DIGITS_TRY(c.int_attribute("training_mode", 0, training));
    if (c.opset() < 9) DIGITS_TRY(c.int_attribute("spatial", 1, spatial));
    if (training != 0) return Status::error("training_mode is not supported: the engine only infers");
    if (spatial != 1) return Status::error("spatial=0 is not supported");
    for (size_t i = 1; i < c.output_count(); ++i) {
      if (c.has_output(i)) return Status::error("running statistics outputs exist only in training mode");
    }
    const Shape& x = c.input(0).shape;
    if (x.size() < 2) return Status::error("input " + shape_string(x) + " needs a channel dimension");
    batch_ = static_cast<int>(x[0]);
    channels_ = static_cast<int>(x[1]);
    plane_size_ = static_cast<int>(x[0] == 0 || x[1] == 0 ? 0 : element_count(x) / (x[0] * x[1]));
    for (size_t i = 1; i < 5; ++i) {
      if (c.input(i).shape != Shape{x[1]}) {
        return Status::error("input " + std::to_string(i) + " " + shape_string(c.input(i).shape) + " must be [" +
                             std::to_string(x[1]) + "]");
      }
    }
    folded_ = c.input(1).constant && c.input(2).constant && c.input(3).constant && c.input(4).constant;
    if (folded_) {
      scale_shift_.resize(2 * channels_);
      fold(c.input(1).floats.data(), c.input(2).floats.data(), c.input(3).floats.data(), c.input(4).floats.data(),
           scale_shift_.data());
    } else {
      c.request_scratch(2 * channels_);
    }
    return c.define_output(0, x);
  }

  void run(const RunBuffers& b) const override {
    const float* scale_shift = scale_shift_.data();
    if (!folded_) {
      fold(b.inputs[1], b.inputs[2], b.inputs[3], b.inputs[4], b.scratch);
      scale_shift = b.scratch;
    }
    kernels::scale_shift_nchw_f32(batch_, channels_, plane_size_, scale_shift, scale_shift + channels_, b.inputs[0],
                                  b.outputs[0]);
  }

 private:
  // out[0, C) = scale / sqrt(var + eps); out[C, 2C) = B - mean * that.
  void fold(const float* scale, const float* bias, const float* mean, const float* var, float* out) const {
    for (int ch = 0; ch < channels_; ++ch) {
      out[ch] = scale[ch] / std::sqrt(var[ch] + epsilon_);
      out[channels_ + ch] = bias[ch] - mean[ch] * out[ch];
    }
  }

  float epsilon_ = 1e-5f;
  int batch_ = 0, channels_ = 0, plane_size_ = 0;
  bool folded_ = false;
  std::vector<float> scale_shift_;
};

}  // namespace

std::unique_ptr<Op> make_batch_normalization() { return std::make_unique<BatchNormOp>(); }

}  // namespace digits::engine
