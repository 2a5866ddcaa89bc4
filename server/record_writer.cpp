#include "record_writer.h"

#include <chrono>
#include <memory>
#include <optional>

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

// One writer thread's connection and its attempts to store. A group is sent, and how
// the database took it read later: in between the writer answers the previous group.
class RecordWriter::Worker {
 public:
  explicit Worker(const Config& config) : config_(config) {}

  // The records pointed to must stay where they are until finish(). The list is kept (moved
  // in, not copied) for the one case that sends it again.
  void send(std::vector<const Record*> records, bool skip_stored = false) {
    sent_.reset();
    records_ = std::move(records);
    if (!connect(send_error_)) return;
    Result<SentGroup> sent = send_records(*pipeline_, records_, skip_stored);
    if (!sent.ok()) {
      send_error_ = sent.status().message();
      pipeline_.reset();
      return;
    }
    sent_ = sent.take();
  }

  Attempt finish(std::vector<bool>& stored, std::vector<bool>& foreign, std::string& error) {
    if (!sent_) {
      error = send_error_;
      return Attempt::unavailable;
    }
    Result<StoreOutcome> outcome = receive_records(*pipeline_, *sent_, stored, foreign);
    const bool skipped_stored = sent_->skip_stored;
    sent_.reset();
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
    if (outcome.value().sqlstate == kUniqueViolation && !skipped_stored) {
      // A record of the group is stored already (a replay): again, skipping such records.
      send(records_, true);
      return finish(stored, foreign, error);
    }
    error = outcome.value().message;
    return refuses_data(outcome.value().sqlstate) ? Attempt::refused : Attempt::unavailable;
  }

  Attempt store(std::vector<const Record*> records, std::vector<bool>& stored, std::vector<bool>& foreign,
                std::string& error) {
    send(std::move(records), true);
    return finish(stored, foreign, error);
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
  std::vector<const Record*> records_;  // what send() sent last
  std::optional<SentGroup> sent_;
  std::string send_error_;
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

std::vector<RecordWriter::Submission> RecordWriter::take_group(bool wait) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (wait) work_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
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

std::vector<const Record*> RecordWriter::records_of(const std::vector<Submission>& group) {
  std::vector<const Record*> records;
  for (const Submission& submission : group) {
    for (const Record& record : submission.records) records.push_back(&record);
  }
  return records;
}

void RecordWriter::start() {
  for (int i = 0; i < config_.db_writers; ++i) {
    threads_.emplace_back([this] {
      Worker worker(config_);
      std::vector<Submission> group = take_group(true);
      if (!group.empty()) worker.send(records_of(group));
      while (!group.empty()) {
        std::vector<bool> stored, foreign;
        std::string error;
        const Attempt attempt = worker.finish(stored, foreign, error);
        // What queued meanwhile goes to the database before this group's requests are
        // answered, so that it works while they are. Not after a refusal: this group's
        // records are then tried one by one, on the same connection.
        std::vector<Submission> next;
        if (attempt != Attempt::refused) {
          next = take_group(false);
          if (!next.empty()) worker.send(records_of(next));
        }
        answer_group(worker, group, attempt, stored, foreign, error);
        finish_group();
        if (next.empty()) {
          next = take_group(true);
          if (!next.empty()) worker.send(records_of(next));
        }
        group = std::move(next);  // moves the submissions' buffer: the records stay put
      }
    });
  }
}

void RecordWriter::answer_group(Worker& worker, std::vector<Submission>& group, Attempt attempt,
                                const std::vector<bool>& stored, const std::vector<bool>& foreign,
                                const std::string& error) {
  size_t records = 0;
  for (const Submission& submission : group) records += submission.records.size();
  metrics_.set_db_up(attempt != Attempt::unavailable);
  if (attempt == Attempt::committed) metrics_.observe_group(records);
  if (attempt == Attempt::unavailable) {
    metrics_.count_db_error();
    log_warn("records not stored", {{"records", std::to_string(records)}, {"error", error}});
  }
  size_t offset = 0;
  for (Submission& submission : group) {
    const size_t count = submission.records.size();
    WriteOutcome outcome;
    if (attempt == Attempt::committed) {
      outcome.committed = true;
      outcome.stored.assign(stored.begin() + static_cast<long>(offset), stored.begin() + static_cast<long>(offset + count));
      outcome.foreign.assign(foreign.begin() + static_cast<long>(offset),
                             foreign.begin() + static_cast<long>(offset + count));
      outcome.refused.assign(count, "");
    } else if (attempt == Attempt::refused) {
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
      case Attempt::committed:
        outcome.stored[i] = one[0];
        outcome.foreign[i] = one_foreign[0];
        break;
      case Attempt::refused: outcome.refused[i] = why; break;
      case Attempt::unavailable: return WriteOutcome{false, why, {}, {}, {}};
    }
  }
  return outcome;
}

}  // namespace digits::server
