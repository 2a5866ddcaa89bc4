// What an operator implements: prepare (check inputs, derive output shapes, precompute
// what it can) and run (compute, with every buffer already in place).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "digits/onnx.h"
#include "digits/status.h"
#include "digits/shape.h"
#include "kernels/activation.h"

namespace digits::engine {

// What prepare knows about one value of the graph.
struct ValueState {
  std::string name;
  onnx::DataType type = onnx::DataType::float32;
  Shape shape;
  bool defined = false;
  bool constant = false;       // values known before run: initializers, bound inputs, folded results
  std::vector<float> floats;   // constant float32 values
  std::vector<uint8_t> bytes;  // constant int8, uint8 and bool values, as in onnx::Tensor
  std::vector<int64_t> ints;   // constant values of the other integer types
};

class PrepareContext {
 public:
  PrepareContext(const onnx::Node& node, int64_t opset, std::vector<ValueState*> inputs,
                 std::vector<ValueState*> outputs, kernels::Activation fused_activation);

  const onnx::Node& node() const { return node_; }
  int64_t opset() const { return opset_; }
  // The Relu or Clip folded into this node (identity if none).
  const kernels::Activation& fused_activation() const { return fused_activation_; }

  size_t input_count() const { return inputs_.size(); }
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i] != nullptr; }
  const ValueState& input(size_t i) const { return *inputs_[i]; }
  size_t output_count() const { return outputs_.size(); }
  bool has_output(size_t i) const { return i < outputs_.size() && outputs_[i] != nullptr; }

  // Errors unless inputs [0, required) are present and no more than allowed are given.
  Status require_inputs(size_t required, size_t allowed) const;
  // Errors unless the node has exactly one input, a float32 one.
  Status require_one_float() const;
  // Errors unless input i is float32 (or, when it may be a run-time value, also present).
  Status require_float(size_t i) const;
  // Errors unless input i is a constant of an integer type; its values go to out.
  Status constant_ints(size_t i, std::vector<int64_t>& out) const;

  // Attributes; each fails if the attribute is present with another type.
  Status int_attribute(std::string_view name, int64_t fallback, int64_t& out) const;
  Status float_attribute(std::string_view name, float fallback, float& out) const;
  Status string_attribute(std::string_view name, std::string fallback, std::string& out) const;
  // present is false (and out empty) when absent.
  Status ints_attribute(std::string_view name, std::vector<int64_t>& out, bool* present = nullptr) const;
  // The "axis" attribute of an operator on input 0, made non-negative. It may be -rank up to
  // positions - 1: positions is the rank for an axis of the input, rank + 1 for a split point.
  Status axis_attribute(int64_t fallback, int64_t positions, int64_t& axis) const;

  // Output i is a new float32 buffer of this shape.
  Status define_output(size_t i, Shape shape);
  // Output i shares input's values under a new shape (Reshape, Flatten, Identity).
  Status alias_output(size_t i, size_t input, Shape shape);
  // Output i is known now (Dropout's mask, dequantized weights).
  Status constant_output(size_t i, onnx::DataType type, Shape shape, std::vector<int64_t> ints);
  Status constant_output(size_t i, Shape shape, std::vector<float> floats);
  // Floats of workspace run() receives.
  void request_scratch(size_t floats) { scratch_floats_ = floats; }
  // The multiply-adds (or window reads) one run of this node does beyond reading its inputs
  // and writing its outputs, which the engine counts itself: Conv, pools and matrix products
  // say theirs, so that the engine can refuse a graph that would take minutes to run.
  void count_operations(int64_t operations) { operations_ = operations; }

  size_t scratch_floats() const { return scratch_floats_; }
  int64_t operations() const { return operations_; }  // For the engine: which input each output aliases (-1 for none).
  const std::vector<int>& aliases() const { return aliases_; }

 private:
  Status check_shape(const Shape& shape) const;

  const onnx::Node& node_;
  int64_t opset_;
  std::vector<ValueState*> inputs_;
  std::vector<ValueState*> outputs_;
  kernels::Activation fused_activation_;
  std::vector<int> aliases_;
  size_t scratch_floats_ = 0;
  int64_t operations_ = 0;
};

// a * b * ..., or INT64_MAX when that overflows: operation counts are bounds, and a hostile
// file's window of 2^29 by 2^29 must not wrap around to a small one.
int64_t saturating_product(std::initializer_list<int64_t> factors);
int64_t saturating_sum(int64_t a, int64_t b);

struct RunBuffers {
  const float* const* inputs;  // null for absent or non-float inputs
  float* const* outputs;       // null for absent, aliased or constant outputs
  float* scratch;
};

class Op {
 public:
  virtual ~Op() = default;
  virtual Status prepare(PrepareContext& context) = 0;
  virtual void run(const RunBuffers& buffers) const = 0;
};

struct OpInfo {
  std::string_view op_type;
  std::unique_ptr<Op> (*create)();
  // Whether a following Relu or Clip can be folded into this operator's output.
  bool fuses_activation;
};

// nullptr for operators the engine does not implement.
const OpInfo* find_op(std::string_view op_type);

// Working memory the engine plans at most, in floats (256 MiB): far above what a digit
// model needs, and low enough that a hostile file cannot exhaust a browser tab.
inline constexpr int64_t kMaxArenaFloats = int64_t{1} << 26;

// Operations one run (and the constant folding at prepare) may do, summed over the graph:
// 2^32, a few seconds of a browser tab, a thousand times what a digit model does. A small
// file can describe a 1000x1000 pooling window over a 1000x1000 image, which memory limits
// alone do not stop. The fuzzing build lowers it to keep each input quick.
#ifndef DIGITS_MAX_OPERATIONS
#define DIGITS_MAX_OPERATIONS (int64_t{1} << 32)
#endif
inline constexpr int64_t kMaxOperations = DIGITS_MAX_OPERATIONS;

// Opsets of the default domain the engine implements.
inline constexpr int64_t kMinOpset = 7;
// Up to 25 these operators changed only in the types they accept (bfloat16, float8, int4).
inline constexpr int64_t kMaxOpset = 25;

}  // namespace digits::engine
