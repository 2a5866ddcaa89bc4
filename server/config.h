// Server configuration from environment variables (documented in .env.example).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "result.h"
#include "stats_timing.h"

namespace digits::server {

struct Config {
  // HTTP
  int port = 8080;                    // PORT; 0 picks a free port
  std::string bind_address = "0.0.0.0";  // BIND_ADDRESS
  int threads = 2;                    // HTTP_THREADS
  std::string www_dir = "build/www";  // WWW_DIR
  // TRUSTED_PROXIES: comma-separated addresses of the reverse proxies in front of the
  // server; only from them is X-Forwarded-For believed (rate limits key on the client).
  std::vector<std::string> trusted_proxies;
  // PostgreSQL: DATABASE_URL wins over the DB_* variables.
  std::string database_url;           // DATABASE_URL
  std::string db_host = "localhost";  // DB_HOST
  int db_port = 5432;                 // DB_PORT
  std::string db_name = "digits";     // DB_NAME
  std::string db_user = "digits";     // DB_USER
  std::string db_password;            // DB_PASSWORD
  int db_writers = 1;                 // DB_WRITERS: connections committing /log groups (see docs/BENCHMARKS.md)
  int db_readers = 2;                 // DB_READERS: connections serving history and readiness
  std::string migrations_dir = "sql"; // MIGRATIONS_DIR
  // How long a starting server waits for PostgreSQL before it exits with the reason.
  int db_start_timeout_seconds = 60;  // DB_START_TIMEOUT_SECONDS
  // MIGRATE_DATABASE_URL: the schema owner's connection, used only to apply migrations;
  // empty: the server's own (then it must own the schema for a migration to run).
  std::string migrate_database_url;
  // POST /log
  double rate_limit_per_second = 20;  // RATE_LIMIT_PER_SECOND: records per client id (x4 per address); 0: off
  double rate_limit_burst = 200;      // RATE_LIMIT_BURST: records at once (the page sends up to 100)
  size_t max_group_records = 2000;    // MAX_GROUP_RECORDS per shared transaction
  // GET /api/stats
  StatsTiming stats;  // STATS_REFRESH_MS, STATS_MAX_AGE_MS, STATS_VERIFY_SECONDS
  // Images and strokes are cleared after this many days (predictions and statistics stay);
  // 0 keeps them forever.
  int retention_days = 0;             // RETENTION_DAYS
  // Logging
  bool log_requests = false;          // LOG_REQUESTS=1 logs every request

  // libpq connection string for the settings above.
  std::string connection_string() const;
  // The connection migrations run on.
  std::string migration_connection_string() const {
    return migrate_database_url.empty() ? connection_string() : migrate_database_url;
  }
};

// Reads the environment; fails naming the variable whose value is not valid.
Result<Config> config_from_environment();

}  // namespace digits::server
