// The two kinds of record POST /log accepts, once validated.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace digits::server {

struct PredictionRecord {
  std::string id;          // lower-case UUID: the idempotency key
  std::string client_id;
  std::string created_at;  // ISO 8601, as the client sent it
  int predicted_digit = 0;
  int model_digit = -1;  // the model's own answer, before the person's memory; -1 when not sent
  double model_confidence = -1;  // the model's own probability of model_digit; -1 when not sent
  double confidence = 0;
  std::array<double, 10> probabilities{};
  std::vector<uint8_t> image;  // 784 bytes, 0 background .. 255 ink
  std::string engine;          // "native" or "ort"
  std::string model_version;
  double latency_ms = 0;
  std::string strokes_json;  // compact JSON, empty when not sent
};

struct FeedbackRecord {
  std::string id;
  std::string prediction_id;
  std::string client_id;
  std::string created_at;
  int true_digit = 0;
};

using Record = std::variant<PredictionRecord, FeedbackRecord>;

inline constexpr size_t kImageBytes = 784;
inline constexpr size_t kMaxRecordsPerRequest = 500;
inline constexpr size_t kMaxBodyBytes = 1 << 20;

}  // namespace digits::server
