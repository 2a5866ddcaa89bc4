#include "digits/personal_memory.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "kernels/similarity.h"

namespace digits {
namespace {

// The rule's constants; see the header and bench/personal.mjs for how they were chosen.
constexpr float kMinSimilarity = 0.70f;  // less alike than this, a drawing has no say
constexpr float kFalloff = 0.15f;        // a vote weighs exp((similarity - 1) / kFalloff)
constexpr float kVoteWeight = 2.0f;      // votes against the model's probabilities (sum 1)
// An answer the model gives with at least kSure is changed only by kSureVoters or more
// remembered drawings of the new digit. Measured on 18 writers the model never saw
// (model/crossval.py), one correction of a drawing that is a near copy of one of the
// person's other digits (a 6 drawn like their 5s) otherwise turned those, read right at
// 0.9999 and more, into the corrected digit; 84-92% of all drawings are read that sure.
constexpr float kSure = 0.9999f;
constexpr int kSureVoters = 2;
// The same image through the same model gives the same features; stored as int8 at unit
// length, its similarity to itself comes out within about 0.002 of 1.
constexpr float kSameDrawing = 0.99f;

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

// Features as int8 at unit length: out[j] * scale is features[j] / |features|. False
// (out untouched) for a vector that cannot be normalised.
bool quantize(const float* features, int dimensions, int8_t* out, float& scale) {
  const float unit = inverse_length(features, dimensions);
  if (unit == 0.0f) return false;
  float largest = 0.0f;
  for (int j = 0; j < dimensions; ++j) largest = std::max(largest, std::fabs(features[j] * unit));
  const float to_int = 127.0f / largest;
  for (int j = 0; j < dimensions; ++j) out[j] = static_cast<int8_t>(std::lrint(features[j] * unit * to_int));
  scale = largest / 127.0f;
  return true;
}

// Rows compared per call of the kernel: their similarities fit on the stack.
constexpr size_t kBlock = 256;

}  // namespace

Status PersonalMemory::quantized(const float* features, int digit, bool unlearning, Row& row, float& scale) const {
  if (digit < 0 || digit >= kDigits) {
    return Status::error(unlearning ? "a digit to unlearn must be 0 to 9" : "a digit to learn must be 0 to 9");
  }
  if (dimensions_ <= 0 || dimensions_ > kMaxEmbeddingSize || features == nullptr) {
    return Status::error("there are no features to compare");
  }
  if (!quantize(features, dimensions_, row.data(), scale)) {
    return Status::error("the drawing's features are empty or not finite");
  }
  return Status::success();
}

template <typename Visit>
void PersonalMemory::compare(const int8_t* query, float query_scale, Visit visit) const {
  std::array<int32_t, kBlock> dots;
  for (size_t first = 0; first < digits_.size(); first += kBlock) {
    const size_t count = std::min(kBlock, digits_.size() - first);
    kernels::dot_rows_i8(examples_.data() + first * dimensions_, count, static_cast<size_t>(dimensions_), query,
                         dots.data());
    for (size_t k = 0; k < count; ++k) visit(first + k, static_cast<float>(dots[k]) * scales_[first + k] * query_scale);
  }
}

void PersonalMemory::erase(size_t row) {
  examples_.erase(examples_.begin() + row * dimensions_, examples_.begin() + (row + 1) * dimensions_);
  scales_.erase(scales_.begin() + row);
  digits_.erase(digits_.begin() + row);
}

Result<size_t> PersonalMemory::learn(const float* features, int digit) {
  Row row;
  float scale = 0.0f;
  DIGITS_TRY(quantized(features, digit, false, row, scale));
  size_t of_digit = 0, oldest = digits_.size();
  for (size_t i = digits_.size(); i-- > 0;) {
    if (digits_[i] == digit) ++of_digit, oldest = i;
  }
  if (of_digit >= kMaxPerDigit) erase(oldest);  // make room: the digit's oldest example goes
  examples_.insert(examples_.end(), row.begin(), row.begin() + dimensions_);
  scales_.push_back(scale);
  digits_.push_back(static_cast<uint8_t>(digit));
  return digits_.size();
}

Result<size_t> PersonalMemory::unlearn(const float* features, int digit) {
  Row query;
  float query_scale = 0.0f;
  DIGITS_TRY(quantized(features, digit, true, query, query_scale));
  size_t found = digits_.size();
  float best = kSameDrawing;
  compare(query.data(), query_scale, [&](size_t row, float similarity) {
    if (digits_[row] == digit && similarity >= best) found = row, best = similarity;
  });
  if (found == digits_.size()) {
    return Status::error("no drawing remembered as " + std::to_string(digit) + " is this one");
  }
  erase(found);
  return digits_.size();
}

void PersonalMemory::forget() {
  examples_.clear();
  scales_.clear();
  digits_.clear();
}

void PersonalMemory::apply(const float* features, std::array<float, kDigits>& probabilities) const {
  Row query;
  float query_scale = 0.0f;
  if (digits_.empty() || !quantized(features, 0, false, query, query_scale).ok()) return;
  std::array<float, kDigits> votes{};
  std::array<int, kDigits> voters{};
  float total = 0.0f;
  compare(query.data(), query_scale, [&](size_t row, float similarity) {
    if (similarity < kMinSimilarity) return;
    const float vote = vote_for(similarity);
    votes[digits_[row]] += vote;
    ++voters[digits_[row]];
    total += vote;
  });
  if (total == 0.0f) return;
  const auto top = [](const std::array<float, kDigits>& p) {
    return static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
  };
  const int model_digit = top(probabilities);
  std::array<float, kDigits> combined = probabilities;
  float sum = 0.0f;
  for (int d = 0; d < kDigits; ++d) sum += combined[d] += kVoteWeight * votes[d];
  for (float& p : combined) p /= sum;
  const int digit = top(combined);
  if (probabilities[model_digit] >= kSure && digit != model_digit && voters[digit] < kSureVoters) return;
  probabilities = combined;
}

}  // namespace digits
