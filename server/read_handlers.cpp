// GET /api/history and GET /api/stats.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <mutex>

#include "handlers.h"
#include "gzip.h"
#include "http_response.h"
#include "record_parser.h"
#include "repository.h"

namespace digits::server {
namespace {

using Json = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr int kDefaultHistory = 50;
constexpr int kMaxHistory = 200;

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

std::string stats_json(const Stats& stats) {
  rapidjson::StringBuffer buffer;
  Json json(buffer);
  json.StartObject();
  json.Key("total");
  json.StartObject();
  counts_fields(json, stats.total);
  json.EndObject();
  json.Key("per_digit");  // by the digit people said it was
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
  json.Key("confusion");  // rows: true digit, columns: predicted digit
  json.StartArray();
  for (const auto& row : stats.confusion) {
    json.StartArray();
    for (int64_t count : row) json.Int64(count);
    json.EndArray();
  }
  json.EndArray();
  json.Key("per_day");
  json.StartArray();
  for (const auto& [day, counts] : stats.per_day) {
    json.StartObject();
    json.Key("day");
    json.String(day.c_str());
    counts_fields(json, counts);
    json.EndObject();
  }
  json.EndArray();
  json.Key("confidence");
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
  json.Key("engines");
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
  json.EndObject();
  return buffer.GetString();
}

std::string history_json(const std::string& client_id, const std::vector<HistoryItem>& items) {
  rapidjson::StringBuffer buffer;
  Json json(buffer);
  json.StartObject();
  json.Key("client_id");
  json.String(client_id.c_str());
  json.Key("items");
  json.StartArray();
  for (const HistoryItem& item : items) {
    json.StartObject();
    json.Key("id");
    json.String(item.id.c_str());
    json.Key("created_at");
    json.String(item.created_at.c_str());
    json.Key("predicted_digit");
    json.Int(item.predicted_digit);
    json.Key("confidence");
    json.Double(item.confidence);
    json.Key("probabilities");
    json.StartArray();
    for (double p : item.probabilities) json.Double(p);
    json.EndArray();
    json.Key("true_digit");
    item.true_digit >= 0 ? json.Int(item.true_digit) : json.Null();
    json.Key("image");
    json.String(item.image_base64.c_str());
    json.Key("engine");
    json.String(item.engine.c_str());
    json.Key("model_version");
    json.String(item.model_version.c_str());
    json.Key("latency_ms");
    json.Double(item.latency_ms);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return buffer.GetString();
}

}  // namespace

void handle_history(App& app, const HttpRequest& request, Responder response) {
  const auto client_id = request.query_parameter("client_id");
  if (!client_id || !is_client_id(*client_id)) {
    response.send_error(400, "client_id must be given: 1 to 64 letters, digits, '-', '_', '.' or ':'");
    return;
  }
  int limit = kDefaultHistory;
  if (const auto text = request.query_parameter("limit")) {
    char* end = nullptr;
    const long value = std::strtol(text->c_str(), &end, 10);
    if (text->empty() || *end != '\0' || value < 1 || value > kMaxHistory) {
      response.send_error(400, "limit must be a whole number from 1 to 200");
      return;
    }
    limit = static_cast<int>(value);
  }
  std::vector<HistoryItem> items;
  const Status status =
      app.reads.with_connection([&](pqxx::connection& connection) { items = read_history(connection, *client_id, limit); });
  if (!status.ok()) {
    response.send_error(503, "the database is unavailable; try again shortly", 2);
    return;
  }
  response.send_json(200, history_json(*client_id, items));
}

void handle_stats(App& app, const HttpRequest& request, Responder response) {
  auto& cache = app.stats_cache;
  std::unique_lock<std::mutex> lock(cache.mutex);
  const auto now = std::chrono::steady_clock::now();
  if (cache.json.empty() || now - cache.computed_at > std::chrono::seconds(1)) {
    Stats stats;
    const Status status =
        app.reads.with_connection([&](pqxx::connection& connection) { stats = read_stats(connection); });
    if (!status.ok()) {
      lock.unlock();
      response.send_error(503, "the database is unavailable; try again shortly", 2);
      return;
    }
    cache.json = stats_json(stats);
    cache.gzipped = gzip(cache.json);
    cache.computed_at = now;
  }
  const bool compressed = request.accepts_gzip();
  const std::string body = compressed ? cache.gzipped : cache.json;
  lock.unlock();
  Headers headers = {{"Vary", "Accept-Encoding"}};
  if (compressed) headers.emplace_back("Content-Encoding", "gzip");
  response.send_json(200, body, std::move(headers));
}

}  // namespace digits::server
