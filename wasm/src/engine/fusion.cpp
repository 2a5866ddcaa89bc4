#include <map>
#include <set>

#include "engine/engine_impl.h"

namespace digits::engine {
namespace {

const onnx::Tensor* find_initializer(const onnx::Model& model, const std::string& name) {
  for (const onnx::Tensor& tensor : model.graph.initializers) {
    if (tensor.name == name) return &tensor;
  }
  return nullptr;
}

// The clamp a Relu or Clip node applies, if it is known before any input arrives.
bool constant_activation(const onnx::Model& model, const onnx::Node& node, kernels::Activation& activation) {
  if (node.op_type == "Relu") {
    activation = kernels::Activation::relu();
    return node.inputs.size() == 1 && node.outputs.size() == 1;
  }
  if (node.op_type != "Clip" || node.outputs.size() != 1) return false;
  activation = kernels::Activation{-3.402823466e+38f, 3.402823466e+38f};
  if (model.opset("") < 11) {
    for (const onnx::Attribute& attribute : node.attributes) {
      if (attribute.type != onnx::AttributeType::float32) return false;
      if (attribute.name == "min") activation.min = attribute.f;
      if (attribute.name == "max") activation.max = attribute.f;
    }
    return node.inputs.size() == 1;
  }
  activation = kernels::Activation{};
  for (size_t i = 1; i < node.inputs.size(); ++i) {
    if (node.inputs[i].empty()) continue;
    const onnx::Tensor* bound = find_initializer(model, node.inputs[i]);
    if (bound == nullptr || bound->type != onnx::DataType::float32 || bound->floats.size() != 1) return false;
    (i == 1 ? activation.min : activation.max) = bound->floats[0];
  }
  return node.inputs.size() <= 3;
}

}  // namespace

std::vector<PlannedNode> fuse_activations(const onnx::Model& model) {
  const std::vector<onnx::Node>& nodes = model.graph.nodes;
  std::map<std::string, std::vector<size_t>> consumers;
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const std::string& input : nodes[i].inputs) {
      if (!input.empty()) consumers[input].push_back(i);
    }
  }
  std::set<std::string> graph_outputs;
  for (const onnx::ValueInfo& output : model.graph.outputs) graph_outputs.insert(output.name);

  std::vector<PlannedNode> planned(nodes.size());
  std::vector<bool> removed(nodes.size(), false);
  for (size_t i = 0; i < nodes.size(); ++i) {
    planned[i] = PlannedNode{nodes[i], i, kernels::Activation{}};
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    const OpInfo* info = find_op(nodes[i].op_type);
    if (removed[i] || info == nullptr || !info->fuses_activation || nodes[i].outputs.size() != 1) continue;
    const std::string& output = nodes[i].outputs[0];
    const auto found = consumers.find(output);
    if (graph_outputs.count(output) != 0 || found == consumers.end() || found->second.size() != 1) continue;
    const size_t next = found->second[0];
    kernels::Activation activation;
    if (next <= i || nodes[next].inputs[0] != output || !constant_activation(model, nodes[next], activation)) continue;
    planned[i].activation = activation;
    planned[i].node.outputs[0] = nodes[next].outputs[0];
    removed[next] = true;
  }
  std::vector<PlannedNode> kept;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!removed[i]) kept.push_back(std::move(planned[i]));
  }
  return kept;
}

std::string node_label(const PlannedNode& planned) {
  std::string label = "node " + std::to_string(planned.file_index) + " (" + planned.node.op_type;
  if (!planned.node.name.empty()) label += " '" + planned.node.name + "'";
  return label + ")";
}

}  // namespace digits::engine
