// The figures of GET /api/stats, computed from the database at most once a second and
// kept as JSON (and its gzip) for every reader in between: the figures change slowly
// and cost a few scans. The HTTP handler only asks and answers.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "read_pool.h"
#include "repository.h"
#include "result.h"

namespace digits::server {

// One computation's answer, shared read-only by every request that gets it.
struct StatsDocument {
  std::string json;
  std::string gzipped;  // the same, compressed once per refresh
};

class StatsService {
 public:
  explicit StatsService(ReadPool& reads) : reads_(reads) {}

  // The current figures; fails only when they are stale and the database cannot be read.
  Result<std::shared_ptr<const StatsDocument>> current();

 private:
  ReadPool& reads_;
  std::mutex mutex_;
  std::shared_ptr<const StatsDocument> document_;
  std::chrono::steady_clock::time_point computed_at_;
};

// The figures as the JSON document of GET /api/stats (docs/API.md).
std::string stats_json(const Stats& stats);

}  // namespace digits::server
