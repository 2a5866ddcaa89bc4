#include "engine/op.h"

#include <limits>

namespace digits::engine {
namespace {

const char* attribute_type_name(onnx::AttributeType type) {
  switch (type) {
    case onnx::AttributeType::float32: return "a float";
    case onnx::AttributeType::int64: return "an int";
    case onnx::AttributeType::string: return "a string";
    case onnx::AttributeType::ints: return "a list of ints";
    case onnx::AttributeType::floats: return "a list of floats";
    case onnx::AttributeType::tensor: return "a tensor";
    default: return "an unsupported attribute type";
  }
}

Status wrong_type(std::string_view name, onnx::AttributeType actual, onnx::AttributeType expected) {
  return Status::error("attribute " + std::string(name) + " is " + attribute_type_name(actual) + ", expected " +
                       attribute_type_name(expected));
}

}  // namespace

PrepareContext::PrepareContext(const onnx::Node& node, int64_t opset, std::vector<ValueState*> inputs,
                               std::vector<ValueState*> outputs, kernels::Activation fused_activation)
    : node_(node),
      opset_(opset),
      inputs_(std::move(inputs)),
      outputs_(std::move(outputs)),
      fused_activation_(fused_activation),
      aliases_(outputs_.size(), -1) {}

Status PrepareContext::require_inputs(size_t required, size_t allowed) const {
  for (size_t i = 0; i < required; ++i) {
    if (!has_input(i)) return Status::error("input " + std::to_string(i) + " is required");
  }
  if (inputs_.size() > allowed) {
    return Status::error("takes at most " + std::to_string(allowed) + " inputs, got " + std::to_string(inputs_.size()));
  }
  return Status::success();
}

Status PrepareContext::require_one_float() const {
  DIGITS_TRY(require_inputs(1, 1));
  return require_float(0);
}

Status PrepareContext::require_float(size_t i) const {
  if (!has_input(i)) return Status::error("input " + std::to_string(i) + " is required");
  if (inputs_[i]->type != onnx::DataType::float32) {
    return Status::error("input " + std::to_string(i) + " ('" + inputs_[i]->name + "') is " +
                         onnx::data_type_name(inputs_[i]->type) + "; only float32 is supported");
  }
  return Status::success();
}

Status PrepareContext::constant_ints(size_t i, std::vector<int64_t>& out) const {
  if (!has_input(i)) return Status::error("input " + std::to_string(i) + " is required");
  const ValueState& value = *inputs_[i];
  if (!value.constant || value.type == onnx::DataType::float32) {
    return Status::error("input " + std::to_string(i) + " ('" + value.name +
                         "') must be a constant integer tensor (an initializer)");
  }
  out = onnx::is_byte_type(value.type) ? onnx::widen_bytes(value.type, value.bytes) : value.ints;
  return Status::success();
}

Status PrepareContext::int_attribute(std::string_view name, int64_t fallback, int64_t& out) const {
  const onnx::Attribute* attribute = node_.attribute(name);
  if (attribute == nullptr) {
    out = fallback;
    return Status::success();
  }
  if (attribute->type != onnx::AttributeType::int64) return wrong_type(name, attribute->type, onnx::AttributeType::int64);
  out = attribute->i;
  return Status::success();
}

Status PrepareContext::axis_attribute(int64_t fallback, int64_t positions, int64_t& axis) const {
  DIGITS_TRY(int_attribute("axis", fallback, axis));
  const Shape& shape = input(0).shape;
  const int64_t rank = static_cast<int64_t>(shape.size());
  if (axis < -rank || axis >= positions) {
    return Status::error("axis " + std::to_string(axis) + " is out of range for " + shape_string(shape));
  }
  if (axis < 0) axis += rank;
  return Status::success();
}

Status PrepareContext::float_attribute(std::string_view name, float fallback, float& out) const {
  const onnx::Attribute* attribute = node_.attribute(name);
  if (attribute == nullptr) {
    out = fallback;
    return Status::success();
  }
  if (attribute->type != onnx::AttributeType::float32) {
    return wrong_type(name, attribute->type, onnx::AttributeType::float32);
  }
  out = attribute->f;
  return Status::success();
}

Status PrepareContext::string_attribute(std::string_view name, std::string fallback, std::string& out) const {
  const onnx::Attribute* attribute = node_.attribute(name);
  if (attribute == nullptr) {
    out = std::move(fallback);
    return Status::success();
  }
  if (attribute->type != onnx::AttributeType::string) {
    return wrong_type(name, attribute->type, onnx::AttributeType::string);
  }
  out = attribute->s;
  return Status::success();
}

Status PrepareContext::ints_attribute(std::string_view name, std::vector<int64_t>& out, bool* present) const {
  const onnx::Attribute* attribute = node_.attribute(name);
  if (present != nullptr) *present = attribute != nullptr;
  out.clear();
  if (attribute == nullptr) return Status::success();
  if (attribute->type != onnx::AttributeType::ints) return wrong_type(name, attribute->type, onnx::AttributeType::ints);
  out = attribute->ints;
  return Status::success();
}

Status PrepareContext::check_shape(const Shape& shape) const {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0) return Status::error("computed a negative dimension in " + shape_string(shape));
    if (dim > 0 && count > kMaxArenaFloats / dim) {
      return Status::error("output " + shape_string(shape) + " is larger than the engine allows");
    }
    count *= dim;
  }
  return Status::success();
}

Status PrepareContext::define_output(size_t i, Shape shape) {
  if (!has_output(i)) return Status::success();
  DIGITS_TRY(check_shape(shape));
  ValueState& value = *outputs_[i];
  value.type = onnx::DataType::float32;
  value.shape = std::move(shape);
  value.defined = true;
  return Status::success();
}

Status PrepareContext::alias_output(size_t i, size_t input, Shape shape) {
  if (!has_output(i)) return Status::success();
  if (element_count(shape) != element_count(inputs_[input]->shape)) {
    return Status::error("cannot view " + shape_string(inputs_[input]->shape) + " as " + shape_string(shape));
  }
  DIGITS_TRY(define_output(i, std::move(shape)));
  aliases_[i] = static_cast<int>(input);
  return Status::success();
}

Status PrepareContext::constant_output(size_t i, onnx::DataType type, Shape shape, std::vector<int64_t> ints) {
  if (!has_output(i)) return Status::success();
  DIGITS_TRY(check_shape(shape));
  ValueState& value = *outputs_[i];
  value.type = type;
  value.shape = std::move(shape);
  if (type == onnx::DataType::float32) {
    value.floats.assign(ints.begin(), ints.end());
  } else if (onnx::is_byte_type(type)) {
    value.bytes.assign(ints.begin(), ints.end());
  } else {
    value.ints = std::move(ints);
  }
  value.constant = true;
  value.defined = true;
  return Status::success();
}

Status PrepareContext::constant_output(size_t i, Shape shape, std::vector<float> floats) {
  if (!has_output(i)) return Status::success();
  DIGITS_TRY(check_shape(shape));
  ValueState& value = *outputs_[i];
  value.type = onnx::DataType::float32;
  value.shape = std::move(shape);
  value.floats = std::move(floats);
  value.constant = true;
  value.defined = true;
  return Status::success();
}

int64_t saturating_product(std::initializer_list<int64_t> factors) {
  int64_t product = 1;
  for (int64_t factor : factors) {
    if (factor <= 0) return 0;
    if (__builtin_mul_overflow(product, factor, &product)) return std::numeric_limits<int64_t>::max();
  }
  return product;
}

int64_t saturating_sum(int64_t a, int64_t b) {
  int64_t sum = 0;
  return __builtin_add_overflow(a, b, &sum) ? std::numeric_limits<int64_t>::max() : sum;
}

}  // namespace digits::engine
