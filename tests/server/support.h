// What the server tests stand on: a private PostgreSQL, an HTTP client, the server
// in-process or as a separate process, and valid records to send.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app.h"
#include "http_server.h"

namespace digits::test {

// A PostgreSQL cluster of our own (scripts/pg.sh), shared by every test in the run.
class Postgres {
 public:
  static Postgres& instance();
  ~Postgres();
  int port() const { return port_; }
  void stop();
  // Stops it at once (SIGQUIT, pg_ctl's immediate mode): WAL that only sat in its buffers is lost,
  // as in a crash. start() then recovers from what was written.
  void crash();
  void start();
  std::string connection_string() const;        // the server's role, digits
  std::string owner_connection_string() const;  // the schema's owner, digits_owner
  // Runs one query and returns the first column of the first row ("" when none).
  std::string scalar(const std::string& sql);

 private:
  Postgres();
  std::string dir_;
  int port_ = 0;
};

struct Response {
  int status = 0;  // 0: no connection or no answer
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

// One request on a fresh connection. Raw paths are sent as given (no normalisation).
Response http(int port, const std::string& method, const std::string& path, const std::string& body = "",
              std::map<std::string, std::string> headers = {});
Response post_json(int port, const std::string& body);

// The server in this process, on a free port, with the test database.
class LocalServer {
 public:
  explicit LocalServer(server::Config config = config_for_tests(), server::ConnectionOptions options = {});
  ~LocalServer();
  int port() const { return port_; }
  server::App& app() { return *app_; }
  static server::Config config_for_tests();

 private:
  server::Config config_;
  std::unique_ptr<server::App> app_;
  std::unique_ptr<server::HttpServer> http_;
  int port_ = 0;
};

// digits-server as its own process, for signals and for two servers on one database.
class ServerProcess {
 public:
  explicit ServerProcess(std::map<std::string, std::string> environment = {});
  ~ServerProcess();
  int port() const { return port_; }
  // Sends SIGTERM and returns the exit status (-1 if it did not exit within 30 s).
  int terminate();

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// digits-server run to its end with `arguments` and `environment` (on top of this
// process's); what it printed on stdout and stderr together, and how it exited.
struct CommandResult {
  int exit_code = -1;  // -1: killed by a signal or still running after 60 s
  std::string output;
};
CommandResult run_server_command(const std::vector<std::string>& arguments,
                                 const std::map<std::string, std::string>& environment);

int free_port();

std::string new_uuid();

// Empties predictions and feedback, migrating the database first if no server has yet.
// Call it before starting a server, not beside one: a server's start-up work (the
// statistics recount, the feedback catch-up) reads both tables, and a TRUNCATE taking
// them in the other order can deadlock with it.
void empty_tables();

// Polls query until it returns expected or 10 s pass; returns the last value. Feedback is
// applied by the writer thread just after the answer goes out, so tests wait for it.
std::string eventually(const std::string& query, const std::string& expected);

// A record as (field, raw JSON value) pairs, so a test can replace one field.
using Fields = std::vector<std::pair<std::string, std::string>>;
Fields prediction_fields(const std::string& id, const std::string& client, int digit = 7);
Fields with(Fields fields, const std::string& name, const std::string& raw_json);
Fields without(Fields fields, const std::string& name);
std::string object_json(const Fields& fields);
std::string prediction_json(const std::string& id, const std::string& client, int digit = 7);
std::string feedback_json(const std::string& id, const std::string& prediction_id, const std::string& client,
                          int true_digit, const std::string& created_at = "2026-11-23T10:00:05Z");
std::string batch(const std::vector<std::string>& records);
std::string www_dir();  // the test web root, built on first use
// big.js.br and packed.js.br in it: the server serves a Brotli variant as the build wrote
// it, undecoded.
inline const std::string kBrotliVariant = "brotli bytes of big.js";
std::string large_file();  // the bytes of assets/large.wasm in it

}  // namespace digits::test
