// The figures of GET /api/stats. A thread of its own folds the database's running counts
// (sql/003_stats_rollup.sql) and reads them once per refresh period, keeping the answer
// as JSON (and its gzip) for every reader: a request never waits on the database. Now
// and then the thread compares the running counts with a full recount and rebuilds them
// when they differ (a manual edit behind the triggers' back), saying so in the log and
// in /metrics.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "metrics.h"
#include "result.h"
#include "stats_repository.h"
#include "stats_timing.h"

namespace digits::server {

// One computation's answer, shared read-only by every request that gets it.
struct StatsDocument {
  std::string json;
  std::string gzipped;  // the same, compressed once per refresh
};

class StatsService {
 public:
  StatsService(std::string connection_string, Metrics& metrics, StatsTiming timing);
  ~StatsService();
  void start();
  void stop();

  // The latest figures; fails when there are none, or when reading them has been failing
  // and they are older than max_age (the database went away). Never touches the database.
  Result<std::shared_ptr<const StatsDocument>> current();

 private:
  void run();
  Status refresh();
  void verify();
  // Runs work on the thread's own connection, opened on demand, dropped when it breaks.
  Status with_connection(const std::function<void(pqxx::connection&)>& work);

  const std::string connection_string_;
  std::unique_ptr<pqxx::connection> connection_;
  Metrics& metrics_;
  const StatsTiming timing_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::shared_ptr<const StatsDocument> document_;
  std::chrono::steady_clock::time_point computed_at_;
  bool refresh_failing_ = false;  // the last attempt to read the figures failed
  std::thread thread_;
};

// The figures as the JSON document of GET /api/stats (docs/API.md).
std::string stats_json(const Stats& stats);

}  // namespace digits::server
