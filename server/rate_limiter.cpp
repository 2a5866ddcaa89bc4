#include "rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace digits::server {

int RateLimiter::admit(const std::string& client) {
  if (rate_ <= 0) return 0;
  using namespace std::chrono;
  const auto now = steady_clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  // Forget clients whose buckets have refilled: memory stays bounded by active clients.
  if (now - last_sweep_ > seconds(60)) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      const double refilled = it->second.tokens + rate_ * duration<double>(now - it->second.updated).count();
      it = refilled >= burst_ ? buckets_.erase(it) : std::next(it);
    }
    last_sweep_ = now;
  }
  auto [it, created] = buckets_.try_emplace(client, Bucket{burst_, now});
  Bucket& bucket = it->second;
  bucket.tokens = std::min(burst_, bucket.tokens + rate_ * duration<double>(now - bucket.updated).count());
  bucket.updated = now;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - bucket.tokens) / rate_)));
}

}  // namespace digits::server
