#include "record_writer.h"

#include <chrono>
#include <memory>

#include "log.h"
#include "repository.h"

namespace digits::server {
namespace {

using Clock = std::chrono::steady_clock;

// SQLSTATE classes that say the data was wrong (22 data exception, 23 integrity
// constraint), as opposed to the database being unavailable or overloaded.
bool refuses_data(const std::string& sqlstate) {
  return sqlstate.rfind("22", 0) == 0 || sqlstate.rfind("23", 0) == 0;
}

}  // namespace

// One writer thread's connection and its attempts to store.
class RecordWriter::Worker {
 public:
  enum class Attempt { committed, refused, unavailable };

  explicit Worker(const Config& config) : config_(config) {}

  Attempt store(const std::vector<const Record*>& records, std::vector<bool>& stored, std::vector<bool>& foreign,
                std::string& error) {
    if (!connect(error)) return Attempt::unavailable;
    Result<StoreOutcome> outcome = store_records(*pipeline_, records, stored, foreign);
    if (!outcome.ok()) {
      // Lost connection, or a commit whose outcome is unknown: the client retries, and
      // the record ids make a retry of an already stored record a duplicate.
      error = outcome.status().message();
      pipeline_.reset();
      return Attempt::unavailable;
    }
    if (!outcome.value().apply_error.empty()) {
      // The records are safe; the next start applies it (feedback_catch_up.h). The
      // connection may be what failed: the next group opens a new one.
      log_warn("feedback not applied yet", {{"error", outcome.value().apply_error}});
      pipeline_.reset();
    }
    if (outcome.value().committed) return Attempt::committed;
    error = outcome.value().message;
    return refuses_data(outcome.value().sqlstate) ? Attempt::refused : Attempt::unavailable;
  }

 private:
  bool connect(std::string& error) {
    if (pipeline_) return true;
    if (Clock::now() < retry_at_) {
      error = last_error_;
      return false;
    }
    Result<std::unique_ptr<Pipeline>> opened = Pipeline::open(config_.connection_string());
    if (opened.ok()) {
      pipeline_ = opened.take();
      return true;
    }
    // Until the next attempt, requests fail fast with 503 instead of waiting on connects.
    retry_at_ = Clock::now() + std::chrono::milliseconds(500);
    last_error_ = error = opened.status().message();
    return false;
  }

  const Config& config_;
  std::unique_ptr<Pipeline> pipeline_;
  Clock::time_point retry_at_{};
  std::string last_error_;
};

RecordWriter::RecordWriter(const Config& config, Metrics& metrics) : config_(config), metrics_(metrics) {}

RecordWriter::~RecordWriter() { drain_and_stop(); }

void RecordWriter::submit(std::vector<Record> records, Done done) {
  std::lock_guard<std::mutex> lock(mutex_);
  queued_records_ += records.size();
  metrics_.set_queue_depth(queued_records_);
  queue_.push_back({std::move(records), std::move(done)});
  work_.notify_one();
}

void RecordWriter::drain_and_stop() {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    idle_.wait(lock, [this] { return queue_.empty() && busy_ == 0; });
    stopping_ = true;
  }
  work_.notify_all();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

std::vector<RecordWriter::Submission> RecordWriter::take_group() {
  std::unique_lock<std::mutex> lock(mutex_);
  work_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
  std::vector<Submission> group;
  size_t records = 0;
  // Whole submissions only, so each request's records share one transaction.
  while (!queue_.empty() && (group.empty() || records + queue_.front().records.size() <= config_.max_group_records)) {
    records += queue_.front().records.size();
    group.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  queued_records_ -= records;
  metrics_.set_queue_depth(queued_records_);
  if (!group.empty()) ++busy_;
  return group;
}

void RecordWriter::finish_group() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    --busy_;
  }
  idle_.notify_all();
}

void RecordWriter::start() {
  for (int i = 0; i < config_.db_writers; ++i) {
    threads_.emplace_back([this] {
      Worker worker(config_);
      for (std::vector<Submission> group = take_group(); !group.empty(); group = take_group()) {
        commit_group(worker, group);
        finish_group();
      }
    });
  }
}

void RecordWriter::commit_group(Worker& worker, std::vector<Submission>& group) {
  std::vector<const Record*> records;
  for (const Submission& submission : group) {
    for (const Record& record : submission.records) records.push_back(&record);
  }
  std::vector<bool> stored, foreign;
  std::string error;
  const Worker::Attempt attempt = worker.store(records, stored, foreign, error);
  metrics_.set_db_up(attempt != Worker::Attempt::unavailable);
  if (attempt == Worker::Attempt::committed) metrics_.observe_group(records.size());
  if (attempt == Worker::Attempt::unavailable) {
    metrics_.count_db_error();
    log_warn("records not stored", {{"records", std::to_string(records.size())}, {"error", error}});
  }
  size_t offset = 0;
  for (Submission& submission : group) {
    const size_t count = submission.records.size();
    WriteOutcome outcome;
    if (attempt == Worker::Attempt::committed) {
      outcome.committed = true;
      outcome.stored.assign(stored.begin() + static_cast<long>(offset), stored.begin() + static_cast<long>(offset + count));
      outcome.foreign.assign(foreign.begin() + static_cast<long>(offset),
                             foreign.begin() + static_cast<long>(offset + count));
      outcome.refused.assign(count, "");
    } else if (attempt == Worker::Attempt::refused) {
      outcome = store_one_by_one(worker, submission);
    } else {
      outcome.error = error;
    }
    offset += count;
    submission.done(std::move(outcome));
  }
}

// The database refused something in the group: this submission's records one at a time
// find which, and the others are stored all the same.
WriteOutcome RecordWriter::store_one_by_one(Worker& worker, const Submission& submission) {
  const size_t count = submission.records.size();
  WriteOutcome outcome{true, "", std::vector<bool>(count, false), std::vector<std::string>(count),
                       std::vector<bool>(count, false)};
  for (size_t i = 0; i < count; ++i) {
    std::vector<bool> one, one_foreign;
    std::string why;
    switch (worker.store({&submission.records[i]}, one, one_foreign, why)) {
      case Worker::Attempt::committed:
        outcome.stored[i] = one[0];
        outcome.foreign[i] = one_foreign[0];
        break;
      case Worker::Attempt::refused: outcome.refused[i] = why; break;
      case Worker::Attempt::unavailable: return WriteOutcome{false, why, {}, {}, {}};
    }
  }
  return outcome;
}

}  // namespace digits::server
