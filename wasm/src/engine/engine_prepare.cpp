// Engine::prepare: shapes, constant folding and the memory plan.
#include <algorithm>

#include "engine/engine_impl.h"
#include "engine/planner.h"

namespace digits {

using engine::PrepareContext;
using engine::RunBuffers;
using engine::Step;
using engine::ValueState;

namespace {

// A constant's description; its values are filled in by the two functions below.
ValueState constant_shell(const onnx::Tensor& tensor) {
  ValueState value;
  value.name = tensor.name;
  value.type = tensor.type;
  value.shape = tensor.dims;
  value.defined = true;
  value.constant = true;
  return value;
}

ValueState constant_value(const onnx::Tensor& tensor) {
  ValueState value = constant_shell(tensor);
  value.floats = tensor.floats;
  value.bytes = tensor.bytes;
  value.ints = tensor.ints;
  return value;
}

// An initializer's values move into its value rather than being copied: a quarter of a
// million weights, whose copy cost over a millisecond of the page's wait in WebAssembly.
// prepare() moves them back before it starts again (see `lent_initializers`).
ValueState lent_value(onnx::Tensor& tensor) {
  ValueState value = constant_shell(tensor);
  value.floats = std::move(tensor.floats);
  value.bytes = std::move(tensor.bytes);
  value.ints = std::move(tensor.ints);
  return value;
}

Status check_input_shape(const onnx::ValueInfo& info, const Shape& shape) {
  for (int64_t dim : shape) {
    if (dim < 0) return Status::error("input '" + info.name + "' cannot have shape " + shape_string(shape));
  }
  if (!info.has_shape) return Status::success();
  bool matches = info.dims.size() == shape.size();
  for (size_t d = 0; matches && d < shape.size(); ++d) {
    matches = info.dims[d].value < 0 || info.dims[d].value == shape[d];
  }
  if (matches) return Status::success();
  std::string declared = "[";
  for (size_t d = 0; d < info.dims.size(); ++d) {
    declared += (d ? "," : "") + (info.dims[d].value >= 0 ? std::to_string(info.dims[d].value)
                                                          : (info.dims[d].symbol.empty() ? "?" : info.dims[d].symbol));
  }
  return Status::error("input '" + info.name + "' has shape " + shape_string(shape) + " but the model declares " +
                       declared + "]");
}

}  // namespace

Status Engine::Impl::prepare(const std::vector<Shape>& input_shapes) {
  // The initializers lent to the last prepare come back first; ops only read their inputs.
  for (size_t i = 0; i < lent_initializers; ++i) {
    initializers[i].floats = std::move(values[i].floats);
    initializers[i].bytes = std::move(values[i].bytes);
    initializers[i].ints = std::move(values[i].ints);
  }
  lent_initializers = 0;
  values.clear();
  value_ids.clear();
  steps.clear();
  input_values.clear();
  output_values.clear();
  operations = operations_per_run = 0;
  values.reserve(initializers.size() + runtime_inputs.size() + nodes.size() * 2);
  DIGITS_TRY(bind_inputs(input_shapes));
  for (const engine::PlannedNode& planned : nodes) DIGITS_TRY(prepare_node(planned));
  DIGITS_TRY(find_outputs());
  return plan_memory();
}

Result<int> Engine::Impl::add_value(ValueState value) {
  if (value_ids.count(value.name) != 0) return Status::error("value '" + value.name + "' is defined twice");
  const int id = static_cast<int>(values.size());
  value_ids.emplace(value.name, id);
  values.push_back(std::move(value));
  return id;
}

Status Engine::Impl::bind_inputs(const std::vector<Shape>& input_shapes) {
  for (onnx::Tensor& tensor : initializers) {
    if (value_ids.count(tensor.name) != 0) return Status::error("value '" + tensor.name + "' is defined twice");
    Result<int> id = add_value(lent_value(tensor));
    if (!id.ok()) return id.status();
    ++lent_initializers;  // values[i] holds initializers[i]'s data from here on
  }
  if (input_shapes.size() != runtime_inputs.size()) {
    return Status::error("the model has " + std::to_string(runtime_inputs.size()) + " inputs, got " +
                         std::to_string(input_shapes.size()) + " shapes");
  }
  for (size_t i = 0; i < runtime_inputs.size(); ++i) {
    const onnx::ValueInfo& info = model.graph.inputs[runtime_inputs[i]];
    ValueState value;
    if (bound_inputs[i]) {
      value = constant_value(*bound_inputs[i]);
      value.name = info.name;
    } else {
      if (info.type != onnx::DataType::float32) {
        return Status::error("input '" + info.name + "' is " + onnx::data_type_name(info.type) +
                             "; run-time inputs must be float32 (give parameters with set_constant_input)");
      }
      DIGITS_TRY(check_input_shape(info, input_shapes[i]));
      value.name = info.name;
      value.shape = input_shapes[i];
      value.defined = true;
    }
    Result<int> id = add_value(std::move(value));
    if (!id.ok()) return id.status();
    input_values.push_back(id.value());
  }
  return Status::success();
}

Status Engine::Impl::prepare_node(const engine::PlannedNode& planned) {
  const std::string label = engine::node_label(planned);
  Step step;
  step.node = planned.file_index;
  for (const std::string& name : planned.node.inputs) {
    if (name.empty()) {
      step.inputs.push_back(-1);
      continue;
    }
    const auto found = value_ids.find(name);
    if (found == value_ids.end()) {
      return Status::error(label + ": input '" + name + "' is not produced by any earlier node");
    }
    step.inputs.push_back(found->second);
  }
  for (const std::string& name : planned.node.outputs) {
    if (name.empty()) {
      step.outputs.push_back(-1);
      continue;
    }
    ValueState value;
    value.name = name;
    Result<int> id = add_value(std::move(value));
    if (!id.ok()) return id.status().within(label);
    step.outputs.push_back(id.value());
  }
  // Pointers into `values` only now that it has stopped growing for this node.
  std::vector<ValueState*> inputs, outputs;
  for (int id : step.inputs) inputs.push_back(id < 0 ? nullptr : &values[id]);
  for (int id : step.outputs) outputs.push_back(id < 0 ? nullptr : &values[id]);

  step.op = engine::find_op(planned.node.op_type)->create();
  PrepareContext context(planned.node, opset, inputs, outputs, planned.activation);
  DIGITS_TRY(step.op->prepare(context).within(label));
  step.aliases = context.aliases();
  step.scratch_floats = context.scratch_floats();
  for (size_t i = 0; i < step.outputs.size(); ++i) {
    if (step.outputs[i] >= 0 && !values[step.outputs[i]].defined) {
      return Status::error(label + ": output " + std::to_string(i) + " is not supported");
    }
  }
  const int64_t cost = count_operations(step, context.operations());
  operations = engine::saturating_sum(operations, cost);
  if (operations > engine::kMaxOperations) {
    return Status::error(label + ": the model needs more than " + std::to_string(engine::kMaxOperations / 1000000) +
                         " million operations, more than the engine runs");
  }
  // A node whose inputs are all known now is computed now, once.
  const bool all_constant = std::all_of(step.inputs.begin(), step.inputs.end(),
                                        [&](int id) { return id < 0 || values[id].constant; });
  if (all_constant) {
    fold_constant(step);
  } else {
    operations_per_run = engine::saturating_sum(operations_per_run, cost);
    steps.push_back(std::move(step));
  }
  return Status::success();
}

int64_t Engine::Impl::count_operations(const Step& step, int64_t op_operations) const {
  int64_t cost = op_operations;
  for (int id : step.inputs) {
    if (id >= 0) cost = engine::saturating_sum(cost, element_count(values[id].shape));
  }
  for (int id : step.outputs) {
    if (id >= 0) cost = engine::saturating_sum(cost, element_count(values[id].shape));
  }
  return cost;
}

void Engine::Impl::fold_constant(Step& step) {
  std::vector<const float*> in_data;
  std::vector<float*> out_data;
  for (int id : step.inputs) in_data.push_back(id < 0 ? nullptr : values[id].floats.data());
  for (size_t i = 0; i < step.outputs.size(); ++i) {
    const int id = step.outputs[i];
    if (id < 0 || values[id].constant) {
      out_data.push_back(nullptr);
      continue;
    }
    ValueState& out = values[id];
    out.constant = true;
    if (step.aliases[i] >= 0) {
      out.floats = values[step.inputs[step.aliases[i]]].floats;
      out_data.push_back(nullptr);
    } else {
      out.floats.assign(static_cast<size_t>(element_count(out.shape)), 0.0f);
      out_data.push_back(out.floats.data());
    }
  }
  std::vector<float> scratch(step.scratch_floats);
  step.op->run(RunBuffers{in_data.data(), out_data.data(), scratch.data()});
}

Status Engine::Impl::find_outputs() {
  for (const onnx::ValueInfo& output : model.graph.outputs) {
    const auto found = value_ids.find(output.name);
    if (found == value_ids.end()) return Status::error("graph output '" + output.name + "' is never produced");
    output_values.push_back(found->second);
    // Outputs show integers widened (TensorView): an 8-bit constant output is widened once.
    ValueState& value = values[found->second];
    if (onnx::is_byte_type(value.type) && value.ints.size() != value.bytes.size()) {
      value.ints = onnx::widen_bytes(value.type, value.bytes);
    }
  }
  return Status::success();
}

Status Engine::Impl::plan_memory() {
  std::vector<engine::StepUse> uses;
  for (const Step& step : steps) uses.push_back({step.inputs, step.outputs, step.aliases});
  std::vector<bool> constant(values.size());
  for (size_t id = 0; id < values.size(); ++id) constant[id] = values[id].constant;
  const engine::Lifetimes lives = engine::compute_lifetimes(uses, constant, input_values, output_values);

  std::vector<engine::BufferRequest> requests;
  std::vector<int> request_owner;  // value id, or -(step + 1) for a step's scratch
  for (size_t id = 0; id < values.size(); ++id) {
    if (lives.first[id] < 0) continue;
    requests.push_back({static_cast<size_t>(element_count(values[id].shape)), lives.first[id],
                        std::max(lives.first[id], lives.last[id])});
    request_owner.push_back(static_cast<int>(id));
  }
  for (size_t s = 0; s < steps.size(); ++s) {
    if (steps[s].scratch_floats == 0) continue;
    requests.push_back({steps[s].scratch_floats, static_cast<int>(s), static_cast<int>(s)});
    request_owner.push_back(-static_cast<int>(s + 1));
  }
  std::vector<size_t> offsets;
  const size_t total = engine::plan_buffers(requests, offsets);
  if (total > static_cast<size_t>(engine::kMaxArenaFloats)) {
    return Status::error("the model needs " + std::to_string(total * 4 / (1 << 20)) +
                         " MiB of working memory, more than the engine allows");
  }
  arena.assign(total, 0.0f);
  value_data.assign(values.size(), nullptr);
  for (size_t r = 0; r < requests.size(); ++r) {
    if (request_owner[r] >= 0) {
      value_data[request_owner[r]] = arena.data() + offsets[r];
    } else {
      steps[-request_owner[r] - 1].scratch = arena.data() + offsets[r];
    }
  }
  bind_pointers(lives.alias_root);
  return Status::success();
}

void Engine::Impl::bind_pointers(const std::vector<int>& alias_root) {
  for (size_t id = 0; id < values.size(); ++id) {
    if (values[id].constant) {
      value_data[id] = values[id].floats.data();
    } else if (alias_root[id] != static_cast<int>(id)) {
      value_data[id] = value_data[alias_root[id]];
    }
  }
  for (Step& step : steps) {
    for (int id : step.inputs) step.input_data.push_back(id < 0 ? nullptr : value_data[id]);
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      const int id = step.outputs[i];
      const bool writes = id >= 0 && step.aliases[i] < 0 && !values[id].constant;
      step.output_data.push_back(writes ? value_data[id] : nullptr);
    }
  }
}

}  // namespace digits
