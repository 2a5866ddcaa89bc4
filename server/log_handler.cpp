// POST /log: predictions and feedback from the app's outbox.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <memory>

#include "handlers.h"
#include "http_response.h"
#include "record_parser.h"

namespace digits::server {
namespace {

using Pistache::Http::Header::ContentType;

constexpr int kRetryAfterUnavailable = 2;

bool is_json(const Pistache::Http::Request& request) {
  const auto type = request.headers().tryGet<ContentType>();
  return type && type->mime().top() == Pistache::Http::Mime::Type::Application &&
         type->mime().sub() == Pistache::Http::Mime::Subtype::Json;
}

// The client to rate-limit: the one the records name, else the connection's address.
std::string client_key(const ParsedBody& body, const Pistache::Http::Request& request) {
  for (const auto& [index, record] : body.records) {
    return std::visit([](const auto& r) { return r.client_id; }, record);
  }
  return request.address().host();
}

std::string results_json(const ParsedBody& body, const std::vector<std::string>& ids, const WriteOutcome* outcome,
                         size_t& stored, size_t& duplicates, size_t& rejected) {
  // status per request index: stored/duplicate from the outcome, rejected from validation
  std::vector<const Rejection*> rejections(body.total, nullptr);
  for (const Rejection& r : body.rejected) rejections[r.index] = &r;
  std::vector<int> accepted_at(body.total, -1);
  for (size_t i = 0; i < body.records.size(); ++i) accepted_at[body.records[i].first] = static_cast<int>(i);

  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> json(buffer);
  json.StartObject();
  json.Key("results");
  json.StartArray();
  stored = duplicates = rejected = 0;
  for (size_t index = 0; index < body.total; ++index) {
    json.StartObject();
    json.Key("index");
    json.Uint64(index);
    const int at = accepted_at[index];
    const std::string* refusal = at >= 0 && outcome != nullptr && !outcome->refused[at].empty() ? &outcome->refused[at]
                                                                                              : nullptr;
    const std::string& id = at >= 0 ? ids[at] : rejections[index]->id;
    if (!id.empty()) {
      json.Key("id");
      json.String(id.c_str());
    }
    json.Key("status");
    if (at >= 0 && refusal == nullptr) {
      const bool is_new = outcome->stored[at];
      json.String(is_new ? "stored" : "duplicate");
      ++(is_new ? stored : duplicates);
    } else {
      json.String("rejected");
      json.Key("field");
      json.String(refusal != nullptr ? "" : rejections[index]->field.c_str());
      json.Key("error");
      json.String(refusal != nullptr ? refusal->c_str() : rejections[index]->error.c_str());
      ++rejected;
    }
    json.EndObject();
  }
  json.EndArray();
  json.Key("received");
  json.Uint64(body.total);
  json.Key("stored");
  json.Uint64(stored);
  json.Key("duplicates");
  json.Uint64(duplicates);
  json.Key("rejected");
  json.Uint64(rejected);
  json.EndObject();
  return buffer.GetString();
}

}  // namespace

void handle_log(App& app, const Pistache::Http::Request& request, Pistache::Http::ResponseWriter response,
                Finished finished) {
  auto fail = [&](int status, const std::string& message, int retry_after = 0) {
    finished(status);
    send_error(response, status, message, retry_after);
  };
  if (app.draining.load()) return fail(503, "the server is shutting down; send again shortly", 1);
  if (!is_json(request)) return fail(415, "Content-Type must be application/json");
  if (request.body().size() > kMaxBodyBytes) return fail(413, "the body is larger than 1 MiB; send fewer records");

  auto body = std::make_shared<ParsedBody>(parse_log_body(request.body()));
  if (body->error_status != 0) return fail(body->error_status, body->error);
  const int wait = app.limiter.admit(client_key(*body, request));
  if (wait > 0) {
    app.metrics.count_rate_limited();
    return fail(429, "too many requests from this client; slow down", wait);
  }

  std::vector<std::string> ids;
  std::vector<Record> records;
  for (auto& [index, record] : body->records) {
    ids.push_back(std::visit([](const auto& r) { return r.id; }, record));
    records.push_back(std::move(record));
  }
  auto answer = [&app, body, ids, finished](Pistache::Http::ResponseWriter& writer, const WriteOutcome* outcome) {
    if (outcome != nullptr && !outcome->committed) {
      finished(503);
      send_error(writer, 503, "the database is unavailable; nothing was stored, send again later",
                 kRetryAfterUnavailable);
      return;
    }
    size_t stored = 0, duplicates = 0, rejected = 0;
    const std::string json = results_json(*body, ids, outcome, stored, duplicates, rejected);
    app.metrics.count_records(stored, duplicates, rejected);
    // 422 when nothing in the request could be stored: every record is wrong.
    const int status = rejected == body->total ? 422 : 200;
    finished(status);
    send_json(writer, status, json);
  };
  if (records.empty()) {
    answer(response, nullptr);
    return;
  }
  // The answer waits for the commit; the writer thread sends it.
  auto writer = std::make_shared<Pistache::Http::ResponseWriter>(std::move(response));
  app.writer.submit(std::move(records), [writer, answer](WriteOutcome outcome) { answer(*writer, &outcome); });
}

}  // namespace digits::server
