// DequantizeLinear on constant tensors: int8 / uint8 / int32 weights stored with a scale
// (per tensor, or per channel along `axis`) and an optional zero point become float32
// once, at prepare, so a quantized model runs with float arithmetic and costs nothing
// at run time. y = (x - zero_point) * scale.
//
// Only constants: a run-time input is float32 by the engine's contract, so a
// DequantizeLinear of computed values could not occur in a model it runs anyway.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kernels/dequantize.h"
#include "ops/ops.h"
#include "zeroed_vector.h"

namespace digits::engine {
namespace {

struct IntegerRange {
  int64_t low;
  int64_t high;
};

Result<IntegerRange> quantized_range(onnx::DataType type) {
  switch (type) {
    case onnx::DataType::int8: return IntegerRange{-128, 127};
    case onnx::DataType::uint8: return IntegerRange{0, 255};
    case onnx::DataType::int32:
      return IntegerRange{std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    default:
      return Status::error("quantized values must be int8, uint8 or int32, not " + onnx::data_type_name(type));
  }
}

// int32 values are widened in ints and may be out of range; 8-bit ones are bytes, in
// range by construction (onnx::Tensor).
Status check_range(const ValueState& value, IntegerRange range) {
  for (size_t i = 0; i < value.ints.size(); ++i) {
    if (value.ints[i] < range.low || value.ints[i] > range.high) {
      return Status::error("tensor '" + value.name + "' holds " + std::to_string(value.ints[i]) + " at " +
                           std::to_string(i) + ", outside " + onnx::data_type_name(value.type) + "'s range");
    }
  }
  return Status::success();
}

Status check_stored(const ValueState& value, size_t count) {
  const size_t stored = onnx::is_byte_type(value.type) ? value.bytes.size() : value.ints.size();
  if (stored == count) return Status::success();
  return Status::error("tensor '" + value.name + "' holds " + std::to_string(stored) + " values where its shape has " +
                       std::to_string(count));
}

int64_t integer_at(const ValueState& value, size_t i) {
  return onnx::is_byte_type(value.type) ? onnx::byte_value(value.type, value.bytes[i]) : value.ints[i];
}

// Values [first, first + count) of x, all of one channel.
void dequantize_block(const ValueState& x, size_t first, size_t count, int64_t zero, float scale, float* out) {
  switch (x.type) {
    case onnx::DataType::int8:
      kernels::dequantize_i8_f32(count, reinterpret_cast<const int8_t*>(x.bytes.data()) + first,
                                 static_cast<int32_t>(zero), scale, out);
      break;
    case onnx::DataType::uint8:
      kernels::dequantize_u8_f32(count, x.bytes.data() + first, static_cast<int32_t>(zero), scale, out);
      break;
    default:  // int32: the difference needs 64 bits
      for (size_t i = 0; i < count; ++i) out[i] = static_cast<float>(x.ints[first + i] - zero) * scale;
      break;
  }
}

class DequantizeLinearOp final : public Op {
 public:
  Status prepare(PrepareContext& c) override {
    DIGITS_TRY(c.require_inputs(2, 3));
    const ValueState& x = c.input(0);
    const ValueState& scale = c.input(1);
    if (!x.constant || !scale.constant || (c.has_input(2) && !c.input(2).constant)) {
      return Status::error("only constant tensors (quantized initializers) can be dequantized");
    }
    Result<IntegerRange> range = quantized_range(x.type);
    if (!range.ok()) return Status::error("tensor '" + x.name + "': " + range.status().message());
    if (scale.type != onnx::DataType::float32) {
      return Status::error("scale '" + scale.name + "' must be float32, not " + onnx::data_type_name(scale.type));
    }
    int64_t block_size = 0;
    DIGITS_TRY(c.int_attribute("block_size", 0, block_size));
    if (block_size != 0) return Status::error("blocked quantization (block_size) is not supported");

    // Per tensor: one scale (a scalar, or [1]). Per channel (opset 13 on): one scale per
    // index of axis.
    const bool per_channel = element_count(scale.shape) != 1;
    int64_t axis = 1;
    DIGITS_TRY(c.int_attribute("axis", 1, axis));
    const int64_t rank = static_cast<int64_t>(x.shape.size());
    size_t channels = 1, inner = 1;
    if (per_channel) {
      if (scale.shape.size() != 1 || c.opset() < 13) {
        return Status::error("scale '" + scale.name + "' must be a scalar" +
                             (c.opset() < 13 ? " before opset 13" : " or one value per channel"));
      }
      if (axis < 0) axis += rank;
      if (axis < 0 || axis >= rank) return Status::error("axis is outside tensor '" + x.name + "'s dimensions");
      channels = static_cast<size_t>(x.shape[axis]);
      for (int64_t d = axis + 1; d < rank; ++d) inner *= static_cast<size_t>(x.shape[d]);
      if (static_cast<size_t>(scale.shape[0]) != channels) {
        return Status::error("scale '" + scale.name + "' holds " + std::to_string(scale.shape[0]) + " values for " +
                             std::to_string(channels) + " channels of tensor '" + x.name + "'");
      }
    }
    for (float s : scale.floats) {
      if (!std::isfinite(s)) return Status::error("scale '" + scale.name + "' holds a value that is not finite");
    }
    std::vector<int64_t> zero_point(channels, 0);
    if (c.has_input(2)) {
      const ValueState& zero = c.input(2);
      if (zero.type != x.type) return Status::error("zero point '" + zero.name + "' must have the type of '" + x.name + "'");
      if (zero.shape != scale.shape) return Status::error("zero point '" + zero.name + "' must have the scale's shape");
      DIGITS_TRY(check_range(zero, range.value()));
      DIGITS_TRY(check_stored(zero, channels));
      for (size_t k = 0; k < channels; ++k) zero_point[k] = integer_at(zero, k);
    }
    DIGITS_TRY(check_range(x, range.value()));

    // Blocks of `inner` values share a channel; channels repeat every channels * inner.
    const size_t count = static_cast<size_t>(element_count(x.shape));
    DIGITS_TRY(check_stored(x, count));
    if (!per_channel) inner = count;
    std::vector<float> values = zeroed_vector<float>(count);
    for (size_t start = 0; start < count; start += channels * inner) {
      for (size_t channel = 0; channel < channels; ++channel) {
        const size_t first = start + channel * inner;
        dequantize_block(x, first, inner, zero_point[channel], scale.floats[channel], values.data() + first);
      }
    }
    return c.constant_output(0, x.shape, std::move(values));
  }

  void run(const RunBuffers&) const override {}  // the output is a constant, computed above
};

}  // namespace

std::unique_ptr<Op> make_dequantize_linear() { return std::make_unique<DequantizeLinearOp>(); }

}  // namespace digits::engine
