#include "digits/personal_memory.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "kernels/similarity.h"

namespace digits {
namespace {

// The rule's constants; see the header and bench/personal.mjs for how they were chosen.
constexpr float kMinSimilarity = 0.70f;  // less alike than this, a drawing has no say
constexpr float kFalloff = 0.15f;        // a vote weighs exp((similarity - 1) / kFalloff)
constexpr float kVoteWeight = 2.0f;      // votes against the model's probabilities (sum 1)

// exp((s - 1) / kFalloff) for s in [kMinSimilarity, 1], tabulated: a remembered drawing
// alike enough costs a multiply-add instead of an exp() (interpolated, within 1e-4).
constexpr int kVoteSteps = 256;

const std::array<float, kVoteSteps + 2>& vote_table() {
  static const std::array<float, kVoteSteps + 2> table = [] {
    std::array<float, kVoteSteps + 2> values{};
    for (int i = 0; i < kVoteSteps + 2; ++i) {
      const float s = kMinSimilarity + (1.0f - kMinSimilarity) * static_cast<float>(i) / kVoteSteps;
      values[i] = std::exp((s - 1.0f) / kFalloff);
    }
    return values;
  }();
  return table;
}

float vote_for(float similarity) {
  const float at = (std::min(similarity, 1.0f) - kMinSimilarity) * (kVoteSteps / (1.0f - kMinSimilarity));
  const int i = static_cast<int>(at);
  const auto& table = vote_table();
  return table[i] + (table[i + 1] - table[i]) * (at - static_cast<float>(i));
}

// 1 / length, or 0 for a vector that cannot be normalised.
float inverse_length(const float* features, int dimensions) {
  double squares = 0.0;
  for (int j = 0; j < dimensions; ++j) squares += static_cast<double>(features[j]) * features[j];
  return std::isfinite(squares) && squares > 0.0 ? static_cast<float>(1.0 / std::sqrt(squares)) : 0.0f;
}

}  // namespace

Result<size_t> PersonalMemory::learn(const float* features, int digit) {
  if (digit < 0 || digit >= kDigits) return Status::error("a digit to learn must be 0 to 9");
  if (dimensions_ <= 0 || features == nullptr) return Status::error("there are no features to learn from");
  const float scale = inverse_length(features, dimensions_);
  if (scale == 0.0f) return Status::error("the drawing's features are empty or not finite");

  size_t of_digit = 0, oldest = digits_.size();
  for (size_t i = digits_.size(); i-- > 0;) {
    if (digits_[i] == digit) ++of_digit, oldest = i;
  }
  if (of_digit >= kMaxPerDigit) {  // make room: the digit's oldest example goes
    examples_.erase(examples_.begin() + oldest * dimensions_, examples_.begin() + (oldest + 1) * dimensions_);
    digits_.erase(digits_.begin() + oldest);
  }
  for (int j = 0; j < dimensions_; ++j) examples_.push_back(features[j] * scale);
  digits_.push_back(static_cast<uint8_t>(digit));
  return digits_.size();
}

void PersonalMemory::forget() {
  examples_.clear();
  digits_.clear();
}

void PersonalMemory::apply(const float* features, std::array<float, kDigits>& probabilities) const {
  if (digits_.empty() || features == nullptr) return;
  const float scale = inverse_length(features, dimensions_);
  if (scale == 0.0f) return;
  std::vector<float> similarity(digits_.size());
  kernels::dot_rows_f32(examples_.data(), digits_.size(), static_cast<size_t>(dimensions_), features,
                        similarity.data());
  std::array<float, kDigits> votes{};
  float total = 0.0f;
  for (size_t i = 0; i < digits_.size(); ++i) {
    const float s = similarity[i] * scale;
    if (s < kMinSimilarity) continue;
    const float vote = vote_for(s);
    votes[digits_[i]] += vote;
    total += vote;
  }
  if (total == 0.0f) return;
  float sum = 0.0f;
  for (int d = 0; d < kDigits; ++d) sum += probabilities[d] += kVoteWeight * votes[d];
  for (float& p : probabilities) p /= sum;
}

}  // namespace digits
