// A person's history (GET /api/history, and DELETE /api/history to delete it) and
// GET /api/stats (its figures come from stats_service.h).
#include <optional>

#include "handlers.h"
#include "http_response.h"
#include "json_writer.h"
#include "record_parser.h"
#include "repository.h"

namespace digits::server {
namespace {

constexpr int kDefaultHistory = 50;
constexpr int kMaxHistory = 200;

std::string history_json(const std::string& client_id, const std::vector<HistoryItem>& items) {
  rapidjson::StringBuffer buffer;
  JsonWriter json(buffer);
  json.StartObject();
  field(json, "client_id", client_id);
  json.Key("items");
  json.StartArray();
  for (const HistoryItem& item : items) {
    json.StartObject();
    field(json, "id", item.id);
    field(json, "created_at", item.created_at);
    field(json, "predicted_digit", item.predicted_digit);
    field(json, "confidence", item.confidence);
    json.Key("probabilities");
    json.StartArray();
    for (double p : item.probabilities) json.Double(p);
    json.EndArray();
    json.Key("true_digit");
    item.true_digit >= 0 ? json.Int(item.true_digit) : json.Null();
    json.Key("image");
    item.image_base64.empty() ? json.Null() : json.String(item.image_base64.c_str());
    field(json, "engine", item.engine);
    field(json, "model_version", item.model_version);
    field(json, "latency_ms", item.latency_ms);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return buffer.GetString();
}

// The request's client_id, or nothing after answering 400.
std::optional<std::string> client_id_of(const HttpRequest& request, const Responder& response) {
  auto client_id = request.query_parameter("client_id");
  if (client_id && is_client_id(*client_id)) return client_id;
  response.send_error(400, "client_id must be given: 1 to 64 letters, digits, '-', '_', '.' or ':'");
  return std::nullopt;
}

}  // namespace

void handle_history(App& app, const HttpRequest& request, Responder response) {
  const auto client_id = client_id_of(request, response);
  if (!client_id) return;
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
  auto items = std::make_shared<std::vector<HistoryItem>>();
  app.reads.submit(
      [items, client = *client_id, limit](pqxx::connection& connection) { *items = read_history(connection, client, limit); },
      [items, client = *client_id, response](const Status& status) {
        if (!status.ok()) return respond_database_unavailable(response, "try again shortly");
        response.send_json(200, history_json(client, *items));
      });
}

// Knowing the id is what makes the drawings someone's own, as for reading them. The page
// sends this holding its outbox, so no record of the client is on its way meanwhile.
// With id=, only that drawing (a prediction's record id) and the client's answers on it.
void handle_delete_history(App& app, const HttpRequest& request, Responder response) {
  const auto client_id = client_id_of(request, response);
  if (!client_id) return;
  const std::optional<std::string> record_id = request.query_parameter("id");
  if (record_id && !is_uuid(*record_id)) {
    response.send_error(400, "id must be a drawing's id, a UUID such as 3f2a7c10-8d1e-4b7a-9c55-0e6f1a2b3c4d");
    return;
  }
  auto deleted = std::make_shared<DeletedDrawings>();
  app.reads.submit(
      [deleted, client = *client_id, record_id](pqxx::connection& connection) {
        *deleted = delete_client_drawings(connection, client, record_id);
      },
      [deleted, client = *client_id, record_id, response](const Status& status) {
        if (!status.ok()) return respond_database_unavailable(response, "nothing was deleted; try again shortly");
        rapidjson::StringBuffer buffer;
        JsonWriter json(buffer);
        json.StartObject();
        field(json, "client_id", client);
        if (record_id) field(json, "id", *record_id);
        json.Key("deleted");
        json.StartObject();
        field(json, "predictions", deleted->predictions);
        field(json, "feedback", deleted->feedback);
        json.EndObject();
        json.EndObject();
        response.send_json(200, buffer.GetString());
      });
}

void handle_stats(App& app, const HttpRequest& request, Responder response) {
  const Result<std::shared_ptr<const StatsDocument>> document = app.stats.current();
  if (!document.ok()) return respond_database_unavailable(response, "try again shortly");
  const bool compressed = request.accepts_gzip();
  Headers headers = {{"Vary", "Accept-Encoding"}};
  if (compressed) headers.emplace_back("Content-Encoding", "gzip");
  response.send_json(200, compressed ? document.value()->gzipped : document.value()->json, std::move(headers));
}

}  // namespace digits::server
