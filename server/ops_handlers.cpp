// Operations: liveness, readiness, metrics, and the web app's files.
#include "handlers.h"
#include "gzip.h"
#include "http_response.h"

namespace digits::server {

void handle_healthz(App&, const Pistache::Http::Request&, Pistache::Http::ResponseWriter response,
                    Finished finished) {
  finished(200);
  send_json(response, 200, "{\"status\":\"ok\"}");
}

void handle_readyz(App& app, const Pistache::Http::Request&, Pistache::Http::ResponseWriter response,
                   Finished finished) {
  const Status status = app.reads.with_connection([](pqxx::connection& connection) {
    pqxx::nontransaction(connection).exec("SELECT 1");
  });
  app.metrics.set_db_up(status.ok());
  if (app.draining.load()) {
    finished(503);
    send_json(response, 503, "{\"status\":\"draining\",\"database\":\"up\"}");
    return;
  }
  if (!status.ok()) {
    finished(503);
    send_json(response, 503, "{\"status\":\"not ready\",\"database\":\"down\",\"error\":" + json_string(status.message()) + "}",
              {{"Retry-After", "2"}});
    return;
  }
  finished(200);
  send_json(response, 200, "{\"status\":\"ready\",\"database\":\"up\"}");
}

void handle_metrics(App& app, const Pistache::Http::Request&, Pistache::Http::ResponseWriter response,
                    Finished finished) {
  finished(200);
  send_response(response, 200,
                {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}, {"Cache-Control", "no-store"}},
                app.metrics.prometheus_text());
}

void handle_static(App& app, const Pistache::Http::Request& request, Pistache::Http::ResponseWriter response,
                   Finished finished) {
  using Pistache::Http::Method;
  if (request.method() != Method::Get && request.method() != Method::Head) {
    finished(405);
    send_response(response, 405, {{"Allow", "GET, HEAD"}, {"Content-Type", "text/plain; charset=utf-8"}},
                  "only GET and HEAD\n");
    return;
  }
  const auto if_none_match = request.headers().tryGetRaw("If-None-Match");
  const StaticResponse file =
      app.files.get(request.resource(), accepts_gzip(request), if_none_match ? if_none_match->value() : "");
  Headers headers;
  if (file.status != 304) headers.emplace_back("Content-Type", file.content_type);
  if (!file.cache_control.empty()) headers.emplace_back("Cache-Control", file.cache_control);
  if (!file.etag.empty()) headers.emplace_back("ETag", file.etag);
  if (file.gzip) headers.emplace_back("Content-Encoding", "gzip");
  if (file.varies_by_encoding) headers.emplace_back("Vary", "Accept-Encoding");
  static const std::string kEmpty;
  const std::string& body = file.body ? *file.body : kEmpty;
  finished(file.status);
  if (request.method() == Method::Head) {
    send_head(response, file.status, headers, body.size());
  } else {
    send_response(response, file.status, headers, body);
  }
}

}  // namespace digits::server
