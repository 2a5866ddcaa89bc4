#include "conformance.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "digits/engine.h"
#include "files.h"

namespace digits::cli {
namespace {

namespace fs = std::filesystem;

constexpr double kRelativeTolerance = 1e-3;
constexpr double kAbsoluteTolerance = 1e-7;

Result<onnx::Tensor> read_tensor(const fs::path& path) {
  Result<std::vector<uint8_t>> bytes = read_file(path.string());
  if (!bytes.ok()) return bytes.status();
  Result<onnx::Tensor> tensor = onnx::parse_tensor(bytes.value().data(), bytes.value().size());
  if (!tensor.ok()) return tensor.status().within(path.filename().string());
  return tensor;
}

std::vector<fs::path> numbered(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> paths;
  for (int k = 0;; ++k) {
    fs::path path = dir / (prefix + std::to_string(k) + ".pb");
    if (!fs::exists(path)) return paths;
    paths.push_back(path);
  }
}

bool close_enough(double actual, double expected) {
  if (std::isnan(expected)) return std::isnan(actual);
  if (std::isinf(expected)) return actual == expected;
  return std::fabs(actual - expected) <= kAbsoluteTolerance + kRelativeTolerance * std::fabs(expected);
}

Status compare(const TensorView& actual, const onnx::Tensor& expected) {
  if (actual.shape != expected.dims) {
    return Status::error("shape " + shape_string(actual.shape) + ", expected " + shape_string(expected.dims));
  }
  if (actual.type != expected.type) {
    return Status::error("type " + onnx::data_type_name(actual.type) + ", expected " +
                         onnx::data_type_name(expected.type));
  }
  const int64_t count = element_count(actual.shape);
  for (int64_t i = 0; i < count; ++i) {
    const bool is_float = expected.type == onnx::DataType::float32;
    const double got = is_float ? actual.floats[i] : static_cast<double>(actual.ints[i]);
    const double want = is_float ? expected.floats[i] : static_cast<double>(expected.integer(static_cast<size_t>(i)));
    if (is_float ? !close_enough(got, want) : got != want) {
      return Status::error("value " + std::to_string(i) + " is " + std::to_string(got) + ", expected " +
                           std::to_string(want));
    }
  }
  return Status::success();
}

Status run_data_set(const std::vector<uint8_t>& model_bytes, const fs::path& data_dir) {
  Result<std::unique_ptr<Engine>> loaded = Engine::load(model_bytes.data(), model_bytes.size());
  if (!loaded.ok()) return loaded.status();
  Engine& engine = *loaded.value();
  const std::vector<fs::path> input_paths = numbered(data_dir, "input_");
  const std::vector<fs::path> output_paths = numbered(data_dir, "output_");
  if (input_paths.size() != engine.input_count()) {
    return Status::error("the model has " + std::to_string(engine.input_count()) + " inputs, the data set " +
                         std::to_string(input_paths.size()));
  }
  std::vector<onnx::Tensor> inputs;
  std::vector<Shape> shapes;
  for (size_t k = 0; k < input_paths.size(); ++k) {
    Result<onnx::Tensor> tensor = read_tensor(input_paths[k]);
    if (!tensor.ok()) return tensor.status();
    // Data goes in at run time; parameters of other types are fixed before prepare.
    if (tensor.value().type != onnx::DataType::float32) DIGITS_TRY(engine.set_constant_input(k, tensor.value()));
    shapes.push_back(tensor.value().dims);
    inputs.push_back(tensor.take());
  }
  DIGITS_TRY(engine.prepare(shapes));
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (inputs[k].type == onnx::DataType::float32) {
      std::copy(inputs[k].floats.begin(), inputs[k].floats.end(), engine.input_data(k));
    }
  }
  DIGITS_TRY(engine.run());
  if (output_paths.size() > engine.output_count()) return Status::error("the data set has more outputs than the model");
  for (size_t k = 0; k < output_paths.size(); ++k) {
    Result<onnx::Tensor> expected = read_tensor(output_paths[k]);
    if (!expected.ok()) return expected.status();
    DIGITS_TRY(compare(engine.output(k), expected.value()).within("output " + std::to_string(k)));
  }
  return Status::success();
}

}  // namespace

Status run_conformance_case(const std::string& case_dir) {
  const fs::path dir(case_dir);
  if (!fs::is_directory(dir)) return Status::error("not a case folder");
  Result<std::vector<uint8_t>> model = read_file((dir / "model.onnx").string());
  if (!model.ok()) return model.status();
  std::vector<fs::path> data_sets;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    if (entry.is_directory() && entry.path().filename().string().rfind("test_data_set_", 0) == 0) {
      data_sets.push_back(entry.path());
    }
  }
  if (error) return Status::error(case_dir + ": " + error.message());
  if (data_sets.empty()) return Status::error("no test_data_set_* folder");
  std::sort(data_sets.begin(), data_sets.end());
  for (const fs::path& data_set : data_sets) {
    DIGITS_TRY(run_data_set(model.value(), data_set).within(data_set.filename().string()));
  }
  return Status::success();
}

}  // namespace digits::cli
