#include "http_connection.h"

#include <sys/socket.h>

#include <cstring>

#include "log.h"

namespace digits::server {

struct Responder::Exchange {
  std::weak_ptr<Connection> connection;
  bool keep_alive = true;
  bool head = false;  // HEAD: whatever the handler answers goes out without its body
  Responder::Observer observer;
  std::atomic<bool> answered{false};
};

void Responder::finish(int status, std::string bytes) const {
  if (exchange_->answered.exchange(true)) return;
  if (exchange_->observer) exchange_->observer(status);
  if (const std::shared_ptr<Connection> connection = exchange_->connection.lock()) {
    connection->write(std::move(bytes), !exchange_->keep_alive);
  }
}

void Responder::send(int status, const Headers& headers, const std::string& body) const {
  if (exchange_->head) return send_head(status, headers, body.size());
  finish(status, serialize_response(status, headers, body, body.size(), exchange_->keep_alive));
}

void Responder::send_head(int status, const Headers& headers, size_t content_length) const {
  finish(status, serialize_response(status, headers, {}, content_length, exchange_->keep_alive));
}

void Responder::send_json(int status, const std::string& json, Headers headers) const {
  headers.emplace_back("Content-Type", "application/json");
  headers.emplace_back("Cache-Control", "no-store");
  send(status, headers, json);
}

void Responder::send_error(int status, const std::string& message, int retry_after_seconds) const {
  Headers headers;
  if (retry_after_seconds > 0) headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  send_json(status, "{\"error\":" + json_string(message) + "}", std::move(headers));
}

Connection::Connection(const std::shared_ptr<Pistache::Tcp::Peer>& peer,
                       std::shared_ptr<const ConnectionOptions> options, std::shared_ptr<const Dispatch> dispatch)
    : peer_(peer),
      fd_(peer->fd()),
      options_(std::move(options)),
      dispatch_(std::move(dispatch)),
      peer_address_(peer->address().host()),
      idle_since_(Clock::now()) {}

void Connection::on_input(const char* data, size_t size) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_ || closing_) return;  // a refused or finished connection: its input is dropped
    if (buffer_.empty() && !answering_) head_started_ = Clock::now();
    const bool had_line_break = buffer_.find('\n') != std::string::npos;
    buffer_.append(data, size);
    // A pipelining client may send ahead, but not without bound: what arrives while an
    // answer is pending can be at most one more request.
    const size_t most = options_->limits.max_head + options_->limits.max_body;
    if (answering_) {
      if (buffer_.size() > most) closing_ = true;  // answered, then closed
      return;
    }
    // Framing again is only worth it when it can decide something: a line ended, the
    // awaited body is complete, a limit is passed, or the request line is still short
    // enough that a bad byte in it is refused at once.
    const bool decides = awaited_ > 0 ? buffer_.size() >= awaited_
                                      : !had_line_break || std::memchr(data, '\n', size) != nullptr ||
                                            buffer_.size() > options_->limits.max_head;
    if (!decides) return;
  }
  process();
}

void Connection::process() {
  HttpRequest request;
  std::shared_ptr<Responder::Exchange> exchange;
  std::optional<Outgoing> outgoing;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_ || closing_ || answering_ || buffer_.empty()) return;
    ParseOutcome outcome = parse_request(buffer_, options_->limits);
    if (outcome.kind == ParseOutcome::Kind::refused) {
      outgoing = refuse_locked(outcome.status, outcome.reason);
    } else if (outcome.kind == ParseOutcome::Kind::incomplete) {
      if (!outcome.head_complete) return;
      awaited_ = outcome.consumed;
      if (body_started_ == Clock::time_point{}) body_started_ = Clock::now();
      if (!outcome.expects_continue || continue_sent_) return;
      continue_sent_ = true;
      outgoing = Outgoing{"HTTP/1.1 100 Continue\r\n\r\n", false, true};
    } else {
      buffer_.erase(0, outcome.consumed);
      request = std::move(outcome.request);
      request.peer_address = peer_address_;
      answering_ = true;
      awaited_ = 0;
      continue_sent_ = false;
      head_started_ = body_started_ = Clock::time_point{};
      exchange = std::make_shared<Responder::Exchange>();
      exchange->connection = weak_from_this();
      exchange->keep_alive = request.keep_alive;
      exchange->head = request.method == "HEAD";
    }
  }
  // Outside the lock: writing may call back at once, and the handler may answer at once.
  if (outgoing) return transmit(std::move(*outgoing));
  (*dispatch_)(request, Responder(exchange), exchange->observer);
}

void Connection::write(std::string bytes, bool close_after) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return;
    if (close_after) closing_ = true;
  }
  transmit(Outgoing{std::move(bytes), close_after, false});
}

void Connection::transmit(Outgoing outgoing) {
  const std::shared_ptr<Pistache::Tcp::Peer> peer = peer_.lock();
  if (!peer) return;
  size_t written = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return;
    // Handing an answer to Pistache costs a wake-up of its thread (it queues every write
    // for that thread), so an answer that ends the exchange is written here, on the
    // answering thread: when nothing of this connection waits in the transport (order)
    // and no next request has arrived (this thread, maybe the database writer, must not
    // go on to frame and dispatch it). The descriptor is open while the mutex is held
    // and closed_ is false: the transport closes it only after on_disconnected.
    if (transport_writes_ == 0 && buffer_.empty() && !outgoing.interim) {
      const ssize_t sent = ::send(fd_, outgoing.bytes.data(), outgoing.bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (sent > 0) written = static_cast<size_t>(sent);
      if (written == outgoing.bytes.size()) {
        answered_locked(outgoing.close_after);  // nothing to frame: the buffer is empty
        return;
      }
    }
    // The rest (a full socket buffer, or an error the transport then reports) goes in order
    // behind anything queued before it.
    ++transport_writes_;
  }
  outgoing.bytes.erase(0, written);
  const std::weak_ptr<Connection> self = weak_from_this();
  const bool close_after = outgoing.close_after, interim = outgoing.interim;
  const size_t length = outgoing.bytes.size();
  // Never under the mutex: a write that already finished runs its callback right here.
  peer->send(Pistache::RawBuffer(std::move(outgoing.bytes), length))
      .then(
          [self, close_after, interim](ssize_t) {
            const auto connection = self.lock();
            if (!connection) return;
            connection->transport_write_done();
            if (!interim) connection->after_write(close_after);
          },
          [self](std::exception_ptr) {
            if (const auto connection = self.lock()) {
              connection->transport_write_done();
              connection->close();
            }
          });
}

void Connection::transport_write_done() {
  std::lock_guard<std::mutex> lock(mutex_);
  --transport_writes_;
}

void Connection::after_write(bool close_after) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!answered_locked(close_after)) return;
  }
  process();  // a pipelined request may be waiting
}

bool Connection::answered_locked(bool close_after) {
  answering_ = false;
  idle_since_ = Clock::now();
  if (closed_) return false;
  if (close_after || closing_) {
    begin_close_locked();
    return false;
  }
  if (!buffer_.empty()) head_started_ = Clock::now();
  return true;
}

Connection::Outgoing Connection::refuse_locked(int status, const std::string& reason) {
  buffer_.clear();
  closing_ = true;
  answering_ = true;  // the refusal is the last answer; after_write closes
  const std::string body = "{\"error\":" + json_string(reason) + "}";
  return Outgoing{serialize_response(status, {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}},
                                     body, body.size(), false),
                  true, false};
}

void Connection::begin_close_locked() {
  if (lingering_ || closed_) return;
  lingering_ = true;
  linger_since_ = Clock::now();
  buffer_.clear();
  ::shutdown(fd_, SHUT_WR);  // the answer leaves, then FIN; the client sees a clean end
}

void Connection::shutdown_locked() {
  if (closed_) return;
  // The transport then reads the end of the stream, tells the handler and closes the
  // descriptor; it is never closed here, so it cannot be reused under the transport.
  ::shutdown(fd_, SHUT_RDWR);
  closed_ = true;
}

void Connection::check_deadlines(Clock::time_point now) {
  std::optional<Outgoing> outgoing;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    outgoing = deadline_locked(now);
  }
  if (outgoing) transmit(std::move(*outgoing));
}

std::optional<Connection::Outgoing> Connection::deadline_locked(Clock::time_point now) {
  if (closed_) return std::nullopt;
  const ConnectionOptions& options = *options_;
  if (lingering_) {
    if (now - linger_since_ > options.linger) shutdown_locked();
    return std::nullopt;
  }
  if (answering_ || closing_) return std::nullopt;  // the server's turn: not the client's delay
  if (body_started_ != Clock::time_point{} && now - body_started_ > options.body_timeout) {
    return refuse_locked(408, "the body did not arrive in time; send it at once after the headers");
  }
  if (body_started_ == Clock::time_point{} && head_started_ != Clock::time_point{} &&
      now - head_started_ > options.head_timeout) {
    return refuse_locked(408, "the request's headers did not arrive in time");
  }
  if (buffer_.empty() && head_started_ == Clock::time_point{} && now - idle_since_ > options.idle_timeout) {
    shutdown_locked();
  }
  return std::nullopt;
}

void Connection::on_disconnected() {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = true;
  buffer_.clear();
}

void Connection::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  shutdown_locked();
}

bool Connection::closed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return closed_;
}

}  // namespace digits::server
