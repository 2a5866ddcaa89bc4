// Group commit for POST /log: requests queue their validated records; writer threads,
// each with its own connection, store everything queued in one transaction and then
// tell every request its outcome. Throughput is bounded by PostgreSQL's commits, not
// by one round trip per record. A writer sends the next group before it answers the
// requests of the last, so the database works while the answers go out.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config.h"
#include "metrics.h"
#include "records.h"

namespace digits::server {

struct WriteOutcome {
  // false: nothing of this submission was stored (database unavailable); retry later.
  bool committed = false;
  std::string error;
  std::vector<bool> stored;  // per record: stored now (true) or already there (false)
  // Per record: why the database refused it, empty when it did not. Validation should
  // catch everything first; this keeps one bad record from failing everyone's group.
  std::vector<std::string> refused;
  // Per record: feedback on another client's prediction, not stored.
  std::vector<bool> foreign;
};

class RecordWriter {
 public:
  using Done = std::function<void(WriteOutcome)>;

  RecordWriter(const Config& config, Metrics& metrics);
  ~RecordWriter();

  void start();
  // Queues records for the next transaction; done runs on a writer thread once they are
  // committed or have failed. Never blocks on the database.
  void submit(std::vector<Record> records, Done done);
  // Waits until everything queued has been committed and answered, then stops the threads.
  void drain_and_stop();

 private:
  struct Submission {
    std::vector<Record> records;
    Done done;
  };
  class Worker;
  enum class Attempt { committed, refused, unavailable };

  // Everything queued, up to max_group_records; wait: until there is something or the
  // writer stops (empty then), else at once, empty or not.
  std::vector<Submission> take_group(bool wait);
  static std::vector<const Record*> records_of(const std::vector<Submission>& group);
  // Tells each submission of a group how the database took it (one transaction).
  void answer_group(Worker& worker, std::vector<Submission>& group, Attempt attempt, const std::vector<bool>& stored,
                    const std::vector<bool>& foreign, const std::string& error);
  WriteOutcome store_one_by_one(Worker& worker, const Submission& submission);
  void finish_group();

  const Config& config_;
  Metrics& metrics_;
  std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable idle_;
  std::deque<Submission> queue_;
  size_t queued_records_ = 0;
  int busy_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace digits::server
