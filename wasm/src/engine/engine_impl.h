// The engine's state, shared by its load, fusion and prepare steps.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "digits/engine.h"
#include "engine/op.h"

namespace digits {

namespace engine {

struct Step {
  size_t node = 0;
  std::unique_ptr<Op> op;
  std::vector<int> inputs;   // value ids, -1 for absent
  std::vector<int> outputs;  // value ids, -1 for absent
  std::vector<int> aliases;  // per output: the input it views, or -1
  size_t scratch_floats = 0;
  // Resolved after planning.
  std::vector<const float*> input_data;
  std::vector<float*> output_data;
  float* scratch = nullptr;
};

// A node after fusion, with its position in the file for error messages.
struct PlannedNode {
  onnx::Node node;
  size_t file_index = 0;
  kernels::Activation activation;
};

// Folds each Relu (or Clip with constant bounds) that alone consumes a Conv's or Gemm's
// output into that node.
std::vector<PlannedNode> fuse_activations(const onnx::Model& model);

// "node 7 (Conv 'conv1')", for error messages.
std::string node_label(const PlannedNode& planned);

}  // namespace engine

struct Engine::Impl {
  onnx::Model model;                          // initializers moved out into `initializers`
  std::vector<onnx::Tensor> initializers;
  std::vector<engine::PlannedNode> nodes;
  std::vector<size_t> runtime_inputs;         // indices into model.graph.inputs
  std::vector<std::optional<onnx::Tensor>> bound_inputs;
  int64_t opset = 0;

  // Prepared state.
  bool prepared = false;
  std::vector<engine::ValueState> values;
  std::unordered_map<std::string, int> value_ids;
  std::vector<engine::Step> steps;
  std::vector<int> input_values;              // per run-time input
  std::vector<int> output_values;             // per graph output
  std::vector<float> arena;
  std::vector<float*> value_data;             // per value, after planning

  Status prepare(const std::vector<Shape>& input_shapes);
};

}  // namespace digits
