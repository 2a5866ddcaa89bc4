// The digit classifier: a model from model/ (or any ONNX model with a [N,1,28,28] float
// input and 10 outputs), preprocessing, and the answer in the form the app shows.
//
//   auto classifier = digits::Classifier::load(bytes, size);
//   if (!classifier.ok()) fail(classifier.status().message());
//   auto answer = classifier.value()->classify_canvas(rgba, w * h * 4, w, h);
//   if (answer.ok() && !answer.value().nothing_drawn) show(answer.value().digit, answer.value().confidence);
#pragma once

#include <array>
#include <memory>
#include <string>

#include "digits/engine.h"
#include "digits/preprocess.h"
#include "digits/status.h"

namespace digits {

inline constexpr int kDigits = 10;

// From the model's metadata_props.
struct ModelInfo {
  float norm_mean = 0.0f;
  float norm_std = 1.0f;
  std::string version;                // model_version, or "unversioned"
  std::string mnist_test_accuracy;    // as written by model/export.py, may be empty
};

// Reads a digit model's metadata and checks its signature without building an engine,
// for runtimes that execute the graph themselves (ONNX Runtime Web). Fails like
// Classifier::load on unparseable files, a missing or invalid norm_mean / norm_std,
// and an input that is not one float32 [N,1,28,28] image.
Result<ModelInfo> read_model_info(const onnx::Model& model);

struct Classification {
  bool nothing_drawn = false;
  std::string reason;                 // when nothing_drawn
  int digit = -1;
  float confidence = 0.0f;
  std::array<float, kDigits> probabilities{};
  std::array<uint8_t, kImagePixels> image{};  // what the model saw
};

class Classifier {
 public:
  // Fails on anything Engine::load rejects, when the input is not one float32
  // [N or 1, 1, 28, 28] image or the output not 10 values per image, and when the
  // metadata lacks a valid norm_mean or norm_std (the model's normalisation is not
  // something to guess).
  static Result<std::unique_ptr<Classifier>> load(const uint8_t* bytes, size_t size);

  const ModelInfo& info() const { return info_; }

  // Preprocesses a canvas (see preprocess_canvas, whose errors it returns) and
  // classifies it, or reports nothing_drawn.
  Result<Classification> classify_canvas(const uint8_t* rgba, size_t length, int width, int height);
  // Classifies an already preprocessed 28x28 image (MNIST's own images, for example).
  Result<Classification> classify_image(const uint8_t* image);

 private:
  Classifier(std::unique_ptr<Engine> engine, ModelInfo info, bool outputs_probabilities);

  std::unique_ptr<Engine> engine_;
  ModelInfo info_;
  bool outputs_probabilities_;
};

}  // namespace digits
