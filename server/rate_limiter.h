// Per-client token buckets for POST /log.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace digits::server {

class RateLimiter {
 public:
  // rate tokens per second, up to burst; rate 0 turns limiting off.
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}

  // 0 when the request may go ahead; otherwise the seconds until it may (for Retry-After).
  int admit(const std::string& client);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
  };

  double rate_;
  double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::chrono::steady_clock::time_point last_sweep_ = std::chrono::steady_clock::now();
};

}  // namespace digits::server
