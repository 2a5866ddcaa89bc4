// The inference engine: runs float32 ONNX graphs of the operators a small image CNN
// needs (Conv, MaxPool, AveragePool, GlobalAveragePool, BatchNormalization, Relu,
// Clip, Sigmoid, Add, Gemm, MatMul, Flatten, Reshape, Softmax, LogSoftmax, Dropout,
// Identity, and DequantizeLinear of constant weights), opsets 7 to 25. Quantized
// weights are dequantized once at prepare: arithmetic is float32 throughout.
//
//   auto engine = digits::Engine::load(bytes, size);       // parse and check
//   if (!engine.ok()) fail(engine.status().message());     // "unsupported operator LSTM at node 7"
//   digits::Status prepared = engine.value()->prepare({{1, 1, 28, 28}});  // shapes, memory plan
//   std::copy(pixels, pixels + 784, engine.value()->input_data(0));
//   digits::Status ran = engine.value()->run();            // no allocation
//   digits::TensorView probabilities = engine.value()->output(0);
//
// Three phases, as in TensorFlow Lite Micro: load once, prepare once per input shape
// (every shape inferred, constants folded, Relu/Clip fused into the Conv or Gemm before
// them, one arena planned for all intermediate tensors), then run any number of times.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "digits/onnx.h"
#include "digits/shape.h"
#include "digits/status.h"

namespace digits {

// A read-only view of an output. floats is set for float32 values, ints for integer and
// boolean ones (widened to int64).
struct TensorView {
  onnx::DataType type = onnx::DataType::undefined;
  Shape shape;
  const float* floats = nullptr;
  const int64_t* ints = nullptr;
};

class Engine {
 public:
  // Parses an .onnx file and checks that the engine can run it. Fails on anything
  // parse_model rejects, an opset outside 7-25, an operator or domain it does not
  // implement ("unsupported operator LSTM at node 7"), initializers of other types
  // than float32 and integers, and a graph without outputs.
  static Result<std::unique_ptr<Engine>> load(const uint8_t* bytes, size_t size);
  static Result<std::unique_ptr<Engine>> load(onnx::Model model);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Metadata and declared inputs and outputs (weights moved out of the graph).
  const onnx::Model& model() const;

  // Graph inputs that are not initializers, in declaration order.
  size_t input_count() const;
  const onnx::ValueInfo& input_info(size_t i) const;
  size_t output_count() const;
  const std::string& output_name(size_t i) const;

  // Gives input i a value fixed at prepare time, for inputs that are parameters rather
  // than data (Reshape's shape, Clip's bounds). Fails if i is out of range or the type
  // differs from the declared one. Takes effect at the next prepare().
  Status set_constant_input(size_t i, onnx::Tensor value);

  // Fixes the shape of every run-time input (one shape per input, in order), infers all
  // shapes and plans memory. Fails naming the node whose inputs do not fit it, the input
  // whose shape contradicts the model's declaration, or the node where the graph's work
  // passes the engine's bound (see operations_per_run).
  Status prepare(const std::vector<Shape>& input_shapes);
  // As above with the declared shapes, every symbolic dimension (the batch) set to 1.
  Status prepare();

  // After a successful prepare. Where to write input i (float32, row-major), and its shape.
  float* input_data(size_t i);
  const Shape& input_shape(size_t i) const;
  // Computes every output. Fails only when not prepared.
  Status run();
  // After run(): output i. Valid until the next prepare().
  TensorView output(size_t i) const;
  // Bytes of the planned arena (intermediate tensors and workspaces).
  size_t arena_bytes() const;
  // Multiply-adds, window reads and element reads and writes one run does, about: prepare
  // refuses a graph whose count, with the constants it folds, passes a bound (2^32).
  int64_t operations_per_run() const;

 private:
  struct Impl;
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace digits
