// One client connection: bytes in, framed requests out to the router, answers back in
// order. Pistache's transport calls on_input and on_disconnected on its thread; answers
// may come from any thread (POST /log answers from the writer thread after the commit).
//
// A connection handles one request at a time: a client that pipelines gets its
// answers in order, each request framed only after the previous one was answered.
// Slow clients are bounded by deadlines (check_deadlines, from the server's sweeper):
// a head must arrive within head_timeout of its first byte, a body within
// body_timeout, and an idle connection closes after idle_timeout.
#pragma once

#include <pistache/peer.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "http_parser.h"
#include "http_request.h"
#include "http_response.h"

namespace digits::server {

class Connection;

// How the handler of one request answers it: once, from any thread. A copy of the
// Responder answers the same request; calls after the first do nothing.
class Responder {
 public:
  // Called with the status just before the answer is written (metrics and logs).
  using Observer = std::function<void(int status)>;

  void send(int status, const Headers& headers, const std::string& body) const;
  // HEAD: the headers a GET would carry, its Content-Length, no body.
  void send_head(int status, const Headers& headers, size_t content_length) const;
  void send_json(int status, const std::string& json, Headers headers = {}) const;
  // {"error": message}, with Retry-After when retry_after_seconds > 0.
  void send_error(int status, const std::string& message, int retry_after_seconds = 0) const;

 private:
  friend class Connection;
  struct Exchange;
  explicit Responder(std::shared_ptr<Exchange> exchange) : exchange_(std::move(exchange)) {}
  void finish(int status, std::string bytes) const;
  std::shared_ptr<Exchange> exchange_;
};

struct ConnectionOptions {
  HttpLimits limits;
  std::chrono::milliseconds head_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds idle_timeout{60000};
  // After a refusal, how long the client's remaining bytes are read and dropped before
  // the socket closes: closing with unread input would reset the connection and could
  // destroy the refusal before the client reads it.
  std::chrono::milliseconds linger{1000};
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // dispatch(request, responder, observer): routes a framed request; the router sets
  // observer to count the answer.
  using Dispatch = std::function<void(HttpRequest&, Responder, Responder::Observer&)>;

  Connection(const std::shared_ptr<Pistache::Tcp::Peer>& peer, std::shared_ptr<const ConnectionOptions> options,
             std::shared_ptr<const Dispatch> dispatch);

  void on_input(const char* data, size_t size);
  void on_disconnected();
  // Answers 408 and closes when the client is too slow; closes when idle too long.
  void check_deadlines(std::chrono::steady_clock::time_point now);
  // Stops reading and closes the socket (server shutdown).
  void close();
  bool closed() const;

 private:
  friend class Responder;
  using Clock = std::chrono::steady_clock;

  // Frames and dispatches the next request if one is ready and none is being answered.
  void process();
  // Bytes on their way to the client; interim: a 100 Continue, not an answer.
  struct Outgoing {
    std::string bytes;
    bool close_after;
    bool interim;
  };
  // Writes an answer; then either closes, or frames the next request.
  void write(std::string bytes, bool close_after);
  // Writes an answer on the calling thread when it ends the exchange and the socket takes
  // it whole, else through the transport; never called with the mutex held.
  void transmit(Outgoing outgoing);
  void transport_write_done();
  void after_write(bool close_after);
  // The answer is out: closes when it was the last; true when a next request may be framed.
  bool answered_locked(bool close_after);
  // The answer to a request the parser refused (or a timeout); closes after it.
  Outgoing refuse_locked(int status, const std::string& reason);
  std::optional<Outgoing> deadline_locked(Clock::time_point now);
  // Half-closes: the answer leaves, input is dropped until the client closes or the
  // linger time ends (mutex held).
  void begin_close_locked();
  void shutdown_locked();

  std::weak_ptr<Pistache::Tcp::Peer> peer_;
  int fd_;
  std::shared_ptr<const ConnectionOptions> options_;
  std::shared_ptr<const Dispatch> dispatch_;
  std::string peer_address_;

  mutable std::mutex mutex_;
  std::string buffer_;
  size_t awaited_ = 0;          // bytes the request being received needs in all, once its head is known
  bool answering_ = false;      // a request was dispatched and its answer is not written yet
  bool closing_ = false;        // no more requests: the last answer is on its way, or none
  bool lingering_ = false;      // half-closed, dropping input
  bool closed_ = false;         // shut down, or the client went away
  bool continue_sent_ = false;
  int transport_writes_ = 0;    // answers handed to the transport and not written yet
  Clock::time_point head_started_{};   // first byte of the request being received, or none
  Clock::time_point body_started_{};   // its head complete, body awaited, or none
  Clock::time_point idle_since_;
  Clock::time_point linger_since_{};
};

}  // namespace digits::server
