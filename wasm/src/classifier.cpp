#include "digits/classifier.h"

#include <cmath>
#include <cstdlib>
#include <vector>

#include "digits/shape.h"

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

Status check_signature(const onnx::Model& model) {
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
  return Status::success();
}

// Whether the first output comes straight out of a Softmax, i.e. is already probabilities.
bool ends_in_softmax(const onnx::Model& model) {
  const std::string& output = model.graph.outputs[0].name;
  for (const onnx::Node& node : model.graph.nodes) {
    for (const std::string& produced : node.outputs) {
      if (produced == output) return node.op_type == "Softmax";
    }
  }
  return false;
}

}  // namespace

Classifier::Classifier(std::unique_ptr<Engine> engine, ModelInfo info, bool outputs_probabilities)
    : engine_(std::move(engine)), info_(std::move(info)), outputs_probabilities_(outputs_probabilities) {}

Result<ModelInfo> read_model_info(const onnx::Model& model) {
  ModelInfo info;
  Result<float> mean = metadata_float(model, "norm_mean");
  if (!mean.ok()) return mean.status();
  Result<float> std_dev = metadata_float(model, "norm_std");
  if (!std_dev.ok()) return std_dev.status();
  if (std_dev.value() <= 0.0f) return Status::error("the model's norm_std must be positive");
  info.norm_mean = mean.value();
  info.norm_std = std_dev.value();
  const std::string* version = model.metadata_value("model_version");
  info.version = version != nullptr ? *version : "unversioned";
  const std::string* accuracy = model.metadata_value("mnist_test_accuracy");
  if (accuracy != nullptr) info.mnist_test_accuracy = *accuracy;
  DIGITS_TRY(check_signature(model));
  return info;
}

Result<std::unique_ptr<Classifier>> Classifier::load(const uint8_t* bytes, size_t size) {
  Result<onnx::Model> parsed = onnx::parse_model(bytes, size);
  if (!parsed.ok()) return parsed.status();
  Result<ModelInfo> info = read_model_info(parsed.value());
  if (!info.ok()) return info.status();
  const bool probabilities = ends_in_softmax(parsed.value());
  Result<std::unique_ptr<Engine>> engine = Engine::load(parsed.take());
  if (!engine.ok()) return engine.status();
  DIGITS_TRY(engine.value()->prepare({{1, 1, kFieldSize, kFieldSize}}));
  const TensorView output = engine.value()->output(0);
  if (output.type != onnx::DataType::float32 || element_count(output.shape) != kDigits) {
    return Status::error("the model's output must be 10 float32 values per image, it is " + shape_string(output.shape));
  }
  return std::unique_ptr<Classifier>(new Classifier(engine.take(), info.take(), probabilities));
}

Result<Classification> Classifier::classify_canvas(const uint8_t* rgba, size_t length, int width, int height) {
  Result<Preprocessed> preprocessed = preprocess_canvas(rgba, length, width, height);
  if (!preprocessed.ok()) return preprocessed.status();
  if (preprocessed.value().nothing_drawn) {
    Classification answer;
    answer.nothing_drawn = true;
    answer.reason = preprocessed.value().reason;
    return answer;
  }
  return classify_image(preprocessed.value().image.data());
}

Result<Classification> Classifier::classify_image(const uint8_t* image) {
  if (image == nullptr) return Status::error("no image");
  Classification answer;
  std::copy(image, image + kImagePixels, answer.image.begin());
  normalise_image(image, info_.norm_mean, info_.norm_std, engine_->input_data(0));
  DIGITS_TRY(engine_->run());
  const float* scores = engine_->output(0).floats;
  float largest = scores[0];
  for (int d = 1; d < kDigits; ++d) largest = std::fmax(largest, scores[d]);
  float sum = 0.0f;
  for (int d = 0; d < kDigits; ++d) {
    answer.probabilities[d] = outputs_probabilities_ ? scores[d] : std::exp(scores[d] - largest);
    sum += answer.probabilities[d];
  }
  if (!outputs_probabilities_) {
    for (float& p : answer.probabilities) p /= sum;
  }
  answer.digit = 0;
  for (int d = 1; d < kDigits; ++d) {
    if (answer.probabilities[d] > answer.probabilities[answer.digit]) answer.digit = d;
  }
  answer.confidence = answer.probabilities[answer.digit];
  return answer;
}

}  // namespace digits
