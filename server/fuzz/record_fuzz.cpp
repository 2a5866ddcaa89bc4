// libFuzzer target for the validation of POST /log bodies (record_parser.h): whatever
// the body, the parser answers without crashing or reading out of bounds, accounts for
// every record (accepted or refused, each once), and every record it accepts holds, over
// each field's whole length, the rules the database and the other readers rely on.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <vector>

#include <rapidjson/document.h>

#include "record_parser.h"

namespace server = digits::server;

namespace {

void check(bool holds) {
  if (!holds) __builtin_trap();
}

bool is_probability(double value) { return std::isfinite(value) && value >= 0 && value <= 1; }

bool is_printable(std::string_view text) {
  for (char c : text) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return !text.empty() && text.size() <= 64;
}

void check_prediction(const server::PredictionRecord& r) {
  check(server::is_uuid(r.id) && server::is_client_id(r.client_id) && server::is_timestamp(r.created_at));
  check(r.predicted_digit >= 0 && r.predicted_digit <= 9);
  check(r.model_digit >= -1 && r.model_digit <= 9);
  check(r.model_confidence == -1 || (r.model_digit >= 0 && is_probability(r.model_confidence)));
  check(is_probability(r.confidence));
  double sum = 0;
  for (double p : r.probabilities) {
    check(is_probability(p));
    sum += p;
  }
  check(std::fabs(sum - 1) <= 0.01 + 1e-9);
  check(r.image.size() == server::kImageBytes);
  check(r.engine == "native" || r.engine == "ort");
  check(is_printable(r.model_version));
  check(std::isfinite(r.latency_ms) && r.latency_ms >= 0);
  if (!r.strokes_json.empty()) {
    check(r.strokes_json.size() <= 64 * 1024);
    rapidjson::Document strokes;  // what is stored is JSON the database will take
    strokes.Parse(r.strokes_json.data(), r.strokes_json.size());
    check(!strokes.HasParseError() && strokes.IsArray());
  }
}

void check_feedback(const server::FeedbackRecord& r) {
  check(server::is_uuid(r.id) && server::is_uuid(r.prediction_id));
  check(server::is_client_id(r.client_id) && server::is_timestamp(r.created_at));
  check(r.true_digit >= 0 && r.true_digit <= 9);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const server::ParsedBody body = server::parse_log_body(std::string_view(reinterpret_cast<const char*>(data), size));
  if (body.error_status != 0) {
    check(body.error_status == 400 || body.error_status == 413);
    check(!body.error.empty() && body.records.empty() && body.rejected.empty());
    return 0;
  }
  check(body.total >= 1 && body.total <= server::kMaxRecordsPerRequest);
  check(body.records.size() + body.rejected.size() == body.total);
  std::vector<bool> seen(body.total);
  auto account = [&](size_t index) {
    check(index < body.total && !seen[index]);
    seen[index] = true;
  };
  for (const auto& [index, record] : body.records) {
    account(index);
    std::visit([](const auto& r) {
      if constexpr (std::is_same_v<std::decay_t<decltype(r)>, server::PredictionRecord>) {
        check_prediction(r);
      } else {
        check_feedback(r);
      }
    }, record);
  }
  for (const server::Rejection& rejection : body.rejected) {
    account(rejection.index);
    check(!rejection.error.empty());
    check(rejection.id.empty() || server::is_uuid(rejection.id));
  }
  return 0;
}
