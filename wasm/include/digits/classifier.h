// The digit classifier with the built-in engine: a digit model (see model_contract.h),
// preprocessing, and the answer path (answer.h) with its personal memory.
//
//   auto classifier = digits::Classifier::load(bytes, size);
//   if (!classifier.ok()) fail(classifier.status().message());
//   auto answer = classifier.value()->classify_canvas(rgba, w * h * 4, w, h);
//   if (answer.ok() && !answer.value().nothing_drawn) show(answer.value().digit, answer.value().confidence);
//   classifier.value()->learn(answer.value().image.data(), 9);   // the person said it was a 9
#pragma once

#include <memory>

#include "digits/answer.h"
#include "digits/engine.h"
#include "digits/model_contract.h"
#include "digits/preprocess.h"
#include "digits/status.h"

namespace digits {

class Classifier {
 public:
  // Fails on anything Engine::load or read_model_contract rejects, and when the prepared
  // graph's outputs are not the contract's (10 values, [1, D] embedding).
  static Result<std::unique_ptr<Classifier>> load(const uint8_t* bytes, size_t size);

  const ModelContract& contract() const { return answerer_.contract(); }
  const Engine& engine() const { return *engine_; }
  Answerer& answerer() { return answerer_; }

  // Preprocesses a canvas (see preprocess_canvas, whose errors it returns) and
  // classifies it, or reports nothing_drawn.
  Result<Classification> classify_canvas(const uint8_t* rgba, size_t length, int width, int height);
  // Classifies an already preprocessed 28x28 image (MNIST's own images, for example).
  Result<Classification> classify_image(const uint8_t* image);
  // Remembers a preprocessed 28x28 image as the given digit; fails as Answerer::learn.
  Result<size_t> learn(const uint8_t* image, int digit);
  // Withdraws that image, learned as `digit`; fails as Answerer::unlearn.
  Result<size_t> unlearn(const uint8_t* image, int digit);

 private:
  Classifier(std::unique_ptr<Engine> engine, ModelContract contract);
  Status run(const uint8_t* image);
  const float* embedding() const;

  std::unique_ptr<Engine> engine_;
  Answerer answerer_;
};

}  // namespace digits
