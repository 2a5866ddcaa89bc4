// The retention setting: with RETENTION_DAYS > 0, a thread of its own clears the images
// and strokes of predictions stored longer ago than that, at start and then every hour,
// a batch at a time. The predictions, their feedback and every statistic stay (the
// running counts do not count images), so accuracy over time is kept forever while the
// drawings themselves are not. Off (0) by default.
#pragma once

#include <chrono>
#include <string>

#include "background_job.h"
#include "metrics.h"

namespace digits::server {

class Retention {
 public:
  Retention(std::string connection_string, int days, Metrics& metrics,
            std::chrono::milliseconds interval = std::chrono::hours(1));
  void start();  // does nothing when days is 0
  void stop() { job_.stop(); }

 private:
  void clear_batches(const BackgroundJob& job);

  const std::string connection_string_;
  const int days_;
  Metrics& metrics_;
  std::string from_ = "-infinity";  // where the walk through the time index resumes
  BackgroundJob job_;
};

}  // namespace digits::server
