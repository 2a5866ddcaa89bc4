#include "stats_service.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gzip.h"

namespace digits::server {
namespace {

using Json = rapidjson::Writer<rapidjson::StringBuffer>;

void counts_fields(Json& json, const Counts& counts) {
  json.Key("predictions");
  json.Int64(counts.predictions);
  json.Key("labelled");
  json.Int64(counts.labelled);
  json.Key("correct");
  json.Int64(counts.correct);
  json.Key("accuracy");
  counts.labelled > 0 ? json.Double(static_cast<double>(counts.correct) / counts.labelled) : json.Null();
}

// By the digit people said it was.
void per_digit(Json& json, const Stats& stats) {
  json.StartArray();
  for (int digit = 0; digit < 10; ++digit) {
    Counts counts;
    for (int predicted = 0; predicted < 10; ++predicted) counts.labelled += stats.confusion[digit][predicted];
    counts.predictions = counts.labelled;
    counts.correct = stats.confusion[digit][digit];
    json.StartObject();
    json.Key("digit");
    json.Int(digit);
    counts_fields(json, counts);
    json.EndObject();
  }
  json.EndArray();
}

// Rows: the true digit; columns: the predicted one.
void confusion(Json& json, const Stats& stats) {
  json.StartArray();
  for (const auto& row : stats.confusion) {
    json.StartArray();
    for (int64_t count : row) json.Int64(count);
    json.EndArray();
  }
  json.EndArray();
}

void per_day(Json& json, const Stats& stats) {
  json.StartArray();
  for (const auto& [day, counts] : stats.per_day) {
    json.StartObject();
    json.Key("day");
    json.String(day.c_str());
    counts_fields(json, counts);
    json.EndObject();
  }
  json.EndArray();
}

void by_confidence(Json& json, const Stats& stats) {
  json.StartArray();
  for (int bucket = 0; bucket < 10; ++bucket) {
    json.StartObject();
    json.Key("from");
    json.Double(bucket / 10.0);
    json.Key("to");
    json.Double((bucket + 1) / 10.0);
    counts_fields(json, stats.confidence[bucket]);
    json.EndObject();
  }
  json.EndArray();
}

void engines(Json& json, const Stats& stats) {
  json.StartArray();
  for (const auto& [engine, figures] : stats.engines) {
    json.StartObject();
    json.Key("engine");
    json.String(engine.c_str());
    json.Key("predictions");
    json.Int64(figures.first);
    json.Key("mean_latency_ms");
    json.Double(figures.second);
    json.EndObject();
  }
  json.EndArray();
}

}  // namespace

std::string stats_json(const Stats& stats) {
  rapidjson::StringBuffer buffer;
  Json json(buffer);
  json.StartObject();
  json.Key("total");
  json.StartObject();
  counts_fields(json, stats.total);
  json.EndObject();
  json.Key("per_digit");
  per_digit(json, stats);
  json.Key("confusion");
  confusion(json, stats);
  json.Key("per_day");
  per_day(json, stats);
  json.Key("confidence");
  by_confidence(json, stats);
  json.Key("engines");
  engines(json, stats);
  json.EndObject();
  return buffer.GetString();
}

Result<std::shared_ptr<const StatsDocument>> StatsService::current() {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (document_ && now - computed_at_ <= std::chrono::seconds(1)) return document_;
  Stats stats;
  const Status status = reads_.with_connection([&](pqxx::connection& connection) { stats = read_stats(connection); });
  if (!status.ok()) return status;
  auto document = std::make_shared<StatsDocument>();
  document->json = stats_json(stats);
  document->gzipped = gzip(document->json);
  document_ = std::move(document);
  computed_at_ = now;
  return document_;
}

}  // namespace digits::server
