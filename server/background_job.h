// Work on a thread of its own: run once when started, then again every interval (when one
// is given), until stop(). Long work checks stopping() between its batches, so that a
// server asked to stop does not wait for a walk through millions of rows to end.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace digits::server {

class BackgroundJob {
 public:
  using Work = std::function<void(const BackgroundJob& job)>;

  explicit BackgroundJob(Work work, std::optional<std::chrono::milliseconds> interval = std::nullopt);
  ~BackgroundJob();
  BackgroundJob(const BackgroundJob&) = delete;
  BackgroundJob& operator=(const BackgroundJob&) = delete;

  void start();
  void stop();  // waits for the work in progress to reach its next stopping() check
  bool stopping() const;

 private:
  void run();

  const Work work_;
  const std::optional<std::chrono::milliseconds> interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace digits::server
