// A person's own drawings, remembered by the model's embedding of each and the digit the
// person said it was, and how they shift the model's answer for a new drawing.
//
//   digits::PersonalMemory memory(128);
//   memory.learn(embedding_of_their_nine, 9);                 // after a correction
//   memory.apply(embedding_of_new_drawing, probabilities);    // nearby 9s now count
//   memory.unlearn(embedding_of_their_nine, 9);               // they took the correction back
//
// The rule (the constants in personal_memory.cpp were chosen on writers the model never
// saw, bench/personal.mjs): embeddings are compared by cosine similarity (in int8); each
// remembered drawing closer than kMinSimilarity votes for its digit with a weight that
// falls off exponentially with distance; the votes are added to the model's
// probabilities with weight kVoteWeight and the result renormalised. One remembered
// drawing therefore decides only for drawings very like it; what the model is sure of
// takes several close, agreeing examples to overturn, and a wrong correction is
// outvoted by the person's other drawings of that digit. An answer the model is all but
// certain of (0.9999) is never changed by one remembered drawing alone.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "digits/model_contract.h"
#include "digits/status.h"

namespace digits {

class PersonalMemory {
 public:
  // Examples kept per digit; the oldest of a digit goes first. Ten digits make the total.
  static constexpr size_t kMaxPerDigit = 200;
  static constexpr size_t kMaxExamples = kMaxPerDigit * kDigits;

  explicit PersonalMemory(int dimensions) : dimensions_(dimensions) {}

  // Remembers one drawing. Fails, changing nothing, on a digit outside 0-9, a memory of
  // no dimensions or more than kMaxEmbeddingSize, and features that are not finite or
  // all zero. Returns the number of drawings remembered.
  Result<size_t> learn(const float* features, int digit);
  // Withdraws the remembered drawing of `digit` these features are (the same drawing
  // through the same model: cosine similarity at least kSameDrawing; of several, the most
  // alike), so that a changed or withdrawn answer costs one inference, not a rebuild of
  // the whole memory. Fails, changing nothing, on bad input as learn() and when no
  // drawing of that digit is this one. Returns the number of drawings remembered.
  Result<size_t> unlearn(const float* features, int digit);
  void forget();
  size_t size() const { return digits_.size(); }

  // Adds the remembered drawings' votes to probabilities (which sum to 1, and still do
  // after). Does nothing when the memory is empty or the features are not finite.
  void apply(const float* features, std::array<float, kDigits>& probabilities) const;

 private:
  // A drawing's features as int8 (its first dimensions_ values), on the stack.
  using Row = std::array<int8_t, kMaxEmbeddingSize>;
  // Quantises features into a row, or says why it cannot (the digit named for the lesson).
  Status quantized(const float* features, int digit, bool unlearning, Row& row, float& scale) const;
  // visit(row, cosine similarity to the quantised query) for each remembered drawing.
  template <typename Visit>
  void compare(const int8_t* query, float query_scale, Visit visit) const;
  void erase(size_t row);

  int dimensions_;
  // size() rows of dimensions_ values: each remembered drawing's unit-length features as
  // int8, row r standing for examples_[r] * scales_[r] (a quarter of float32's memory
  // and memory traffic; cosine similarities change by about 0.002).
  std::vector<int8_t> examples_;
  std::vector<float> scales_;
  std::vector<uint8_t> digits_;   // in the order they were learned
};

}  // namespace digits
