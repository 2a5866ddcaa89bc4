// What hostile or broken clients send: bad framing, oversized parts, slow and idle
// connections, other people's ids. Every case is answered within a second of its last
// byte with a 4xx that says why, and /healthz keeps answering.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "http_server.h"
#include "support.h"

using namespace digits::test;
using Clock = std::chrono::steady_clock;

namespace {

// A raw connection: bytes as they are, answers as they come, and whether it closed.
class Raw {
 public:
  // receive_buffer: a small one (bytes) makes the server's writes stop part-way.
  explicit Raw(int port, int receive_buffer = 0) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    if (receive_buffer > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  }
  ~Raw() { close(fd_); }

  // False when the server stopped reading (it answered and closed).
  bool send_all(const std::string& bytes) {
    for (size_t sent = 0; sent < bytes.size();) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // One byte per segment, a pause between: every split a network can make.
  void send_byte_by_byte(const std::string& bytes, std::chrono::milliseconds pause) {
    const int on = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    for (const char byte : bytes) {
      REQUIRE(::send(fd_, &byte, 1, MSG_NOSIGNAL) == 1);
      std::this_thread::sleep_for(pause);
    }
  }

  // Reads until `count` whole answers arrived (by Content-Length), the server closed,
  // or the time is up; returns what arrived.
  std::string read_answers(int count, std::chrono::milliseconds within = std::chrono::milliseconds(3000)) {
    const auto deadline = Clock::now() + within;
    while (answers_in(received_) < count && !closed_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) break;
      pollfd ready{fd_, POLLIN, 0};
      if (poll(&ready, 1, static_cast<int>(left)) <= 0) break;
      char chunk[65536];
      const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      received_.append(chunk, static_cast<size_t>(n));
    }
    return received_;
  }

  // Whether the server closes the connection within the time.
  bool closes_within(std::chrono::milliseconds within) {
    const auto deadline = Clock::now() + within;
    while (!closed_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      pollfd ready{fd_, POLLIN, 0};
      if (poll(&ready, 1, static_cast<int>(left)) <= 0) return false;
      char chunk[65536];
      const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) closed_ = true;
      if (n > 0) received_.append(chunk, static_cast<size_t>(n));
    }
    return true;
  }

  static int answers_in(const std::string& text) {
    int answers = 0;
    for (size_t at = 0;;) {
      const size_t end = text.find("\r\n\r\n", at);
      if (end == std::string::npos) return answers;
      const std::string head = text.substr(at, end - at);
      const size_t length_at = head.find("Content-Length: ");
      const size_t length = length_at == std::string::npos ? 0 : std::stoul(head.substr(length_at + 16));
      const bool interim = head.rfind("HTTP/1.1 100 ", 0) == 0;
      if (text.size() < end + 4 + length) return answers;
      if (!interim) ++answers;
      at = end + 4 + length;
    }
  }

 private:
  int fd_;
  std::string received_;
  bool closed_ = false;
};

int status_of(const std::string& answer) { return answer.size() >= 12 ? std::stoi(answer.substr(9, 3)) : 0; }

// Sends a request and returns (status, seconds from its last byte to the answer).
std::pair<int, double> timed(int port, const std::string& request, std::string* answer = nullptr) {
  Raw raw(port);
  raw.send_all(request);
  const auto sent = Clock::now();
  const std::string text = raw.read_answers(1);
  if (answer) *answer = text;
  return {status_of(text), std::chrono::duration<double>(Clock::now() - sent).count()};
}

// /healthz answered within a second.
bool healthy(int port) {
  const auto started = Clock::now();
  const bool ok = http(port, "GET", "/healthz").status == 200;
  return ok && Clock::now() - started < std::chrono::seconds(1);
}

}  // namespace

TEST_CASE("framing the server cannot trust is refused at once, and the connection closed") {
  LocalServer server;
  const int port = server.port();
  struct Case {
    const char* what;
    std::string request;
    int status;
  };
  const std::string post = "POST /log HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
  const std::vector<Case> cases = {
      {"garbage", "GARBAGE\r\n\r\n", 400},
      {"a control character in the method", std::string("GE\x01T / HTTP/1.1\r\n", 16), 400},
      {"HTTP/2 on a 1.1 connection", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
      {"no Host", "GET /healthz HTTP/1.1\r\n\r\n", 400},
      {"two Hosts", "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"a bare LF", "GET /healthz HTTP/1.1\nHost: x\n\n", 400},
      {"a folded header", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  2\r\n\r\n", 400},
      {"a space before the colon", "GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n", 400},
      {"two different Content-Lengths", post + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400},
      {"Content-Length and Transfer-Encoding", post + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}", 400},
      {"chunked", post + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 411},
      {"Content-Length -1", post + "Content-Length: -1\r\n\r\n", 400},
      {"Content-Length of 20 digits", post + "Content-Length: 99999999999999999999\r\n\r\n", 400},
      {"a body announced as 100 MB", post + "Content-Length: 100000000\r\n\r\n", 413},
      {"a 1 MiB request line", "GET /" + std::string(1 << 20, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
      {"32 KiB of headers", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(32 * 1024, 'b') + "\r\n\r\n", 431},
      {"200 headers", [] {
         std::string request = "GET / HTTP/1.1\r\nHost: x\r\n";
         for (int i = 0; i < 200; ++i) request += "X-" + std::to_string(i) + ": 1\r\n";
         return request + "\r\n";
       }(),
       431},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    Raw raw(port);
    raw.send_all(c.request);
    const auto sent = Clock::now();
    const std::string answer = raw.read_answers(1);
    CHECK(Clock::now() - sent < std::chrono::seconds(1));
    CHECK(status_of(answer) == c.status);
    CHECK(answer.find("\"error\":") != std::string::npos);
    CHECK(answer.find("Connection: close") != std::string::npos);
    CHECK(raw.closes_within(std::chrono::milliseconds(1000)));
    CHECK(healthy(port));
  }
}

TEST_CASE("long request lines cost linear time: eight 1 MiB URLs at once leave /healthz answering") {
  LocalServer server;
  std::vector<std::thread> attackers;
  std::vector<int> statuses(8);
  for (int i = 0; i < 8; ++i) {
    attackers.emplace_back([&, i] {
      statuses[i] = timed(server.port(), "GET /" + std::string(1 << 20, 'z') + " HTTP/1.1\r\nHost: x\r\n\r\n").first;
    });
  }
  for (int i = 0; i < 5; ++i) CHECK(healthy(server.port()));
  for (auto& attacker : attackers) attacker.join();
  for (int status : statuses) CHECK(status == 414);
}

TEST_CASE("Connection: close and HTTP/1.0 end the connection after the answer; keep-alive keeps it") {
  LocalServer server;
  {
    Raw raw(server.port());
    raw.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(status_of(raw.read_answers(1)) == 200);
    CHECK(raw.closes_within(std::chrono::milliseconds(1000)));
  }
  {
    Raw raw(server.port());
    raw.send_all("GET /healthz HTTP/1.0\r\n\r\n");
    CHECK(status_of(raw.read_answers(1)) == 200);
    CHECK(raw.closes_within(std::chrono::milliseconds(1000)));
  }
  {
    Raw raw(server.port());
    raw.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(status_of(raw.read_answers(1)) == 200);
    CHECK_FALSE(raw.closes_within(std::chrono::milliseconds(300)));
    raw.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(Raw::answers_in(raw.read_answers(2)) == 2);
  }
}

TEST_CASE("pipelined requests are all answered, in order") {
  LocalServer server;
  Raw raw(server.port());
  const std::string body = batch({prediction_json(new_uuid(), "pipeline")});
  raw.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
               "POST /log HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body +
               "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
               "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string answers = raw.read_answers(4);
  REQUIRE(Raw::answers_in(answers) == 4);
  std::vector<int> statuses;
  for (size_t at = 0; (at = answers.find("HTTP/1.1 ", at)) != std::string::npos; at += 9) {
    statuses.push_back(std::stoi(answers.substr(at + 9, 3)));
  }
  CHECK(statuses == std::vector<int>{200, 200, 404, 200});
  CHECK(raw.closes_within(std::chrono::milliseconds(1000)));
}

TEST_CASE("a client that reads slowly gets a large file whole, and the answer it asks for next after it") {
  LocalServer server;
  Raw raw(server.port(), 4096);
  raw.send_all("GET /assets/large.wasm HTTP/1.1\r\nHost: x\r\n\r\n");
  // Nothing read for a while: the socket fills and the rest of the file has to wait; the
  // next request arrives meanwhile.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  raw.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string answers = raw.read_answers(2, std::chrono::milliseconds(10000));
  REQUIRE(Raw::answers_in(answers) == 2);
  CHECK(status_of(answers) == 200);
  const std::string file = large_file();
  const size_t body = answers.find("\r\n\r\n") + 4;
  CHECK(answers.compare(body, file.size(), file) == 0);
  CHECK(status_of(answers.substr(body + file.size())) == 200);
  CHECK(raw.closes_within(std::chrono::milliseconds(1000)));
}

TEST_CASE("a request sent a byte at a time is answered, whatever byte a segment ends on") {
  LocalServer server;
  Raw raw(server.port());
  const std::string body = batch({prediction_json(new_uuid(), "byte by byte")});
  raw.send_byte_by_byte("\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                        "POST /log HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\n\r\n" + body,
                        std::chrono::milliseconds(1));
  const std::string answers = raw.read_answers(2);
  REQUIRE(Raw::answers_in(answers) == 2);
  CHECK(status_of(answers) == 200);
  CHECK(answers.find("\"stored\"") != std::string::npos);
}

TEST_CASE("a deep pipeline behind a write is answered in order, and the server stays up") {
  LocalServer server;
  Raw raw(server.port());
  const std::string body = batch({prediction_json(new_uuid(), "deep pipeline")});
  // Up to the most a connection buffers while an answer is pending (a request's head
  // and body limits), in requests of 36 bytes: each answered from memory at once.
  std::string requests = "POST /log HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n" + body;
  const int pipelined = 25000;
  for (int i = 0; i < pipelined; ++i) requests += "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  std::thread sender([&] { raw.send_all(requests); });
  const std::string answers = raw.read_answers(1 + pipelined, std::chrono::milliseconds(20000));
  sender.join();
  CHECK(Raw::answers_in(answers) == 1 + pipelined);
  CHECK(answers.find("\"stored\"") < answers.find("HTTP/1.1 200", 1));
  CHECK(healthy(server.port()));
}

TEST_CASE("slow clients get 408 at their deadline; idle ones are closed; neither holds anyone up") {
  digits::server::ConnectionOptions options;
  options.head_timeout = std::chrono::milliseconds(500);
  options.body_timeout = std::chrono::milliseconds(500);
  options.idle_timeout = std::chrono::milliseconds(800);
  LocalServer server(LocalServer::config_for_tests(), options);
  Raw slow_head(server.port()), slow_body(server.port()), idle(server.port());
  slow_head.send_all("GET /healthz HTTP/1.1\r\nHo");
  slow_body.send_all("POST /log HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
  std::vector<std::unique_ptr<Raw>> crowd;
  for (int i = 0; i < 300; ++i) crowd.push_back(std::make_unique<Raw>(server.port()));
  CHECK(healthy(server.port()));
  CHECK(status_of(slow_head.read_answers(1, std::chrono::milliseconds(1500))) == 408);
  CHECK(status_of(slow_body.read_answers(1, std::chrono::milliseconds(1500))) == 408);
  CHECK(idle.closes_within(std::chrono::milliseconds(1500)));
  CHECK(crowd.back()->closes_within(std::chrono::milliseconds(1500)));
  CHECK(healthy(server.port()));
}

TEST_CASE("Expect: 100-continue gets its interim answer, then the real one") {
  LocalServer server;
  Raw raw(server.port());
  const std::string body = batch({prediction_json(new_uuid(), "expecting")});
  raw.send_all("POST /log HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
               "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n");
  // The interim answer comes before the body is sent.
  CHECK(raw.read_answers(1, std::chrono::milliseconds(500)) == "HTTP/1.1 100 Continue\r\n\r\n");
  raw.send_all(body);
  const std::string answers = raw.read_answers(1);
  CHECK(answers.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0) == 0);
  CHECK(answers.find("HTTP/1.1 200 OK") != std::string::npos);
}

TEST_CASE("the rate limit keys on the address: new ids, or a fresh id first in a batch, do not dodge it") {
  auto config = LocalServer::config_for_tests();
  config.rate_limit_per_second = 1;
  config.rate_limit_burst = 3;  // the address: 12
  LocalServer server(config);
  int accepted = 0;
  for (int i = 0; i < 40; ++i) accepted += post_json(server.port(), prediction_json(new_uuid(), new_uuid())).status == 200;
  CHECK(accepted <= 13);
  CHECK(http(server.port(), "GET", "/metrics").body.find("digits_rate_limited_total 0") == std::string::npos);

  // A second address (a trusted proxy's client) has its own share; a batch counts
  // every record, whoever it names first.
  auto proxied = LocalServer::config_for_tests();
  proxied.rate_limit_per_second = 1;
  proxied.rate_limit_burst = 3;
  proxied.trusted_proxies = {"127.0.0.1"};
  LocalServer behind_proxy(proxied);
  auto from = [](const std::string& address) {
    return std::map<std::string, std::string>{{"Content-Type", "application/json"}, {"X-Forwarded-For", address}};
  };
  const std::string mallory = "mallory";
  CHECK(http(behind_proxy.port(), "POST", "/log", batch({prediction_json(new_uuid(), mallory),
                                                         prediction_json(new_uuid(), mallory),
                                                         prediction_json(new_uuid(), mallory)}),
             from("203.0.113.5"))
            .status == 200);
  Response dodged = http(behind_proxy.port(), "POST", "/log",
                               batch({prediction_json(new_uuid(), new_uuid()), prediction_json(new_uuid(), mallory)}),
                               from("203.0.113.5"));
  CHECK(dodged.status == 429);
  CHECK(std::stoi(dodged.headers["retry-after"]) >= 1);
  CHECK(http(behind_proxy.port(), "POST", "/log", batch({prediction_json(new_uuid(), "alice")}), from("198.51.100.7"))
            .status == 200);
  // More records than the burst in one request: 413, so the page sends fewer.
  std::vector<std::string> many;
  for (int i = 0; i < 4; ++i) many.push_back(prediction_json(new_uuid(), "bob"));
  CHECK(http(behind_proxy.port(), "POST", "/log", batch(many), from("192.0.2.9")).status == 413);
}

TEST_CASE("X-Forwarded-For counts only from trusted proxies, and only its untrusted part") {
  digits::server::HttpRequest request;
  request.peer_address = "10.0.0.2";
  request.headers = {{"x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.0.0.3"}};
  CHECK(digits::server::client_address(request, {}) == "10.0.0.2");
  CHECK(digits::server::client_address(request, {"10.0.0.0/8"}) == "203.0.113.9");
  CHECK(digits::server::client_address(request, {"10.0.0.2"}) == "10.0.0.3");
  CHECK(digits::server::address_matches("172.20.1.1", "172.16.0.0/12"));
  CHECK_FALSE(digits::server::address_matches("172.32.0.1", "172.16.0.0/12"));
  CHECK_FALSE(digits::server::address_matches("10.0.0.1", "10.0.0.0/99"));
}

TEST_CASE("nobody relabels another client's drawing, before or after it arrives") {
  LocalServer server;
  const std::string mine = new_uuid(), early = new_uuid();
  REQUIRE(post_json(server.port(), prediction_json(mine, "owner", 3)).status == 200);
  const Response foreign = post_json(server.port(), batch({feedback_json(new_uuid(), mine, "intruder", 8)}));
  CHECK(foreign.status == 422);
  CHECK(foreign.body.find("another client") != std::string::npos);
  CHECK(foreign.body.find("\"field\":\"prediction_id\"") != std::string::npos);
  // Feedback first, from someone else; the prediction later, from its owner.
  REQUIRE(post_json(server.port(), batch({feedback_json(new_uuid(), early, "intruder", 1)})).status == 200);
  REQUIRE(post_json(server.port(), prediction_json(early, "owner", 4)).status == 200);
  REQUIRE(post_json(server.port(), batch({feedback_json(new_uuid(), mine, "owner", 5)})).status == 200);
  CHECK(eventually("SELECT true_digit FROM predictions WHERE record_id = '" + mine + "'", "5") == "5");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(Postgres::instance().scalar("SELECT true_digit FROM predictions WHERE record_id = '" + early + "'").empty());
  CHECK(http(server.port(), "GET", "/metrics").body.find("digits_foreign_feedback_total 1") != std::string::npos);
}

TEST_CASE("the server's database role reads and writes rows and can do nothing else") {
  LocalServer server;
  pqxx::connection connection(Postgres::instance().connection_string());
  for (const char* statement : {"DELETE FROM predictions", "DROP TABLE feedback", "TRUNCATE predictions",
                                "CREATE TABLE intruder (x int)", "ALTER TABLE predictions ADD COLUMN x int"}) {
    CAPTURE(statement);
    pqxx::nontransaction transaction(connection);
    CHECK_THROWS_AS(transaction.exec(statement), pqxx::insufficient_privilege);
  }
  CHECK(Postgres::instance().scalar("SELECT rolsuper FROM pg_roles WHERE rolname = 'digits'") == "f");
}

TEST_CASE("a database that went away is reported without its internals") {
  auto config = LocalServer::config_for_tests();
  // Nothing listens there (migrations still run on the real one): the reply says down, not why.
  config.database_url = "host=127.0.0.1 port=1 dbname=digits user=digits connect_timeout=1";
  LocalServer server(config);
  const Response ready = http(server.port(), "GET", "/readyz");
  CHECK(ready.status == 503);
  CHECK(ready.body == "{\"status\":\"not ready\",\"database\":\"down\"}");
}
