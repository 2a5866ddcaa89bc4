// The Pistache endpoint and the routing table.
#pragma once

#include <pistache/endpoint.h>
#include <pistache/router.h>

#include <cstdint>
#include <memory>

#include "app.h"
#include "result.h"

namespace digits::server {

class HttpServer {
 public:
  explicit HttpServer(App& app) : app_(app) {}
  ~HttpServer() { stop(); }

  // Binds (port 0 picks a free one) and serves on background threads.
  Status start();
  uint16_t port() const;
  void stop();

 private:
  void declare_routes();

  App& app_;
  Pistache::Rest::Router router_;
  std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
};

}  // namespace digits::server
