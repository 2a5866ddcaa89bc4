#include "read_pool.h"

#include "database.h"

namespace digits::server {

ReadPool::ReadPool(std::string connection_string, int threads, size_t max_queued)
    : connection_string_(std::move(connection_string)), max_queued_(max_queued) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

ReadPool::~ReadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void ReadPool::submit(Work work, Done done) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queue_.size() < max_queued_ && !stopping_) {
      queue_.push_back({std::move(work), std::move(done)});
      ready_.notify_one();
      return;
    }
  }
  done(Status::error("too many reads waiting for the database"));
}

void ReadPool::run() {
  std::unique_ptr<pqxx::connection> connection;
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to answer
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    if (!connection) {
      Result<std::unique_ptr<pqxx::connection>> opened = connect_database(connection_string_);
      if (!opened.ok()) {
        job.done(opened.status());
        continue;
      }
      connection = opened.take();
    }
    Status status = Status::success();
    try {
      job.work(*connection);
    } catch (const std::exception& error) {
      connection.reset();  // a broken connection must not serve the next read
      status = Status::error(error.what());
    }
    job.done(status);
  }
}

}  // namespace digits::server
