// Operators that only change how values are viewed: Flatten, Reshape, Identity and
// Dropout (at inference). Their outputs share the input's memory; run does nothing.
#include "ops/ops.h"

namespace digits::engine {
namespace {

class ViewOp : public Op {
 public:
  void run(const RunBuffers&) const override {}
};

class FlattenOp final : public ViewOp {
 public:
  Status prepare(PrepareContext& c) override {
    DIGITS_TRY(c.require_one_float());
    const Shape& x = c.input(0).shape;
    const int64_t rank = static_cast<int64_t>(x.size());
    int64_t axis = 1;
    DIGITS_TRY(c.axis_attribute(1, rank + 1, axis));
    int64_t rows = 1, columns = 1;
    for (int64_t d = 0; d < rank; ++d) (d < axis ? rows : columns) *= x[d];
    return c.alias_output(0, 0, {rows, columns});
  }
};

class ReshapeOp final : public ViewOp {
 public:
  Status prepare(PrepareContext& c) override {
    if (c.opset() < 5) return Status::error("Reshape before opset 5 is not supported");
    DIGITS_TRY(c.require_inputs(2, 2));
    DIGITS_TRY(c.require_float(0));
    std::vector<int64_t> requested;
    DIGITS_TRY(c.constant_ints(1, requested));
    int64_t allow_zero = 0;
    if (c.opset() >= 14) DIGITS_TRY(c.int_attribute("allowzero", 0, allow_zero));
    const Shape& x = c.input(0).shape;
    Shape y(requested.size());
    int inferred = -1;
    int64_t known = 1;
    for (size_t i = 0; i < requested.size(); ++i) {
      int64_t dim = requested[i];
      if (dim == 0 && allow_zero == 0) {
        if (i >= x.size()) return Status::error("shape copies dimension " + std::to_string(i) + " the input lacks");
        dim = x[i];
      }
      if (dim == -1) {
        if (inferred >= 0) return Status::error("shape has more than one -1");
        inferred = static_cast<int>(i);
        continue;
      }
      if (dim < 0) return Status::error("shape has the invalid dimension " + std::to_string(dim));
      y[i] = dim;
      known *= dim;
    }
    const int64_t count = element_count(x);
    if (inferred >= 0) {
      if (known == 0 || count % known != 0) {
        return Status::error("cannot infer the -1 in the shape for " + std::to_string(count) + " elements");
      }
      y[inferred] = count / known;
    }
    return c.alias_output(0, 0, y);
  }
};

class IdentityOp final : public ViewOp {
 public:
  Status prepare(PrepareContext& c) override {
    DIGITS_TRY(c.require_one_float());
    return c.alias_output(0, 0, c.input(0).shape);
  }
};

// Inference only: the output is the input and the mask is all ones.
class DropoutOp final : public ViewOp {
 public:
  Status prepare(PrepareContext& c) override {
    DIGITS_TRY(c.require_inputs(1, c.opset() >= 12 ? 3 : 1));
    DIGITS_TRY(c.require_float(0));
    if (c.has_input(2)) {
      std::vector<int64_t> training;
      DIGITS_TRY(c.constant_ints(2, training));
      if (training.size() != 1) return Status::error("training_mode must be a scalar");
      if (training[0] != 0) return Status::error("training_mode is not supported: the engine only infers");
    }
    const Shape& x = c.input(0).shape;
    DIGITS_TRY(c.alias_output(0, 0, x));
    // The mask was float data before opset 10, bool since.
    const onnx::DataType mask_type = c.opset() >= 10 ? onnx::DataType::boolean : onnx::DataType::float32;
    return c.constant_output(1, mask_type, x, std::vector<int64_t>(static_cast<size_t>(element_count(x)), 1));
  }
};

}  // namespace

std::unique_ptr<Op> make_flatten() { return std::make_unique<FlattenOp>(); }
std::unique_ptr<Op> make_reshape() { return std::make_unique<ReshapeOp>(); }
std::unique_ptr<Op> make_identity() { return std::make_unique<IdentityOp>(); }
std::unique_ptr<Op> make_dropout() { return std::make_unique<DropoutOp>(); }

}  // namespace digits::engine
