#include "http_server.h"

#include <chrono>

#include "handlers.h"
#include "log.h"

namespace digits::server {
namespace {

using Pistache::Http::Method;
using Handler = void (*)(App&, const Pistache::Http::Request&, Pistache::Http::ResponseWriter, Finished);

struct RouteSpec {
  Method method;
  const char* path;
  const char* name;  // the route label in metrics and logs
  Handler handler;
};

// Every route of the server. Anything else is a file of the web app.
const RouteSpec kRoutes[] = {
    {Method::Post, "/log", "log", handle_log},
    {Method::Get, "/api/history", "history", handle_history},
    {Method::Get, "/api/stats", "stats", handle_stats},
    {Method::Get, "/healthz", "healthz", handle_healthz},
    {Method::Get, "/readyz", "readyz", handle_readyz},
    {Method::Get, "/metrics", "metrics", handle_metrics},
};

// Pistache answers "Connection: close" when a request does not say; HTTP/1.1 means
// keep-alive unless told otherwise.
void keep_alive_by_default(const Pistache::Http::Request& request, Pistache::Http::ResponseWriter& response) {
  if (request.version() == Pistache::Http::Version::Http11 &&
      !request.headers().has<Pistache::Http::Header::Connection>()) {
    response.headers().remove<Pistache::Http::Header::Connection>();
    response.headers().add<Pistache::Http::Header::Connection>(Pistache::Http::ConnectionControl::KeepAlive);
  }
}

Pistache::Rest::Route::Handler bind(App& app, const char* name, Handler handler) {
  return [&app, name, handler](const Pistache::Rest::Request& request, Pistache::Http::ResponseWriter response) {
    keep_alive_by_default(request, response);
    const auto started = std::chrono::steady_clock::now();
    std::string method = Pistache::Http::methodString(request.method());
    std::string path = request.resource();
    handler(app, request, std::move(response), [&app, name, started, method, path](int status) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      app.metrics.count_request(name, status, seconds);
      if (app.config.log_requests || status >= 500) {
        log_info("request", {{"method", method}, {"path", path}, {"status", std::to_string(status)},
                             {"ms", std::to_string(seconds * 1000)}});
      }
    });
    return Pistache::Rest::Route::Result::Ok;
  };
}

}  // namespace

void HttpServer::declare_routes() {
  for (const RouteSpec& route : kRoutes) router_.addRoute(route.method, route.path, bind(app_, route.name, route.handler));
  router_.addNotFoundHandler(bind(app_, "static", handle_static));
}

Status HttpServer::start() {
  declare_routes();
  try {
    endpoint_ = std::make_unique<Pistache::Http::Endpoint>(
        Pistache::Address(app_.config.bind_address, Pistache::Port(static_cast<uint16_t>(app_.config.port))));
    endpoint_->init(Pistache::Http::Endpoint::options()
                        .threads(app_.config.threads)
                        .flags(Pistache::Tcp::Options::ReuseAddr)
                        // A /log body of 1 MiB plus its headers; larger requests get 413.
                        .maxRequestSize(kMaxBodyBytes + 64 * 1024)
                        .headerTimeout(std::chrono::seconds(20))
                        .bodyTimeout(std::chrono::seconds(60))
                        .keepaliveTimeout(std::chrono::seconds(120)));
    endpoint_->setHandler(router_.handler());
    endpoint_->serveThreaded();
  } catch (const std::exception& error) {
    endpoint_.reset();
    return Status::error("cannot listen on " + app_.config.bind_address + ":" + std::to_string(app_.config.port) +
                         ": " + error.what());
  }
  return Status::success();
}

uint16_t HttpServer::port() const { return endpoint_ ? static_cast<uint16_t>(endpoint_->getPort()) : 0; }

void HttpServer::stop() {
  if (endpoint_) {
    endpoint_->shutdown();
    endpoint_.reset();
  }
}

}  // namespace digits::server
