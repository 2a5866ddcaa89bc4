#include "rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace digits::server {

void RateLimiter::forget_idle(Clock::time_point now) {
  // A bucket that has refilled says nothing a fresh one would not.
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const bool per_address = it->first[0] == 'a';
    const double burst = per_address ? burst_ * kPeoplePerAddress : burst_;
    const double rate = per_address ? rate_ * kPeoplePerAddress : rate_;
    const double refilled = it->second.tokens + rate * std::chrono::duration<double>(now - it->second.updated).count();
    it = refilled >= burst ? buckets_.erase(it) : std::next(it);
  }
  last_sweep_ = now;
  // Still full: every bucket is in use, by very many clients at once. Starting afresh
  // keeps memory bounded; those clients get a new burst, which is the lesser harm.
  if (buckets_.size() >= kMaxBuckets) buckets_.clear();
}

RateLimiter::Bucket& RateLimiter::bucket(const std::string& key, double burst, Clock::time_point now) {
  auto [it, created] = buckets_.try_emplace(key, Bucket{burst, now});
  return it->second;
}

int RateLimiter::admit(const std::string& address, size_t total,
                       const std::vector<std::pair<std::string, size_t>>& per_client) {
  if (rate_ <= 0) return 0;
  const auto now = Clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  if (now - last_sweep_ > std::chrono::seconds(60) || buckets_.size() + per_client.size() + 1 > kMaxBuckets) {
    forget_idle(now);
  }
  // (bucket, records it must pay for); keys are prefixed so that an address and an id
  // never name the same bucket. (References into the map survive its rehashing.)
  std::vector<std::pair<Bucket*, double>> charges;
  for (const auto& [client_id, count] : per_client) {
    charges.emplace_back(&bucket("c" + client_id, burst_, now), static_cast<double>(count));
  }
  charges.emplace_back(&bucket("a" + address, burst_ * kPeoplePerAddress, now), static_cast<double>(total));
  double wait = 0;
  for (size_t i = 0; i < charges.size(); ++i) {
    const double scale = i + 1 == charges.size() ? kPeoplePerAddress : 1;
    Bucket& b = *charges[i].first;
    b.tokens = std::min(burst_ * scale, b.tokens + rate_ * scale * std::chrono::duration<double>(now - b.updated).count());
    b.updated = now;
    if (b.tokens < charges[i].second) wait = std::max(wait, (charges[i].second - b.tokens) / (rate_ * scale));
  }
  if (wait > 0) return std::max(1, static_cast<int>(std::ceil(wait)));
  for (auto& [b, cost] : charges) b->tokens -= cost;
  return 0;
}

}  // namespace digits::server
