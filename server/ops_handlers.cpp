// Operations: liveness, readiness, metrics, and the web app's files.
#include "handlers.h"
#include "gzip.h"
#include "http_response.h"
#include "log.h"

namespace digits::server {

void handle_healthz(App&, const HttpRequest&, Responder response) {
  response.send_json(200, "{\"status\":\"ok\"}");
}

void handle_readyz(App& app, const HttpRequest& request, Responder response) {
  app.reads.submit([](pqxx::connection& connection) { pqxx::nontransaction(connection).exec("SELECT 1"); },
                   [&app, request_id = request.request_id, response](const Status& status) {
                     app.metrics.set_db_up(status.ok());
                     if (app.draining.load()) {
                       response.send_json(503, "{\"status\":\"draining\",\"database\":\"up\"}");
                       return;
                     }
                     if (!status.ok()) {
                       // Why the database cannot be reached is for the operator's log, not for anyone asking.
                       log_warn("not ready: the database is unavailable",
                                {{"request_id", request_id}, {"error", status.message()}});
                       response.send_json(503, "{\"status\":\"not ready\",\"database\":\"down\"}",
                                          {{"Retry-After", std::to_string(kDatabaseRetrySeconds)}});
                       return;
                     }
                     response.send_json(200, "{\"status\":\"ready\",\"database\":\"up\"}");
                   });
}

void handle_metrics(App& app, const HttpRequest&, Responder response) {
  response.send(200, {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}, {"Cache-Control", "no-store"}},
                app.metrics.prometheus_text());
}

void handle_static(App& app, const HttpRequest& request, Responder response) {
  const bool head = request.method == "HEAD";
  if (request.method != "GET" && !head) {
    response.send(405, {{"Allow", "GET, HEAD"}, {"Content-Type", "text/plain; charset=utf-8"}}, "only GET and HEAD\n");
    return;
  }
  const std::string* if_none_match = request.header("if-none-match");
  const StaticResponse file = app.files.get(request.path, {request.accepts_gzip(), request.accepts_brotli()},
                                            if_none_match ? *if_none_match : "");
  Headers headers;
  if (file.status != 304) headers.emplace_back("Content-Type", file.content_type);
  if (!file.cache_control.empty()) headers.emplace_back("Cache-Control", file.cache_control);
  if (!file.etag.empty()) headers.emplace_back("ETag", file.etag);
  if (!file.encoding.empty()) headers.emplace_back("Content-Encoding", std::string(file.encoding));
  if (file.varies_by_encoding) headers.emplace_back("Vary", "Accept-Encoding");
  static const std::string kEmpty;
  const std::string& body = file.body ? *file.body : kEmpty;
  if (head) {
    response.send_head(file.status, headers, body.size());
  } else {
    response.send(file.status, headers, body);
  }
}

}  // namespace digits::server
