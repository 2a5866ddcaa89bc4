// Token buckets for POST /log, counted in records: one bucket per client address and
// one per client id, and a batch goes ahead only when both hold a token for every
// record in it. The address is what the connection (or a trusted proxy) says, so a
// client cannot dodge the limit by naming a new id on every request; the id's own
// bucket keeps one person behind a shared address (an office, a phone network) from
// using up everyone's share alone.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace digits::server {

class RateLimiter {
 public:
  // An address may carry this many people's records.
  static constexpr double kPeoplePerAddress = 4;
  // Buckets kept at most (each about 100 bytes): memory stays bounded whatever the mix
  // of addresses and ids. Full buckets (idle clients) are forgotten first.
  static constexpr size_t kMaxBuckets = 100000;

  // rate records per second per client id, up to burst at once; rate 0 turns limiting off.
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}

  // total: the records of the request, valid or not, charged to the address;
  // per_client: how many valid records each client id in it sends. 0 when they may all
  // go ahead (the tokens are taken); otherwise the seconds until they may (Retry-After),
  // and nothing is taken.
  int admit(const std::string& address, size_t total,
            const std::vector<std::pair<std::string, size_t>>& per_client);
  bool enabled() const { return rate_ > 0; }
  double burst() const { return burst_; }
  // Buckets held now (never more than kMaxBuckets).
  size_t tracked() {
    std::lock_guard<std::mutex> lock(mutex_);
    return buckets_.size();
  }

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
  };
  using Clock = std::chrono::steady_clock;

  Bucket& bucket(const std::string& key, double burst, Clock::time_point now);
  void forget_idle(Clock::time_point now);

  double rate_;
  double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  Clock::time_point last_sweep_ = Clock::now();
};

}  // namespace digits::server
