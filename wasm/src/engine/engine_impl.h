// The engine's state, shared by its load, fusion and prepare steps.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
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
  std::vector<onnx::Tensor> initializers;     // their values are in `values` while prepared
  size_t lent_initializers = 0;               // values[0, this) hold initializers' data
  std::vector<engine::PlannedNode> nodes;
  std::vector<size_t> runtime_inputs;         // indices into model.graph.inputs
  std::vector<std::optional<onnx::Tensor>> bound_inputs;
  int64_t opset = 0;

  // Prepared state.
  bool prepared = false;
  std::vector<engine::ValueState> values;
  // Ordered maps here and in fusion: a graph has tens of names, and std::unordered_map
  // cost the .wasm 3.9 KB of hashing and rehashing code.
  std::map<std::string, int> value_ids;
  std::vector<engine::Step> steps;
  std::vector<int> input_values;              // per run-time input
  std::vector<int> output_values;             // per graph output
  std::vector<float> arena;
  std::vector<float*> value_data;             // per value, after planning
  int64_t operations = 0;                     // of every node, folded or not: bounded
  int64_t operations_per_run = 0;             // of the nodes run() computes

  // Shapes every value, folds what is constant, plans and binds the memory: the steps
  // below, in order.
  Status prepare(const std::vector<Shape>& input_shapes);

 private:
  Result<int> add_value(engine::ValueState value);
  // Values for the initializers and the run-time (or bound) inputs.
  Status bind_inputs(const std::vector<Shape>& input_shapes);
  // The node's step, with its outputs shaped; computed at once when its inputs are constant.
  Status prepare_node(const engine::PlannedNode& planned);
  // What the node does: the op's own count, and a read or write of every input and output.
  int64_t count_operations(const engine::Step& step, int64_t op_operations) const;
  void fold_constant(engine::Step& step);
  Status find_outputs();
  // One arena for every run-time value and scratch buffer, then each step's pointers into it.
  Status plan_memory();
  void bind_pointers(const std::vector<int>& alias_root);
};

}  // namespace digits
