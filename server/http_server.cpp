#include "http_server.h"

#include <arpa/inet.h>
#include <pistache/tcp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "handlers.h"
#include "log.h"

namespace digits::server {
namespace {

using Handler = void (*)(App&, const HttpRequest&, Responder);

struct RouteSpec {
  const char* method;
  const char* path;
  const char* name;  // the route label in metrics and logs
  Handler handler;
};

// Every route of the server. Anything else is a file of the web app. Each GET route
// takes HEAD too (as HTTP asks of every server; uptime monitors send it): the handler
// answers as for GET and the connection leaves the body out.
const RouteSpec kRoutes[] = {
    {"POST", "/log", "log", handle_log},
    {"GET", "/api/history", "history", handle_history},
    {"DELETE", "/api/history", "delete_history", handle_delete_history},
    {"GET", "/api/stats", "stats", handle_stats},
    {"GET", "/healthz", "healthz", handle_healthz},
    {"GET", "/readyz", "readyz", handle_readyz},
    {"GET", "/metrics", "metrics", handle_metrics},
};
const RouteSpec kStatic = {"GET", "", "static", handle_static};

// A route's path asked for with another method: Allow lists every method it takes.
void method_not_allowed(const RouteSpec& route, Responder response) {
  std::string allowed;
  for (const RouteSpec& candidate : kRoutes) {
    if (std::string_view(candidate.path) != route.path) continue;
    allowed += (allowed.empty() ? "" : ", ") + std::string(candidate.method);
    if (std::string_view(candidate.method) == "GET") allowed += ", HEAD";
  }
  response.send(405, {{"Allow", allowed}, {"Content-Type", "text/plain; charset=utf-8"}},
                std::string(route.path) + " takes " + allowed + " only\n");
}

// Unique within a process, and across restarts by its start-time prefix.
std::string next_request_id() {
  static const std::string prefix = [] {
    char text[17];
    std::snprintf(text, sizeof(text), "%08llx", static_cast<unsigned long long>(std::time(nullptr)) & 0xffffffffULL);
    return std::string(text);
  }();
  static std::atomic<uint64_t> counter{0};
  return prefix + "-" + std::to_string(counter.fetch_add(1, std::memory_order_relaxed) + 1);
}

// Routes a framed request and counts its answer (status, time) in metrics and logs.
Connection::Dispatch make_dispatch(App& app) {
  return [&app](HttpRequest& request, Responder response, Responder::Observer& observer) {
    const RouteSpec* route = &kStatic;
    const RouteSpec* other_method = nullptr;
    for (const RouteSpec& candidate : kRoutes) {
      if (request.path != candidate.path) continue;
      const bool takes = request.method == candidate.method ||
                         (request.method == "HEAD" && std::string_view(candidate.method) == "GET");
      (takes ? route : other_method) = &candidate;
    }
    const bool wrong_method = route == &kStatic && other_method != nullptr;
    request.client_address = client_address(request, app.config.trusted_proxies);
    request.request_id = next_request_id();
    const auto started = std::chrono::steady_clock::now();
    const char* name = wrong_method ? other_method->name : route->name;  // a 405 counts under its route
    observer = [&app, name, started, method = request.method, path = request.path](int status) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      app.metrics.count_request(name, status, seconds);
      if (app.config.log_requests || status >= 500) {
        log_info("request", {{"method", method}, {"path", path}, {"status", std::to_string(status)},
                             {"ms", std::to_string(seconds * 1000)}});
      }
    };
    if (wrong_method) return method_not_allowed(*other_method, std::move(response));
    route->handler(app, request, std::move(response));
  };
}

// Pistache's transports call one clone of this per worker thread; the connection
// itself is kept on the peer.
class TcpHandler final : public Pistache::Tcp::Handler {
 public:
  PROTOTYPE_OF(Pistache::Tcp::Handler, TcpHandler)

  TcpHandler(std::shared_ptr<const ConnectionOptions> options, std::shared_ptr<const Connection::Dispatch> dispatch,
             std::shared_ptr<ConnectionRegistry> registry)
      : options_(std::move(options)), dispatch_(std::move(dispatch)), registry_(std::move(registry)) {}

  void onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override {
    auto connection = std::make_shared<Connection>(peer, options_, dispatch_);
    peer->putData(kKey, connection);
    registry_->add(connection);
  }

  void onInput(const char* buffer, size_t length, const std::shared_ptr<Pistache::Tcp::Peer>& peer) override {
    if (const auto connection = of(peer)) connection->on_input(buffer, length);
  }

  void onDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override {
    if (const auto connection = of(peer)) connection->on_disconnected();
  }

 private:
  static constexpr const char* kKey = "digits.connection";
  static std::shared_ptr<Connection> of(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
    return std::static_pointer_cast<Connection>(peer->tryGetData(kKey));
  }

  std::shared_ptr<const ConnectionOptions> options_;
  std::shared_ptr<const Connection::Dispatch> dispatch_;
  std::shared_ptr<ConnectionRegistry> registry_;
};

}  // namespace

void ConnectionRegistry::add(const std::shared_ptr<Connection>& connection) {
  std::lock_guard<std::mutex> lock(mutex_);
  connections_.push_back(connection);
}

void ConnectionRegistry::sweep(std::chrono::steady_clock::time_point now) {
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto kept = connections_.begin();
    for (auto& weak : connections_) {
      if (auto connection = weak.lock(); connection && !connection->closed()) {
        open.push_back(connection);
        if (&*kept != &weak) *kept = std::move(weak);  // (a weak_ptr moved onto itself empties)
        ++kept;
      }
    }
    connections_.erase(kept, connections_.end());
  }
  // Outside the registry's lock: a deadline may write a 408.
  for (const auto& connection : open) connection->check_deadlines(now);
}

void ConnectionRegistry::close_all() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& weak : connections_) {
    if (auto connection = weak.lock()) connection->close();
  }
  connections_.clear();
}

bool address_matches(std::string_view address, std::string_view entry) {
  const size_t slash = entry.find('/');
  if (slash == std::string_view::npos) return address == entry;
  // An IPv4 network, a.b.c.d/bits.
  in_addr network{}, candidate{};
  const std::string base(entry.substr(0, slash)), bits_text(entry.substr(slash + 1));
  char* end = nullptr;
  const long bits = std::strtol(bits_text.c_str(), &end, 10);
  if (bits_text.empty() || *end != '\0' || bits < 0 || bits > 32 || inet_pton(AF_INET, base.c_str(), &network) != 1 ||
      inet_pton(AF_INET, std::string(address).c_str(), &candidate) != 1) {
    return false;
  }
  const uint32_t mask = bits == 0 ? 0 : htonl(~uint32_t{0} << (32 - bits));
  return (network.s_addr & mask) == (candidate.s_addr & mask);
}

std::string client_address(const HttpRequest& request, const std::vector<std::string>& trusted_proxies) {
  auto trusted = [&](std::string_view address) {
    return std::any_of(trusted_proxies.begin(), trusted_proxies.end(),
                       [&](const std::string& entry) { return address_matches(address, entry); });
  };
  if (!trusted(request.peer_address)) return request.peer_address;
  const std::string* forwarded = request.header("x-forwarded-for");
  if (forwarded == nullptr) return request.peer_address;
  // Each proxy appends the address it was reached from: read from the right, past
  // our own proxies; whatever lies further left was written by the client.
  std::string_view rest = *forwarded;
  while (!rest.empty()) {
    const size_t comma = rest.rfind(',');
    std::string_view address = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    while (!address.empty() && address.front() == ' ') address.remove_prefix(1);
    while (!address.empty() && address.back() == ' ') address.remove_suffix(1);
    if (!address.empty() && !trusted(address)) return std::string(address);
  }
  return request.peer_address;
}

HttpServer::HttpServer(App& app, ConnectionOptions options)
    : app_(app),
      options_(std::make_shared<const ConnectionOptions>(options)),
      registry_(std::make_shared<ConnectionRegistry>()) {}

Status HttpServer::start() {
  try {
    listener_ = std::make_unique<Pistache::Tcp::Listener>(
        Pistache::Address(app_.config.bind_address, Pistache::Port(static_cast<uint16_t>(app_.config.port))));
    listener_->init(static_cast<size_t>(app_.config.threads),
                    Pistache::Flags<Pistache::Tcp::Options>(Pistache::Tcp::Options::ReuseAddr));
    auto dispatch = std::make_shared<const Connection::Dispatch>(make_dispatch(app_));
    listener_->setHandler(std::make_shared<TcpHandler>(options_, dispatch, registry_));
    listener_->bind();
    listener_->runThreaded();
  } catch (const std::exception& error) {
    listener_.reset();
    return Status::error("cannot listen on " + app_.config.bind_address + ":" + std::to_string(app_.config.port) +
                         ": " + error.what());
  }
  sweeper_ = std::thread([this] { sweep_until_stopped(); });
  return Status::success();
}

void HttpServer::sweep_until_stopped() {
  std::unique_lock<std::mutex> lock(stop_mutex_);
  while (!stop_signal_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stopping_; })) {
    lock.unlock();
    registry_->sweep(std::chrono::steady_clock::now());
    lock.lock();
  }
}

uint16_t HttpServer::port() const { return listener_ ? static_cast<uint16_t>(listener_->getPort()) : 0; }

void HttpServer::stop() {
  if (!listener_) return;
  {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    stopping_ = true;
  }
  stop_signal_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
  registry_->close_all();
  listener_->shutdown();
  listener_.reset();
}

}  // namespace digits::server
