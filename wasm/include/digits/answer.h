// The one place where a model's raw outputs become the answer the app shows, whichever
// runtime ran the graph: probabilities (softmax when the model gives logits), the
// digit, its confidence, and the personal memory's say where the model has an embedding.
//
//   digits::Answerer answerer(contract);                       // from read_model_contract
//   auto answer = answerer.answer(scores, 10, embedding, contract.embedding_size, image);
//   if (answer.ok()) show(answer.value().digit, answer.value().personal);
//   answerer.learn(embedding, contract.embedding_size, 9);    // the person said it was a 9
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "digits/model_contract.h"
#include "digits/personal_memory.h"
#include "digits/preprocess.h"
#include "digits/status.h"

namespace digits {

struct Classification {
  bool nothing_drawn = false;
  std::string reason;                 // when nothing_drawn
  int digit = -1;
  float confidence = 0.0f;
  std::array<float, kDigits> probabilities{};
  int model_digit = -1;               // the model's own answer, before the personal memory
  float model_confidence = 0.0f;      // and the model's own probability of it
  bool personal = false;              // the personal memory changed the digit
  std::array<uint8_t, kImagePixels> image{};  // what the model saw
};

class Answerer {
 public:
  explicit Answerer(ModelContract contract);

  const ModelContract& contract() const { return contract_; }

  // The answer for one image from the model's outputs: score_count must be 10 and
  // embedding_count the contract's embedding_size (embedding may be null when the model
  // has none). Fails on other counts and on scores that are not finite. image is what
  // the model saw (copied into the answer), or null.
  Result<Classification> answer(const float* scores, size_t score_count, const float* embedding,
                                size_t embedding_count, const uint8_t* image) const;

  // Remembers a drawing, by its embedding, as the digit the person said it is. Fails on a
  // digit outside 0-9, a model without an embedding, or a wrong embedding_count, and
  // then changes nothing. Returns the number of drawings remembered.
  Result<size_t> learn(const float* embedding, size_t embedding_count, int digit);
  // Withdraws that drawing, learned as `digit` (PersonalMemory::unlearn); fails as learn()
  // does, and when no drawing of that digit is this one.
  Result<size_t> unlearn(const float* embedding, size_t embedding_count, int digit);
  void forget() { memory_.forget(); }
  size_t learned_count() const { return memory_.size(); }
  // Off: answers are the model's alone; what was learned is kept for when it is on again.
  void set_memory_enabled(bool enabled) { memory_enabled_ = enabled; }
  bool memory_enabled() const { return memory_enabled_; }

 private:
  Status check_lesson(const float* embedding, size_t embedding_count, int digit, bool unlearning) const;

  ModelContract contract_;
  PersonalMemory memory_;
  bool memory_enabled_ = true;
};

}  // namespace digits
