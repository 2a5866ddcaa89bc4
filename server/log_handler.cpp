// POST /log: predictions and feedback from the app's outbox.
#include <algorithm>
#include <memory>

#include "handlers.h"
#include "http_response.h"
#include "json_writer.h"
#include "log.h"
#include "record_parser.h"

namespace digits::server {
namespace {

// How many valid records each client id in the body sends (for the rate limit).
std::vector<std::pair<std::string, size_t>> records_per_client(const ParsedBody& body) {
  std::vector<std::pair<std::string, size_t>> counts;
  for (const auto& [index, record] : body.records) {
    const std::string& client = std::visit([](const auto& r) -> const std::string& { return r.client_id; }, record);
    auto found = std::find_if(counts.begin(), counts.end(), [&](const auto& entry) { return entry.first == client; });
    if (found == counts.end()) {
      counts.emplace_back(client, 1);
    } else {
      ++found->second;
    }
  }
  return counts;
}

struct Tally {
  size_t stored = 0, duplicates = 0, rejected = 0;
};

// One record's entry in the answer. at is its place among the accepted records, -1 when
// validation rejected it (then rejection says why).
void write_result(JsonWriter& json, size_t index, int at, const Rejection* rejection,
                  const std::vector<std::string>& ids, const WriteOutcome* outcome, const std::string& request_id,
                  Tally& tally) {
  json.StartObject();
  field(json, "index", index);
  // The database's own words stay in the server's log (with the request id): they
  // name internal rows and columns.
  const bool refused_by_database = at >= 0 && outcome != nullptr && !outcome->refused[at].empty();
  const bool foreign = at >= 0 && outcome != nullptr && !outcome->foreign.empty() && outcome->foreign[at];
  const char* refusal = refused_by_database ? "the database refused this record's values; check them against docs/API.md"
                        : foreign ? "this prediction was made by another client; only that client can correct it"
                                  : nullptr;
  const std::string& id = at >= 0 ? ids[at] : rejection->id;
  if (!id.empty()) {
    field(json, "id", id);
  }
  json.Key("status");
  if (at >= 0 && refusal == nullptr) {
    const bool is_new = outcome->stored[at];
    json.String(is_new ? "stored" : "duplicate");
    ++(is_new ? tally.stored : tally.duplicates);
  } else {
    json.String("rejected");
    field(json, "field", refusal != nullptr ? (foreign ? "prediction_id" : "") : rejection->field);
    field(json, "error", refusal != nullptr ? refusal : rejection->error);
    if (refused_by_database) {
      field(json, "request_id", request_id);
    }
    ++tally.rejected;
  }
  json.EndObject();
}

std::string results_json(const ParsedBody& body, const std::vector<std::string>& ids, const WriteOutcome* outcome,
                         const std::string& request_id, size_t& stored, size_t& duplicates, size_t& rejected) {
  // status per request index: stored/duplicate from the outcome, rejected from validation
  std::vector<const Rejection*> rejections(body.total, nullptr);
  for (const Rejection& r : body.rejected) rejections[r.index] = &r;
  std::vector<int> accepted_at(body.total, -1);
  for (size_t i = 0; i < body.records.size(); ++i) accepted_at[body.records[i].first] = static_cast<int>(i);

  rapidjson::StringBuffer buffer;
  JsonWriter json(buffer);
  json.StartObject();
  json.Key("results");
  json.StartArray();
  Tally tally;
  for (size_t index = 0; index < body.total; ++index) {
    write_result(json, index, accepted_at[index], rejections[index], ids, outcome, request_id, tally);
  }
  json.EndArray();
  field(json, "received", body.total);
  field(json, "stored", tally.stored);
  field(json, "duplicates", tally.duplicates);
  field(json, "rejected", tally.rejected);
  json.EndObject();
  stored = tally.stored;
  duplicates = tally.duplicates;
  rejected = tally.rejected;
  return buffer.GetString();
}

}  // namespace

void handle_log(App& app, const HttpRequest& request, Responder response) {
  auto fail = [&](int status, const std::string& message, int retry_after = 0) {
    response.send_error(status, message, retry_after);
  };
  if (app.draining.load()) return fail(503, "the server is shutting down; send again shortly", 1);
  if (!request.is_json()) return fail(415, "Content-Type must be application/json");
  if (request.body.size() > kMaxBodyBytes) return fail(413, "the body is larger than 1 MiB; send fewer records");

  auto body = std::make_shared<ParsedBody>(parse_log_body(request.body));
  if (body->error_status != 0) return fail(body->error_status, body->error);
  if (app.limiter.enabled() && static_cast<double>(body->total) > app.limiter.burst()) {
    return fail(413, "more records than RATE_LIMIT_BURST (" + std::to_string(static_cast<long>(app.limiter.burst())) +
                         ") in one request; send fewer at a time");
  }
  const int wait = app.limiter.admit(request.client_address, body->total, records_per_client(*body));
  if (wait > 0) {
    app.metrics.count_rate_limited();
    return fail(429, "too many records from this client or address; send again after Retry-After seconds", wait);
  }

  std::vector<std::string> ids;
  std::vector<Record> records;
  for (auto& [index, record] : body->records) {
    ids.push_back(std::visit([](const auto& r) { return r.id; }, record));
    records.push_back(std::move(record));
  }
  auto answer = [&app, body, ids, response, request_id = request.request_id](const WriteOutcome* outcome) {
    if (outcome != nullptr && !outcome->committed) {
      respond_database_unavailable(response, "nothing was stored, send again later");
      return;
    }
    size_t foreign = 0;
    for (size_t i = 0; outcome != nullptr && i < outcome->refused.size(); ++i) {
      if (!outcome->refused[i].empty()) {
        log_warn("record refused by the database",
                 {{"request_id", request_id}, {"record", ids[i]}, {"error", outcome->refused[i]}});
      }
      if (!outcome->foreign.empty() && outcome->foreign[i]) ++foreign;
    }
    if (foreign > 0) app.metrics.count_foreign_feedback(foreign);
    size_t stored = 0, duplicates = 0, rejected = 0;
    const std::string json = results_json(*body, ids, outcome, request_id, stored, duplicates, rejected);
    app.metrics.count_records(stored, duplicates, rejected);
    // 422 when nothing in the request could be stored: every record is wrong.
    const int status = rejected == body->total ? 422 : 200;
    response.send_json(status, json);
  };
  if (records.empty()) {
    answer(nullptr);
    return;
  }
  // The answer waits for the commit; the writer thread sends it.
  app.writer.submit(std::move(records), [answer](WriteOutcome outcome) { answer(&outcome); });
}

}  // namespace digits::server
