#include "metrics.h"

#include <sstream>

namespace digits::server {

void Metrics::count_request(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{route, status}];
  Histogram& histogram = latency_[route];
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) ++histogram.buckets[i];
  }
  ++histogram.count;
  histogram.sum += seconds;
}

void Metrics::count_records(uint64_t stored, uint64_t duplicates, uint64_t rejected) {
  stored_.fetch_add(stored, std::memory_order_relaxed);
  duplicates_.fetch_add(duplicates, std::memory_order_relaxed);
  rejected_.fetch_add(rejected, std::memory_order_relaxed);
}

void Metrics::observe_group(size_t records) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t i = 0; i < kGroupBuckets.size(); ++i) {
    if (static_cast<double>(records) <= kGroupBuckets[i]) ++group_buckets_[i];
  }
  ++groups_;
  grouped_records_ += records;
}

std::string Metrics::prometheus_text() const {
  std::ostringstream out;
  std::lock_guard<std::mutex> lock(mutex_);
  out << "# HELP digits_http_requests_total HTTP requests by route and status.\n"
      << "# TYPE digits_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    out << "digits_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} " << count
        << "\n";
  }
  out << "# HELP digits_http_request_duration_seconds Time from request to response.\n"
      << "# TYPE digits_http_request_duration_seconds histogram\n";
  for (const auto& [route, histogram] : latency_) {
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      out << "digits_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"" << kLatencyBuckets[i]
          << "\"} " << histogram.buckets[i] << "\n";
    }
    out << "digits_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} " << histogram.count
        << "\n"
        << "digits_http_request_duration_seconds_sum{route=\"" << route << "\"} " << histogram.sum << "\n"
        << "digits_http_request_duration_seconds_count{route=\"" << route << "\"} " << histogram.count << "\n";
  }
  out << "# HELP digits_records_total Records received on POST /log, by outcome.\n"
      << "# TYPE digits_records_total counter\n"
      << "digits_records_total{result=\"stored\"} " << stored_.load() << "\n"
      << "digits_records_total{result=\"duplicate\"} " << duplicates_.load() << "\n"
      << "digits_records_total{result=\"rejected\"} " << rejected_.load() << "\n"
      << "# HELP digits_db_errors_total Failed database transactions.\n"
      << "# TYPE digits_db_errors_total counter\n"
      << "digits_db_errors_total " << db_errors_.load() << "\n"
      << "# HELP digits_rate_limited_total Requests refused by the per-client rate limit.\n"
      << "# TYPE digits_rate_limited_total counter\n"
      << "digits_rate_limited_total " << rate_limited_.load() << "\n"
      << "# HELP digits_foreign_feedback_total Feedback refused because another client made the prediction.\n"
      << "# TYPE digits_foreign_feedback_total counter\n"
      << "digits_foreign_feedback_total " << foreign_feedback_.load() << "\n"
      << "# HELP digits_stats_rebuilds_total Running statistics found different from a recount and rebuilt.\n"
      << "# TYPE digits_stats_rebuilds_total counter\n"
      << "digits_stats_rebuilds_total " << stats_rebuilds_.load() << "\n"
      << "# HELP digits_images_cleared_total Predictions whose image and strokes the retention setting cleared.\n"
      << "# TYPE digits_images_cleared_total counter\n"
      << "digits_images_cleared_total " << images_cleared_.load() << "\n"
      << "# HELP digits_db_up Whether the last database operation succeeded.\n"
      << "# TYPE digits_db_up gauge\n"
      << "digits_db_up " << (db_up_.load() ? 1 : 0) << "\n"
      << "# HELP digits_write_queue_records Records waiting for a transaction.\n"
      << "# TYPE digits_write_queue_records gauge\n"
      << "digits_write_queue_records " << queue_depth_.load() << "\n"
      << "# HELP digits_write_group_records Records committed per shared transaction.\n"
      << "# TYPE digits_write_group_records histogram\n";
  for (size_t i = 0; i < kGroupBuckets.size(); ++i) {
    out << "digits_write_group_records_bucket{le=\"" << kGroupBuckets[i] << "\"} " << group_buckets_[i] << "\n";
  }
  out << "digits_write_group_records_bucket{le=\"+Inf\"} " << groups_ << "\n"
      << "digits_write_group_records_sum " << grouped_records_ << "\n"
      << "digits_write_group_records_count " << groups_ << "\n";
  return out.str();
}

}  // namespace digits::server
