#include "digits/model_contract.h"

#include <cmath>
#include <vector>

#include "digits/preprocess.h"

namespace digits {
namespace {

// [+-]digits[.digits][(e|E)[+-]digits]. Our own rather than strtof: the C library's
// parser, with the long-double arithmetic it brings, is a tenth of the .wasm.
bool parse_decimal(const std::string& text, float& out) {
  size_t i = 0;
  const bool negative = i < text.size() && text[i] == '-';
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  double mantissa = 0;
  int exponent = 0, digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) mantissa = mantissa * 10 + (text[i] - '0');
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
      mantissa = mantissa * 10 + (text[i] - '0');
      --exponent;
    }
  }
  if (digits == 0 || digits > 17) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    const bool negative_exponent = i < text.size() && text[i] == '-';
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    int value = 0, exponent_digits = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9' && exponent_digits < 3; ++i, ++exponent_digits) {
      value = value * 10 + (text[i] - '0');
    }
    if (exponent_digits == 0) return false;
    exponent += negative_exponent ? -value : value;
  }
  if (i != text.size()) return false;
  double scaled = mantissa;
  for (; exponent > 0; --exponent) scaled *= 10;
  for (; exponent < 0; ++exponent) scaled /= 10;
  out = static_cast<float>(negative ? -scaled : scaled);
  return std::isfinite(out);
}

Result<float> metadata_float(const onnx::Model& model, const char* key) {
  const std::string* text = model.metadata_value(key);
  if (text == nullptr) return Status::error(std::string("the model's metadata has no ") + key);
  float value = 0;
  if (!parse_decimal(*text, value)) {
    return Status::error(std::string("the model's ") + key + " '" + *text + "' is not a number");
  }
  return value;
}

Result<const onnx::ValueInfo*> image_input(const onnx::Model& model) {
  std::vector<const onnx::ValueInfo*> inputs;
  for (const onnx::ValueInfo& input : model.graph.inputs) {
    bool initializer = false;
    for (const onnx::Tensor& tensor : model.graph.initializers) initializer = initializer || tensor.name == input.name;
    if (!initializer) inputs.push_back(&input);
  }
  if (inputs.size() != 1 || model.graph.outputs.empty()) {
    return Status::error("a digit model takes one image input and gives the probabilities first");
  }
  const onnx::ValueInfo& input = *inputs[0];
  bool image = input.type == onnx::DataType::float32 && input.has_shape && input.dims.size() == 4;
  for (size_t d = 1; image && d < 4; ++d) image = input.dims[d].value == (d == 1 ? 1 : kFieldSize);
  image = image && (input.dims[0].value < 0 || input.dims[0].value == 1);
  if (!image) return Status::error("the model's input must be a float32 [N,1,28,28] image");
  return &input;
}

// Values per image of a declared output: the product of its dimensions after the batch,
// or -1 when some are not known before running it.
int64_t declared_per_image(const onnx::ValueInfo& output) {
  if (!output.has_shape) return -1;
  int64_t count = 1;
  for (size_t d = output.dims.size() > 1 ? 1 : 0; d < output.dims.size(); ++d) {
    if (output.dims[d].value < 0) return -1;
    count *= output.dims[d].value;
  }
  return count;
}

Status check_embedding(const onnx::ValueInfo& output, ModelContract& contract) {
  const bool shaped = output.name == "embedding" && output.type == onnx::DataType::float32 && output.has_shape &&
                      output.dims.size() == 2 && output.dims[1].value >= 1 && output.dims[1].value <= kMaxEmbeddingSize;
  if (!shaped) {
    return Status::error("the model's second output must be a float32 [N, D] embedding named 'embedding', D at most " +
                         std::to_string(kMaxEmbeddingSize));
  }
  contract.embedding_name = output.name;
  contract.embedding_size = static_cast<int>(output.dims[1].value);
  return Status::success();
}

// Whether an output comes straight out of a Softmax, i.e. is already probabilities.
bool made_by_softmax(const onnx::Model& model, const std::string& output) {
  for (const onnx::Node& node : model.graph.nodes) {
    for (const std::string& produced : node.outputs) {
      if (produced == output) return node.op_type == "Softmax";
    }
  }
  return false;
}

}  // namespace

Result<ModelContract> read_model_contract(const onnx::Model& model) {
  ModelContract contract;
  Result<float> mean = metadata_float(model, "norm_mean");
  if (!mean.ok()) return mean.status();
  Result<float> std_dev = metadata_float(model, "norm_std");
  if (!std_dev.ok()) return std_dev.status();
  if (std_dev.value() <= 0.0f) return Status::error("the model's norm_std must be positive");
  contract.norm_mean = mean.value();
  contract.norm_std = std_dev.value();
  const std::string* version = model.metadata_value("model_version");
  contract.version = version != nullptr ? *version : "unversioned";
  const std::string* accuracy = model.metadata_value("mnist_test_accuracy");
  if (accuracy != nullptr) contract.mnist_test_accuracy = *accuracy;

  Result<const onnx::ValueInfo*> input = image_input(model);
  if (!input.ok()) return input.status();
  contract.input_name = input.value()->name;

  const std::vector<onnx::ValueInfo>& outputs = model.graph.outputs;
  const int64_t scores = declared_per_image(outputs[0]);
  if (scores >= 0 && scores != kDigits) {
    return Status::error("the model's first output must be 10 values per image, it declares " +
                         std::to_string(scores));
  }
  contract.scores_name = outputs[0].name;
  contract.scores_are_probabilities = made_by_softmax(model, outputs[0].name);
  if (outputs.size() > 2) return Status::error("a digit model gives at most two outputs: scores and an embedding");
  if (outputs.size() == 2) DIGITS_TRY(check_embedding(outputs[1], contract));
  return contract;
}

}  // namespace digits
