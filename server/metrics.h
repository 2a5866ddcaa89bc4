// Counters and histograms, rendered in Prometheus' text format for GET /metrics.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace digits::server {

class Metrics {
 public:
  void count_request(const std::string& route, int status, double seconds);
  void count_records(uint64_t stored, uint64_t duplicates, uint64_t rejected);
  void count_db_error() { db_errors_.fetch_add(1, std::memory_order_relaxed); }
  void count_rate_limited() { rate_limited_.fetch_add(1, std::memory_order_relaxed); }
  void count_foreign_feedback(uint64_t n) { foreign_feedback_.fetch_add(n, std::memory_order_relaxed); }
  void observe_group(size_t records);
  void count_images_cleared(uint64_t n) { images_cleared_.fetch_add(n, std::memory_order_relaxed); }
  void count_stats_rebuild() { stats_rebuilds_.fetch_add(1, std::memory_order_relaxed); }
  // One comparison of the running statistics with a full recount, and how long it took.
  void observe_stats_verification(double seconds);
  void set_db_up(bool up) { db_up_.store(up, std::memory_order_relaxed); }
  void set_queue_depth(size_t records) { queue_depth_.store(records, std::memory_order_relaxed); }

  std::string prometheus_text() const;

 private:
  static constexpr std::array<double, 12> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                             0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  static constexpr std::array<double, 8> kGroupBuckets = {1, 2, 5, 10, 50, 100, 500, 2000};

  struct Histogram {
    std::array<uint64_t, kLatencyBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };

  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;  // (route, status)
  std::map<std::string, Histogram> latency_;                  // by route
  std::array<uint64_t, kGroupBuckets.size()> group_buckets_{};
  uint64_t groups_ = 0;
  uint64_t grouped_records_ = 0;

  std::atomic<uint64_t> stored_{0}, duplicates_{0}, rejected_{0}, db_errors_{0}, rate_limited_{0}, foreign_feedback_{0},
      stats_rebuilds_{0}, images_cleared_{0}, stats_verifications_{0};
  std::atomic<double> stats_verify_seconds_{0};
  std::atomic<bool> db_up_{false};
  std::atomic<size_t> queue_depth_{0};
};

}  // namespace digits::server
