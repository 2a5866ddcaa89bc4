#include "serve.h"

#include <chrono>
#include <csignal>
#include <thread>

#include "app.h"
#include "database.h"
#include "http_server.h"
#include "log.h"
#include "repository.h"

namespace digits::server {
namespace {

// The database may still be starting (compose, a fresh embedded cluster): keep trying
// until DB_START_TIMEOUT_SECONDS, saying so every ten seconds, then give up with the reason.
Status prepare_database(const Config& config) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + std::chrono::seconds(config.db_start_timeout_seconds);
  Clock::time_point next_report = start;
  for (;;) {
    Result<std::unique_ptr<pqxx::connection>> owner = connect_database(config.migration_connection_string());
    Result<std::unique_ptr<pqxx::connection>> connection =
        owner.ok() ? connect_database(config.connection_string()) : owner.status();
    if (connection.ok()) {
      DIGITS_TRY(apply_migrations(*owner.value(), config.migrations_dir));
      return Status::success();
    }
    const Clock::time_point now = Clock::now();
    const auto waited = std::chrono::duration_cast<std::chrono::seconds>(now - start).count();
    if (now >= deadline) {
      return Status::error("PostgreSQL did not answer within DB_START_TIMEOUT_SECONDS=" +
                           std::to_string(config.db_start_timeout_seconds) + ": " + connection.status().message());
    }
    if (now >= next_report) {
      log_warn("waiting for PostgreSQL",
               {{"error", connection.status().message()}, {"waited_seconds", std::to_string(waited)}});
      next_report = now + std::chrono::seconds(10);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace

int migrate(const Config& config) {
  Result<std::unique_ptr<pqxx::connection>> connection = connect_database(config.migration_connection_string());
  const Status status = connection.ok() ? apply_migrations(*connection.value(), config.migrations_dir)
                                        : connection.status();
  if (!status.ok()) {
    log_error(status.message());
    return 1;
  }
  log_info("migrations applied");
  return 0;
}

int serve(const Config& config) {
  // Signals are taken by sigwait below, never by whichever thread they hit.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  const Status database = prepare_database(config);
  if (!database.ok()) {
    log_error("cannot start", {{"error", database.message()}});
    return 1;
  }
  App app(config);
  app.start();
  HttpServer http(app);
  const Status listening = http.start();
  if (!listening.ok()) {
    log_error("cannot start", {{"error", listening.message()}});
    return 1;
  }
  app.metrics.set_db_up(true);
  log_info("listening", {{"port", std::to_string(http.port())}, {"www", config.www_dir}});

  int received = 0;
  sigwait(&signals, &received);
  log_info("stopping: finishing the records in flight", {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
  // New records get 503 (clients retry elsewhere or later); queued ones are committed
  // and acknowledged before the listener closes.
  app.draining.store(true);
  app.writer.drain_and_stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the last answers leave
  http.stop();
  log_info("stopped");
  return 0;
}

}  // namespace digits::server
