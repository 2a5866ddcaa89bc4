#include "digits/answer.h"

#include <algorithm>
#include <cmath>

namespace digits {
namespace {

int most_likely(const std::array<float, kDigits>& probabilities) {
  return static_cast<int>(std::max_element(probabilities.begin(), probabilities.end()) - probabilities.begin());
}

Status check_embedding_count(const ModelContract& contract, const float* embedding, size_t count) {
  if (contract.embedding_size == 0) {
    return embedding == nullptr && count == 0 ? Status::success()
                                              : Status::error("the model has no embedding output, but one was given");
  }
  if (embedding == nullptr || count != static_cast<size_t>(contract.embedding_size)) {
    return Status::error("the model's embedding has " + std::to_string(contract.embedding_size) + " values, got " +
                         std::to_string(embedding == nullptr ? 0 : count));
  }
  return Status::success();
}

}  // namespace

Answerer::Answerer(ModelContract contract)
    : contract_(std::move(contract)), memory_(contract_.embedding_size) {}

Result<Classification> Answerer::answer(const float* scores, size_t score_count, const float* embedding,
                                        size_t embedding_count, const uint8_t* image) const {
  if (scores == nullptr || score_count != kDigits) {
    return Status::error("the model gave " + std::to_string(scores == nullptr ? 0 : score_count) +
                         " scores, a digit model gives 10");
  }
  DIGITS_TRY(check_embedding_count(contract_, embedding, embedding_count));
  Classification answer;
  float largest = scores[0];
  for (int d = 0; d < kDigits; ++d) {
    if (!std::isfinite(scores[d])) return Status::error("the model gave a score that is not a number");
    largest = std::fmax(largest, scores[d]);
  }
  // Probabilities as given, or a softmax of the logits, shifted by the largest so that
  // exp never overflows.
  float sum = 0.0f;
  for (int d = 0; d < kDigits; ++d) {
    answer.probabilities[d] = contract_.scores_are_probabilities ? std::fmax(scores[d], 0.0f)
                                                                 : std::exp(scores[d] - largest);
    sum += answer.probabilities[d];
  }
  if (!(sum > 0.0f)) return Status::error("the model's probabilities sum to zero");
  for (float& p : answer.probabilities) p /= sum;
  answer.model_digit = most_likely(answer.probabilities);
  answer.model_confidence = answer.probabilities[answer.model_digit];
  if (memory_enabled_ && embedding != nullptr) memory_.apply(embedding, answer.probabilities);
  answer.digit = most_likely(answer.probabilities);
  answer.personal = answer.digit != answer.model_digit;
  answer.confidence = answer.probabilities[answer.digit];
  if (image != nullptr) std::copy(image, image + kImagePixels, answer.image.begin());
  return answer;
}

Status Answerer::check_lesson(const float* embedding, size_t embedding_count, int digit, bool unlearning) const {
  if (digit < 0 || digit >= kDigits) {
    return Status::error(unlearning ? "a digit to unlearn must be 0 to 9" : "a digit to learn must be 0 to 9");
  }
  if (contract_.embedding_size == 0) {
    return Status::error("this model has no embedding output, so it cannot learn a person's handwriting");
  }
  return check_embedding_count(contract_, embedding, embedding_count);
}

Result<size_t> Answerer::learn(const float* embedding, size_t embedding_count, int digit) {
  DIGITS_TRY(check_lesson(embedding, embedding_count, digit, false));
  return memory_.learn(embedding, digit);
}

Result<size_t> Answerer::unlearn(const float* embedding, size_t embedding_count, int digit) {
  DIGITS_TRY(check_lesson(embedding, embedding_count, digit, true));
  return memory_.unlearn(embedding, digit);
}

}  // namespace digits
