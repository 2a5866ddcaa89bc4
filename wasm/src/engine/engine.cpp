// Engine: load checks, the public accessors, and run.
#include <set>

#include "engine/engine_impl.h"

namespace digits {

using engine::find_op;

namespace {

bool is_default_domain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

Status check_model(const onnx::Model& model) {
  const int64_t opset = model.opset("");
  if (opset < 0) return Status::error("the model imports no opset of the default ONNX domain");
  if (opset < engine::kMinOpset || opset > engine::kMaxOpset) {
    return Status::error("unsupported opset " + std::to_string(opset) + " (the engine supports " +
                         std::to_string(engine::kMinOpset) + " to " + std::to_string(engine::kMaxOpset) + ")");
  }
  const std::vector<onnx::Node>& nodes = model.graph.nodes;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const onnx::Node& node = nodes[i];
    const std::string name = is_default_domain(node.domain) ? node.op_type : node.domain + "." + node.op_type;
    if (!is_default_domain(node.domain) || find_op(node.op_type) == nullptr) {
      return Status::error("unsupported operator " + name + " at node " + std::to_string(i));
    }
  }
  for (const onnx::Tensor& tensor : model.graph.initializers) {
    if (!tensor.has_values) {
      return Status::error("initializer '" + tensor.name + "' is " + onnx::data_type_name(tensor.type) +
                           "; the engine supports float32 and integer tensors");
    }
  }
  if (model.graph.outputs.empty()) return Status::error("the graph has no outputs");
  return Status::success();
}

}  // namespace

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::load(const uint8_t* bytes, size_t size) {
  Result<onnx::Model> model = onnx::parse_model(bytes, size);
  if (!model.ok()) return model.status();
  return load(model.take());
}

Result<std::unique_ptr<Engine>> Engine::load(onnx::Model model) {
  DIGITS_TRY(check_model(model));
  auto impl = std::make_unique<Impl>();
  impl->opset = model.opset("");
  impl->nodes = engine::fuse_activations(model);
  impl->initializers = std::move(model.graph.initializers);
  model.graph.initializers.clear();
  model.graph.nodes.clear();  // kept, fused, in impl->nodes

  std::set<std::string> initializer_names;
  for (const onnx::Tensor& tensor : impl->initializers) initializer_names.insert(tensor.name);
  for (size_t i = 0; i < model.graph.inputs.size(); ++i) {
    if (initializer_names.count(model.graph.inputs[i].name) == 0) impl->runtime_inputs.push_back(i);
  }
  impl->bound_inputs.resize(impl->runtime_inputs.size());
  impl->model = std::move(model);
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

const onnx::Model& Engine::model() const { return impl_->model; }

size_t Engine::input_count() const { return impl_->runtime_inputs.size(); }

const onnx::ValueInfo& Engine::input_info(size_t i) const {
  return impl_->model.graph.inputs[impl_->runtime_inputs[i]];
}

size_t Engine::output_count() const { return impl_->model.graph.outputs.size(); }

const std::string& Engine::output_name(size_t i) const { return impl_->model.graph.outputs[i].name; }

Status Engine::set_constant_input(size_t i, onnx::Tensor value) {
  if (i >= input_count()) return Status::error("there is no input " + std::to_string(i));
  const onnx::ValueInfo& info = input_info(i);
  if (info.type != onnx::DataType::undefined && info.type != value.type) {
    return Status::error("input '" + info.name + "' is declared " + onnx::data_type_name(info.type) + ", got " +
                         onnx::data_type_name(value.type));
  }
  if (!value.has_values) return Status::error("input '" + info.name + "': the engine cannot hold this tensor type");
  impl_->bound_inputs[i] = std::move(value);
  impl_->prepared = false;
  return Status::success();
}

Status Engine::prepare(const std::vector<Shape>& input_shapes) {
  impl_->prepared = false;
  DIGITS_TRY(impl_->prepare(input_shapes));
  impl_->prepared = true;
  return Status::success();
}

Status Engine::prepare() {
  std::vector<Shape> shapes;
  for (size_t i = 0; i < input_count(); ++i) {
    const onnx::ValueInfo& info = input_info(i);
    if (!info.has_shape) return Status::error("input '" + info.name + "' declares no shape; give one to prepare()");
    Shape shape;
    for (const onnx::Dim& dim : info.dims) shape.push_back(dim.value >= 0 ? dim.value : 1);
    shapes.push_back(std::move(shape));
  }
  return prepare(shapes);
}

float* Engine::input_data(size_t i) { return impl_->value_data[impl_->input_values[i]]; }

const Shape& Engine::input_shape(size_t i) const { return impl_->values[impl_->input_values[i]].shape; }

Status Engine::run() {
  if (!impl_->prepared) return Status::error("run() before a successful prepare()");
  for (const engine::Step& step : impl_->steps) {
    step.op->run(engine::RunBuffers{step.input_data.data(), step.output_data.data(), step.scratch});
  }
  return Status::success();
}

TensorView Engine::output(size_t i) const {
  const int id = impl_->output_values[i];
  const engine::ValueState& value = impl_->values[id];
  TensorView view;
  view.type = value.type;
  view.shape = value.shape;
  if (value.type == onnx::DataType::float32) {
    view.floats = impl_->value_data[id];
  } else {
    view.ints = value.ints.data();
  }
  return view;
}

size_t Engine::arena_bytes() const { return impl_->arena.size() * sizeof(float); }
int64_t Engine::operations_per_run() const { return impl_->operations_per_run; }

}  // namespace digits
