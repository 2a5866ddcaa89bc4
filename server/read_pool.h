// The database reads of request handlers (history, readiness), and the rare deletion a
// person asks for (DELETE /api/history), run on the pool's own threads, each with a
// connection opened on demand and replaced when it breaks. A request thread only queues
// the work and moves on: a slow query, a locked table or a database that went away never
// holds up /healthz, POST /log or static files.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "result.h"

namespace digits::server {

class ReadPool {
 public:
  using Work = std::function<void(pqxx::connection&)>;
  using Done = std::function<void(Status)>;

  // threads: connections, and queries at once; max_queued: waiting reads beyond which
  // new ones are refused at once.
  ReadPool(std::string connection_string, int threads, size_t max_queued = 256);
  ~ReadPool();

  // Runs work on a pool thread, then done with its outcome on that thread: any exception
  // becomes an error and the connection is dropped. When the queue is full, done runs at
  // once on the caller's thread with an error.
  void submit(Work work, Done done);

 private:
  struct Job {
    Work work;
    Done done;
  };
  void run();

  const std::string connection_string_;
  const size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace digits::server
