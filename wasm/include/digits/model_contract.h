// What a digit model promises, read from its graph and metadata: how to normalise the
// image, where it goes, and what the outputs mean. Every runtime that runs the graph
// (this engine, ONNX Runtime Web) reads the same contract, so both feed the same input
// and interpret the same outputs.
//
//   auto model = digits::onnx::parse_model(bytes, size);
//   auto contract = digits::read_model_contract(model.value());
//   if (!contract.ok()) fail(contract.status().message());   // "the model's metadata has no norm_mean"
//   feed(contract.value().input_name, normalised_image);      // [1,1,28,28] float32
//
// The contract of a digit model:
// - one float32 image input [N,1,28,28] (N symbolic or 1), pixels normalised as
//   (pixel/255 - norm_mean) / norm_std with both values in the metadata;
// - output 0: 10 float32 scores per image, probabilities when the graph ends in
//   Softmax, otherwise logits (turned into probabilities by the answer path);
// - optionally output 1, named "embedding": float32 [N, D], the features the personal
//   memory compares drawings by.
#pragma once

#include <string>

#include "digits/onnx.h"
#include "digits/status.h"

namespace digits {

inline constexpr int kDigits = 10;
// Largest embedding the answer path takes: more would cost the memory more than it gives.
inline constexpr int kMaxEmbeddingSize = 1024;

struct ModelContract {
  float norm_mean = 0.0f;
  float norm_std = 1.0f;
  std::string version;               // model_version, or "unversioned"
  std::string mnist_test_accuracy;   // as written by model/export.py, may be empty
  std::string input_name;
  std::string scores_name;           // output 0
  bool scores_are_probabilities = false;
  std::string embedding_name;        // output 1, empty when the model has none
  int embedding_size = 0;            // D, 0 when there is no embedding
};

// Fails, with a message that names what is wrong, on: a missing or invalid norm_mean
// or norm_std; an input that is not one float32 [N,1,28,28] image; a first output
// declared with other than 10 values per image; a second output that is not a
// float32 [N, D] embedding with D in 1..kMaxEmbeddingSize; more than two outputs.
Result<ModelContract> read_model_contract(const onnx::Model& model);

}  // namespace digits
