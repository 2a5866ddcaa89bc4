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

namespace {

void header(std::ostringstream& out, const char* name, const char* type, const char* help) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
}

// A metric with one value and no labels.
template <typename Value>
void single(std::ostringstream& out, const char* name, const char* type, const char* help, Value value) {
  header(out, name, type, help);
  out << name << " " << value << "\n";
}

}  // namespace

void Metrics::observe_stats_verification(double seconds) {
  stats_verify_seconds_.store(seconds, std::memory_order_relaxed);
  stats_verifications_.fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::prometheus_text() const {
  std::ostringstream out;
  std::lock_guard<std::mutex> lock(mutex_);
  header(out, "digits_http_requests_total", "counter", "HTTP requests by route and status.");
  for (const auto& [key, count] : requests_) {
    out << "digits_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} " << count
        << "\n";
  }
  header(out, "digits_http_request_duration_seconds", "histogram", "Time from request to response.");
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
  header(out, "digits_records_total", "counter", "Records received on POST /log, by outcome.");
  out << "digits_records_total{result=\"stored\"} " << stored_.load() << "\n"
      << "digits_records_total{result=\"duplicate\"} " << duplicates_.load() << "\n"
      << "digits_records_total{result=\"rejected\"} " << rejected_.load() << "\n";
  single(out, "digits_db_errors_total", "counter", "Failed database transactions.", db_errors_.load());
  single(out, "digits_rate_limited_total", "counter", "Requests refused by the per-client rate limit.",
         rate_limited_.load());
  single(out, "digits_foreign_feedback_total", "counter",
         "Feedback refused because another client made the prediction.", foreign_feedback_.load());
  single(out, "digits_stats_verifications_total", "counter", "Running statistics compared with a full recount.",
         stats_verifications_.load());
  single(out, "digits_stats_verify_seconds", "gauge", "How long the last comparison with a full recount took.",
         stats_verify_seconds_.load());
  single(out, "digits_stats_rebuilds_total", "counter", "Running statistics found different from a recount and rebuilt.",
         stats_rebuilds_.load());
  single(out, "digits_images_cleared_total", "counter",
         "Predictions whose image and strokes the retention setting cleared.", images_cleared_.load());
  single(out, "digits_db_up", "gauge", "Whether the last database operation succeeded.", db_up_.load() ? 1 : 0);
  single(out, "digits_write_queue_records", "gauge", "Records waiting for a transaction.", queue_depth_.load());
  header(out, "digits_write_group_records", "histogram", "Records committed per shared transaction.");
  for (size_t i = 0; i < kGroupBuckets.size(); ++i) {
    out << "digits_write_group_records_bucket{le=\"" << kGroupBuckets[i] << "\"} " << group_buckets_[i] << "\n";
  }
  out << "digits_write_group_records_bucket{le=\"+Inf\"} " << groups_ << "\n"
      << "digits_write_group_records_sum " << grouped_records_ << "\n"
      << "digits_write_group_records_count " << groups_ << "\n";
  return out.str();
}

}  // namespace digits::server
