// The parts of POST /log that need no database: base64, timestamps, record validation.
#include <doctest/doctest.h>

#include "base64.h"
#include "rate_limiter.h"
#include "record_parser.h"
#include "support.h"

using namespace digits::server;
using digits::test::batch;
using digits::test::object_json;
using digits::test::prediction_fields;
using digits::test::prediction_json;
using digits::test::with;
using digits::test::without;

namespace {

// The rejection for the only record of a batch.
Rejection only_rejection(const std::string& record) {
  const ParsedBody body = parse_log_body(batch({record}));
  REQUIRE(body.error_status == 0);
  REQUIRE(body.rejected.size() == 1);
  return body.rejected[0];
}

const std::string kId = "0b9e7c1a-5f0e-4d8e-9a59-6f1d2c3b4a5e";

}  // namespace

TEST_CASE("base64 decoding is strict") {
  CHECK(base64_decode("AAEC")->size() == 3);
  CHECK(base64_decode("AAE=")->size() == 2);
  CHECK(base64_decode("AA==")->size() == 1);
  CHECK_FALSE(base64_decode("AAE"));        // not a multiple of 4
  CHECK_FALSE(base64_decode("AA=C"));       // data after padding
  CHECK_FALSE(base64_decode("A!EC"));       // not in the alphabet
  CHECK_FALSE(base64_decode("AB=="));       // non-zero bits under padding
  CHECK_FALSE(base64_decode("AAEC\n"));     // no whitespace
  const uint8_t bytes[] = {0, 1, 2, 253, 254, 255, 7};
  CHECK(*base64_decode(base64_encode(bytes, sizeof(bytes))) == std::vector<uint8_t>(bytes, bytes + sizeof(bytes)));
}

TEST_CASE("timestamps are ISO 8601 with a real date") {
  CHECK(is_timestamp("2026-11-23T10:00:00.123Z"));
  CHECK(is_timestamp("2026-11-23T10:00:00Z"));
  CHECK(is_timestamp("2026-11-23T10:00:00+05:30"));
  CHECK(is_timestamp("2024-02-29T00:00:00Z"));
  CHECK_FALSE(is_timestamp("2026-02-29T00:00:00Z"));
  CHECK_FALSE(is_timestamp("2026-13-01T00:00:00Z"));
  CHECK_FALSE(is_timestamp("2026-11-23 10:00:00Z"));
  CHECK_FALSE(is_timestamp("2026-11-23T24:00:00Z"));
  CHECK_FALSE(is_timestamp("2026-11-23T10:00:00"));
  CHECK_FALSE(is_timestamp("2026-11-23T10:00:00.Z"));
  CHECK_FALSE(is_timestamp("yesterday"));
}

TEST_CASE("a valid prediction passes with every field read") {
  const ParsedBody body = parse_log_body(prediction_json(kId, "client-1", 3));
  REQUIRE(body.error_status == 0);
  REQUIRE(body.records.size() == 1);
  const auto& r = std::get<PredictionRecord>(body.records[0].second);
  CHECK(r.id == kId);
  CHECK(r.predicted_digit == 3);
  CHECK(r.model_digit == 3);
  CHECK(r.model_confidence == doctest::Approx(0.91));
  CHECK(r.image.size() == 784);
  CHECK(r.probabilities[3] == doctest::Approx(0.91));
  CHECK(r.strokes_json == "[[[10,12,0],[11,30,16]],[[5,5]]]");
}

TEST_CASE("each bad field is named") {
  const digits::test::Fields valid = digits::test::prediction_fields(kId, "client-1", 7);
  struct Case { std::string field, value, expected_field; };
  const Case cases[] = {
      {"id", "\"not-a-uuid\"", "id"},
      {"id", "12", "id"},
      // JSON strings may hold NUL; a check that stops there would pass what follows it.
      {"id", "\"" + kId + "\\u0000junk\"", "id"},
      {"type", "\"prediction\\u0000\"", "type"},
      {"type", "\"guess\"", "type"},
      {"type", "7", "type"},
      {"client_id", "\"" + std::string(65, 'a') + "\"", "client_id"},
      {"client_id", "\"a b\"", "client_id"},
      {"created_at", "\"2026-02-30T00:00:00Z\"", "created_at"},
      {"predicted_digit", "10", "predicted_digit"},
      {"predicted_digit", "7.5", "predicted_digit"},
      {"predicted_digit", "\"7\"", "predicted_digit"},
      {"model_digit", "10", "model_digit"},
      {"model_digit", "-1", "model_digit"},
      {"model_confidence", "1.5", "model_confidence"},
      {"model_confidence", "\"0.9\"", "model_confidence"},
      {"confidence", "1.5", "confidence"},
      {"confidence", "0.5", "confidence"},  // not the probability of the digit
      {"probabilities", "[0.1,0.1]", "probabilities"},
      {"probabilities", "[0.5,0.5,0.5,0,0,0,0,0.91,0,0]", "probabilities"},
      {"image", "\"AAAA\"", "image"},
      {"image", "\"!!!!\"", "image"},
      {"image", "\"" + std::string(4000, 'A') + "\"", "image"},
      {"engine", "\"gpu\"", "engine"},
      {"model_version", "\"" + std::string(10000, 'v') + "\"", "model_version"},
      {"latency_ms", "-1", "latency_ms"},
      {"strokes", "[[[1,\"x\"]]]", "strokes"},
      {"strokes", "{\"a\":1}", "strokes"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.field);
    CAPTURE(c.value.substr(0, 40));
    const Rejection rejection = only_rejection(object_json(with(valid, c.field, c.value)));
    CHECK(rejection.field == c.expected_field);
    CHECK_FALSE(rejection.error.empty());
  }
}

TEST_CASE("the model's own answer is optional; its confidence comes only with its digit") {
  const digits::test::Fields valid = digits::test::prediction_fields(kId, "client-1", 7);
  const ParsedBody older = parse_log_body(object_json(without(without(valid, "model_digit"), "model_confidence")));
  REQUIRE(older.records.size() == 1);
  const auto& r = std::get<PredictionRecord>(older.records[0].second);
  CHECK(r.model_digit == -1);
  CHECK(r.model_confidence == -1);
  const ParsedBody digit_only = parse_log_body(object_json(without(valid, "model_confidence")));
  REQUIRE(digit_only.records.size() == 1);
  CHECK(std::get<PredictionRecord>(digit_only.records[0].second).model_confidence == -1);
  const Rejection alone = only_rejection(object_json(without(valid, "model_digit")));
  CHECK(alone.field == "model_confidence");
  CHECK(alone.error == "needs model_digit, the digit it is the probability of");
}

TEST_CASE("deep nesting and huge strokes are rejected without harm") {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  const Rejection nested = only_rejection(object_json(with(prediction_fields(kId, "c", 7), "strokes", deep)));
  CHECK(nested.field == "strokes");
  std::string many = "[";
  for (int i = 0; i < 300; ++i) many += (i ? "," : "") + std::string("[[1,2]]");
  CHECK(only_rejection(object_json(with(prediction_fields(kId, "c", 7), "strokes", many + "]"))).error ==
        "has more than 200 strokes");
}

TEST_CASE("bodies that are not a record envelope fail whole") {
  CHECK(parse_log_body("{\"records\": [").error_status == 400);
  CHECK(parse_log_body("{\"records\": [").error.find("malformed JSON") == 0);
  CHECK(parse_log_body("[1,2]").error_status == 400);
  CHECK(parse_log_body("{\"records\": []}").error_status == 400);
  CHECK(parse_log_body("{\"records\": {}}").error_status == 400);
  CHECK(parse_log_body("{\"hello\": 1}").error_status == 400);
  CHECK(parse_log_body("\xff\xfe").error_status == 400);
  std::vector<std::string> records(501, "{}");
  CHECK(parse_log_body(batch(records)).error_status == 413);
}

TEST_CASE("a new client id on every request cannot grow the rate limiter's memory without bound") {
  digits::server::RateLimiter limiter(20, 200);
  const size_t requests = digits::server::RateLimiter::kMaxBuckets * 5 / 2;
  for (size_t i = 0; i < requests; ++i) {
    (void)limiter.admit("10.0.0." + std::to_string(i % 250), 1, {{"client-" + std::to_string(i), 1}});
    if (i % 10000 == 0) REQUIRE(limiter.tracked() <= digits::server::RateLimiter::kMaxBuckets);
  }
  CHECK(limiter.tracked() <= digits::server::RateLimiter::kMaxBuckets);
  CHECK(limiter.tracked() > 0);
}
