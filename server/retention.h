// The retention setting: with RETENTION_DAYS > 0, a thread of its own clears the images
// and strokes of predictions stored longer ago than that, at start and then every hour,
// a batch at a time. The predictions, their feedback and every statistic stay (the
// running counts do not count images), so accuracy over time is kept forever while the
// drawings themselves are not. Off (0) by default.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "metrics.h"

namespace digits::server {

class Retention {
 public:
  Retention(std::string connection_string, int days, Metrics& metrics,
            std::chrono::milliseconds interval = std::chrono::hours(1));
  ~Retention();
  void start();  // does nothing when days is 0
  void stop();

 private:
  void run();
  void clear_batches();

  const std::string connection_string_;
  const int days_;
  Metrics& metrics_;
  const std::chrono::milliseconds interval_;
  std::string from_ = "-infinity";  // where the walk through the time index resumes
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace digits::server
