#include "background_job.h"

namespace digits::server {

BackgroundJob::BackgroundJob(Work work, std::optional<std::chrono::milliseconds> interval)
    : work_(std::move(work)), interval_(interval) {}

BackgroundJob::~BackgroundJob() { stop(); }

void BackgroundJob::start() { thread_ = std::thread([this] { run(); }); }

void BackgroundJob::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool BackgroundJob::stopping() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stopping_;
}

void BackgroundJob::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    work_(*this);
    lock.lock();
    if (!interval_) break;
    wake_.wait_for(lock, *interval_, [this] { return stopping_; });
  }
}

}  // namespace digits::server
