// The server's HTTP side: Pistache's listener and transports carry the bytes; framing
// (http_parser.h), connections (http_connection.h) and the routing table are ours.
#pragma once

#include <pistache/listener.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <mutex>
#include <thread>
#include <vector>

#include "app.h"
#include "http_connection.h"
#include "result.h"

namespace digits::server {

// Every open connection, for the sweeper that enforces their deadlines.
class ConnectionRegistry {
 public:
  void add(const std::shared_ptr<Connection>& connection);
  // Checks every connection's deadlines and forgets the closed ones.
  void sweep(std::chrono::steady_clock::time_point now);
  void close_all();

 private:
  std::mutex mutex_;
  std::vector<std::weak_ptr<Connection>> connections_;
};

class HttpServer {
 public:
  explicit HttpServer(App& app, ConnectionOptions options = {});
  ~HttpServer() { stop(); }

  // Binds (port 0 picks a free one) and serves on background threads.
  Status start();
  uint16_t port() const;
  void stop();

 private:
  void sweep_until_stopped();

  App& app_;
  std::shared_ptr<const ConnectionOptions> options_;
  std::shared_ptr<ConnectionRegistry> registry_;
  std::unique_ptr<Pistache::Tcp::Listener> listener_;
  std::thread sweeper_;
  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
};

// Whether address is entry: an exact address, or inside an IPv4 network a.b.c.d/bits.
bool address_matches(std::string_view address, std::string_view entry);

// The client's address: the connecting one, or, when that is a trusted proxy, the
// last address in X-Forwarded-For that is not a trusted proxy itself.
std::string client_address(const HttpRequest& request, const std::vector<std::string>& trusted_proxies);

}  // namespace digits::server
