// The parts of the server the HTTP handlers share, wired together by main().
#pragma once

#include <atomic>
#include <string>

#include "config.h"
#include "feedback_catch_up.h"
#include "metrics.h"
#include "rate_limiter.h"
#include "read_pool.h"
#include "record_writer.h"
#include "retention.h"
#include "static_files.h"
#include "stats_service.h"

namespace digits::server {

struct App {
  explicit App(const Config& config)
      : config(config),
        writer(config, metrics),
        limiter(config.rate_limit_per_second, config.rate_limit_burst),
        reads(config.connection_string(), config.db_readers),
        files(config.www_dir) {}

  // The threads that work beside the request handlers: the writers, the statistics, the
  // retention walk and the feedback catch-up.
  void start() {
    writer.start();
    stats.start();
    retention.start();
    catch_up.start();
  }

  const Config& config;
  Metrics metrics;
  RecordWriter writer;
  RateLimiter limiter;
  ReadPool reads;
  StaticFiles files;
  StatsService stats{config.connection_string(), metrics, config.stats};
  Retention retention{config.connection_string(), config.retention_days, metrics};
  FeedbackCatchUp catch_up{config.connection_string()};
  // Set on SIGTERM: new records are refused (503) while those in flight are committed.
  std::atomic<bool> draining{false};
};

}  // namespace digits::server
