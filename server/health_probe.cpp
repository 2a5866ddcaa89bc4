#include "health_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace digits::server {
namespace {

class Socket {
 public:
  Socket() : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

Status failed(const std::string& what) { return Status::error(what + ": " + std::strerror(errno)); }

}  // namespace

Status probe_health(const Config& config, int timeout_ms) {
  // A server bound to every address is reached on loopback; one bound to a single
  // address only there.
  const std::string host =
      config.bind_address == "0.0.0.0" || config.bind_address.empty() ? "127.0.0.1" : config.bind_address;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(config.port));
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    return Status::error("BIND_ADDRESS " + host + " is not an IPv4 address");
  }
  Socket socket;
  if (socket.fd() < 0) return failed("socket");
  // On Linux the send timeout also bounds connect().
  timeval timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  setsockopt(socket.fd(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(socket.fd(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (connect(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return failed("connecting to " + host + ":" + std::to_string(config.port));
  }
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
  if (send(socket.fd(), request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    return failed("sending the request");
  }
  // The status line is all that is needed: "HTTP/1.1 200 ...".
  char reply[64];
  size_t received = 0;
  while (received < 12) {
    const ssize_t n = recv(socket.fd(), reply + received, sizeof reply - 1 - received, 0);
    if (n == 0) return Status::error("the server closed the connection without an answer");
    if (n < 0) return failed("reading the answer");
    received += static_cast<size_t>(n);
  }
  reply[received] = '\0';
  const std::string status_line(reply, std::strcspn(reply, "\r\n"));
  const size_t space = status_line.find(' ');
  if (status_line.compare(0, 5, "HTTP/") != 0 || space == std::string::npos ||
      status_line.compare(space + 1, 3, "200") != 0) {
    return Status::error("/healthz answered \"" + status_line + "\"");
  }
  return Status::success();
}

}  // namespace digits::server
