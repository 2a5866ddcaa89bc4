#include "support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <random>
#include <stdexcept>
#include <thread>

#include "base64.h"
#include "database.h"

#ifndef DIGITS_SOURCE_DIR
#error "DIGITS_SOURCE_DIR must be defined by the build"
#endif
#ifndef DIGITS_SERVER_BINARY
#error "DIGITS_SERVER_BINARY must be defined by the build"
#endif

namespace digits::test {
namespace {

std::string run(const std::string& command) {
  std::array<char, 256> buffer{};
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
  if (pclose(pipe) != 0) throw std::runtime_error(command + " failed: " + output);
  return output;
}

// The test web root: one per test process, removed with the database at exit.
std::filesystem::path www_path() {
  return std::filesystem::temp_directory_path() / ("digits-test-www-" + std::to_string(getpid()));
}

bool wait_until_ready(int port) {
  for (int i = 0; i < 300; ++i) {
    if (http(port, "GET", "/healthz").status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

Postgres& Postgres::instance() {
  static Postgres postgres;
  return postgres;
}

Postgres::Postgres() {
  dir_ = std::filesystem::temp_directory_path() / ("digits-test-pg-" + std::to_string(getpid()));
  start();
}

Postgres::~Postgres() {
  stop();
  std::filesystem::remove_all(dir_);
  std::filesystem::remove_all(www_path());
  std::filesystem::remove(std::filesystem::temp_directory_path() / "digits-test-secret.txt");
}

void Postgres::start() {
  // fsync off: throwaway data, and the tests are about behaviour, not disk speed. WAL
  // written in the background only every 10 s: what a commit leaves in the buffers stays
  // there, so a crash loses whatever the server did not make durable itself.
  const std::string port = run("PG_OPTIONS='-c fsync=off -c wal_writer_delay=10s' " DIGITS_SOURCE_DIR "/scripts/pg.sh start " + dir_ +
                               (port_ != 0 ? " " + std::to_string(port_) : std::string()));
  port_ = std::stoi(port);
}

void Postgres::stop() { run(DIGITS_SOURCE_DIR "/scripts/pg.sh stop " + dir_); }

void Postgres::crash() {
  // SIGQUIT to the postmaster is pg_ctl's immediate mode, sent from here so that nothing
  // runs between the caller's last step and the crash.
  std::ifstream pid_file(dir_ + "/postmaster.pid");
  pid_t pid = 0;
  if (!(pid_file >> pid) || pid <= 0) throw std::runtime_error("PostgreSQL is not running");
  kill(pid, SIGQUIT);
  for (int waited = 0; kill(pid, 0) == 0; ++waited) {
    if (waited > 1000) throw std::runtime_error("PostgreSQL did not stop");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string Postgres::connection_string() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=digits user=digits";
}

std::string Postgres::owner_connection_string() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=digits user=digits_owner";
}

std::string Postgres::scalar(const std::string& sql) {
  pqxx::connection connection(owner_connection_string());
  pqxx::nontransaction transaction(connection);
  const pqxx::result result = transaction.exec(sql);
  return result.empty() || result[0][0].is_null() ? "" : result[0][0].c_str();
}

Response http(int port, const std::string& method, const std::string& path, const std::string& body,
              std::map<std::string, std::string> headers) {
  Response response;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return response;
  }
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
  if (!body.empty() || method == "POST") request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n" + body;
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string raw;
  char chunk[65536];
  size_t expected = std::string::npos;
  for (;;) {
    const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) break;
    raw.append(chunk, static_cast<size_t>(n));
    const size_t end = raw.find("\r\n\r\n");
    if (end != std::string::npos && expected == std::string::npos) {
      const size_t at = raw.find("Content-Length: ");
      const bool head = method == "HEAD";
      expected = end + 4 + (head || at == std::string::npos || at > end ? 0 : std::stoul(raw.substr(at + 16)));
    }
    if (expected != std::string::npos && raw.size() >= expected) break;  // the server keeps connections open
  }
  close(fd);
  const size_t end = raw.find("\r\n\r\n");
  if (raw.size() < 12 || end == std::string::npos) return response;
  response.status = std::stoi(raw.substr(9, 3));
  size_t line = raw.find("\r\n") + 2;
  while (line < end) {
    const size_t next = raw.find("\r\n", line);
    const std::string header = raw.substr(line, next - line);
    const size_t colon = header.find(':');
    std::string name = header.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    response.headers[name] = header.substr(colon + 2);
    line = next + 2;
  }
  response.body = raw.substr(end + 4);
  return response;
}

Response post_json(int port, const std::string& body) {
  return http(port, "POST", "/log", body, {{"Content-Type", "application/json"}});
}

server::Config LocalServer::config_for_tests() {
  server::Config config;
  config.port = 0;
  config.bind_address = "127.0.0.1";
  config.database_url = Postgres::instance().connection_string();
  config.migrate_database_url = Postgres::instance().owner_connection_string();
  config.migrations_dir = DIGITS_SOURCE_DIR "/sql";
  config.www_dir = www_dir();
  config.rate_limit_per_second = 0;
  // Figures a test can wait for; old ones expire quickly when the database stops.
  config.stats = {std::chrono::milliseconds(50), std::chrono::milliseconds(1000), std::chrono::seconds(3600)};
  return config;
}

namespace {

// The migrations a server with this configuration applies at its start.
void migrate(const server::Config& config) {
  auto connection = server::connect_database(config.migration_connection_string());
  if (!connection.ok()) throw std::runtime_error(connection.status().message());
  const Status migrated = server::apply_migrations(*connection.value(), config.migrations_dir);
  if (!migrated.ok()) throw std::runtime_error(migrated.message());
}

}  // namespace

LocalServer::LocalServer(server::Config config, server::ConnectionOptions options) : config_(std::move(config)) {
  migrate(config_);
  app_ = std::make_unique<server::App>(config_);
  app_->start();
  http_ = std::make_unique<server::HttpServer>(*app_, options);
  const Status started = http_->start();
  if (!started.ok()) throw std::runtime_error(started.message());
  port_ = http_->port();
}

LocalServer::~LocalServer() {
  app_->draining.store(true);
  app_->writer.drain_and_stop();
  http_->stop();
}

ServerProcess::ServerProcess(std::map<std::string, std::string> environment) {
  port_ = free_port();
  environment.emplace("PORT", std::to_string(port_));
  environment.emplace("BIND_ADDRESS", "127.0.0.1");
  environment.emplace("DATABASE_URL", Postgres::instance().connection_string());
  environment.emplace("MIGRATE_DATABASE_URL", Postgres::instance().owner_connection_string());
  environment.emplace("MIGRATIONS_DIR", DIGITS_SOURCE_DIR "/sql");
  environment.emplace("WWW_DIR", www_dir());
  environment.emplace("RATE_LIMIT_PER_SECOND", "0");
  pid_ = fork();
  if (pid_ == 0) {
    for (const auto& [name, value] : environment) setenv(name.c_str(), value.c_str(), 1);
    execl(DIGITS_SERVER_BINARY, DIGITS_SERVER_BINARY, "serve", static_cast<char*>(nullptr));
    _exit(127);
  }
  if (!wait_until_ready(port_)) throw std::runtime_error("digits-server did not start");
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) terminate();
}

int ServerProcess::terminate() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 300; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return -1;
}

CommandResult run_server_command(const std::vector<std::string>& arguments,
                                 const std::map<std::string, std::string>& environment) {
  int output[2];
  if (pipe(output) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid == 0) {
    for (const auto& [name, value] : environment) setenv(name.c_str(), value.c_str(), 1);
    dup2(output[1], STDOUT_FILENO);
    dup2(output[1], STDERR_FILENO);
    close(output[0]);
    close(output[1]);
    std::vector<char*> argv{const_cast<char*>(DIGITS_SERVER_BINARY)};
    for (const std::string& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    execv(DIGITS_SERVER_BINARY, argv.data());
    _exit(127);
  }
  close(output[1]);
  CommandResult result;
  // The output ends when the process does (or closes it); a hung process is killed.
  std::thread watchdog([pid] {
    for (int i = 0; i < 600; ++i) {
      if (kill(pid, 0) != 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill(pid, SIGKILL);
  });
  char buffer[4096];
  ssize_t n = 0;
  while ((n = read(output[0], buffer, sizeof buffer)) > 0) result.output.append(buffer, static_cast<size_t>(n));
  close(output[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  watchdog.join();
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

void empty_tables() {
  migrate(LocalServer::config_for_tests());
  Postgres::instance().scalar("TRUNCATE predictions, feedback");
}

std::string eventually(const std::string& query, const std::string& expected) {
  std::string value;
  for (int attempt = 0; attempt < 200; ++attempt) {
    value = Postgres::instance().scalar(query);
    if (value == expected) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return value;
}

std::string new_uuid() {
  static thread_local std::mt19937_64 random(std::random_device{}());
  const uint64_t a = random(), b = random();
  char text[40];
  std::snprintf(text, sizeof(text), "%08x-%04x-4%03x-a%03x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>(a >> 16 & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(b >> 48 & 0xfff), static_cast<unsigned long long>(b & 0xffffffffffffull));
  return text;
}

Fields prediction_fields(const std::string& id, const std::string& client, int digit) {
  std::vector<uint8_t> image(784, 0);
  for (int i = 0; i < 784; ++i) image[i] = static_cast<uint8_t>((i * 7 + digit) % 256);
  std::string probabilities;
  for (int d = 0; d < 10; ++d) probabilities += (d ? "," : "") + std::string(d == digit ? "0.91" : "0.01");
  return {{"type", "\"prediction\""},
          {"id", "\"" + id + "\""},
          {"client_id", "\"" + client + "\""},
          {"created_at", "\"2026-11-23T10:00:00.123Z\""},
          {"predicted_digit", std::to_string(digit)},
          {"model_digit", std::to_string(digit)},
          {"model_confidence", "0.91"},
          {"confidence", "0.91"},
          {"probabilities", "[" + probabilities + "]"},
          {"image", "\"" + server::base64_encode(image.data(), image.size()) + "\""},
          {"engine", "\"native\""},
          {"model_version", "\"test-model\""},
          {"latency_ms", "0.41"},
          {"strokes", "[[[10,12,0],[11,30,16]],[[5,5]]]"}};
}

Fields with(Fields fields, const std::string& name, const std::string& raw_json) {
  for (auto& [field, value] : fields) {
    if (field == name) value = raw_json;
  }
  return fields;
}

Fields without(Fields fields, const std::string& name) {
  fields.erase(std::remove_if(fields.begin(), fields.end(), [&](const auto& field) { return field.first == name; }),
               fields.end());
  return fields;
}

std::string object_json(const Fields& fields) {
  std::string json = "{";
  for (size_t i = 0; i < fields.size(); ++i) {
    json += (i ? ",\"" : "\"") + fields[i].first + "\":" + fields[i].second;
  }
  return json + "}";
}

std::string prediction_json(const std::string& id, const std::string& client, int digit) {
  return object_json(prediction_fields(id, client, digit));
}

std::string feedback_json(const std::string& id, const std::string& prediction_id, const std::string& client,
                          int true_digit, const std::string& created_at) {
  return "{\"type\":\"feedback\",\"id\":\"" + id + "\",\"prediction_id\":\"" + prediction_id +
         "\",\"true_digit\":" + std::to_string(true_digit) + ",\"client_id\":\"" + client +
         "\",\"created_at\":\"" + created_at + "\"}";
}

std::string batch(const std::vector<std::string>& records) {
  std::string body = "{\"records\":[";
  for (size_t i = 0; i < records.size(); ++i) body += (i ? "," : "") + records[i];
  return body + "]}";
}

std::string large_file() {
  // Far more than a socket takes at once; no two neighbouring 4 KB pages alike, so a
  // piece sent twice or out of place shows.
  std::string bytes(6 << 20, '\0');
  uint32_t state = 2463534242u;
  for (char& byte : bytes) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    byte = static_cast<char>(state);
  }
  return bytes;
}

std::string www_dir() {
  static const std::string dir = [] {
    namespace fs = std::filesystem;
    const fs::path root = www_path();
    fs::create_directories(root / "assets");
    std::ofstream(root / "index.html") << "<!doctype html><title>Digits</title>\n";
    std::ofstream(root / "app.mjs") << "export const answer = 42;\n";
    std::ofstream(root / "manifest.webmanifest") << "{\"name\":\"Digits\"}\n";
    std::ofstream(root / "assets" / "engine.0123abcd.wasm") << std::string("\0asm\1\0\0\0", 8);
    std::ofstream(root / "big.js") << std::string(20000, 'x');
    std::ofstream(root / "assets" / "large.wasm") << large_file();
    // A precompressed variant, written by gzip so it is real.
    run("gzip -k -9 " + (root / "big.js").string());
    // And a Brotli one, which the server serves as it is without decoding it.
    std::ofstream(root / "big.js.br") << kBrotliVariant;
    // Shipped only compressed, as in the container image; and a .gz that is not gzip.
    std::ofstream(root / "packed.js") << "export const packed = '" << std::string(3000, 'p') << "';\n";
    run("gzip -f -9 " + (root / "packed.js").string());
    std::ofstream(root / "packed.js.br") << kBrotliVariant;
    std::ofstream(root / "broken.js.gz") << "not gzip at all";
    std::ofstream(fs::temp_directory_path() / "digits-test-secret.txt") << "secret\n";
    fs::remove(root / "leak.txt");
    fs::create_symlink(fs::temp_directory_path() / "digits-test-secret.txt", root / "leak.txt");
    return root.string();
  }();
  return dir;
}

}  // namespace digits::test
