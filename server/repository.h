// Every SQL statement the server runs, each with bound parameters only. Functions
// that take a libpqxx connection throw libpqxx's exceptions; the writer's send_records
// and receive_records return their errors. Callers decide what a lost connection means.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <pqxx/pqxx>
#include <optional>
#include <string>
#include <vector>

#include "pipeline.h"
#include "records.h"
#include "result.h"

namespace digits::server {

// How the database took a group of records. Not committed: it refused the group
// (sqlstate and message say why) and none of it was stored.
struct StoreOutcome {
  bool committed = false;
  std::string sqlstate;
  std::string message;
  std::string apply_error;  // committed, but its feedback not applied yet (see below)
};

// Stores a group of records in one transaction, then sets true_digit from the latest
// feedback for the predictions they touch, in a transaction of its own after the commit,
// so that a prediction and its feedback stored by two writers at once always meet:
// whichever applies last sees both. A group of predictions only first looks for feedback
// waiting for them, after its commit as well, and applies it only when there is some.
// Both transactions travel in one round trip (two in that rare case).
//
// In two halves, so that the database works on a group while the writer does something
// else: send_records sends it, receive_records reads how the database took it. Without
// skip_stored, a prediction that is stored already fails the whole group with
// kUniqueViolation (cheaper when there is none, the usual case); with it, such a record
// is skipped and reported as a duplicate. What
// send_records returns names the records: they must outlive receive_records, and nothing
// else may use the pipeline in between. stored[i] is true when records[i] was new, false
// when it was already there (a duplicate); foreign[i] is true when it is feedback on
// another client's prediction, which is not stored. An error means the connection failed
// and whether the group was stored is unknown.
struct SentGroup {
  size_t records = 0;
  std::vector<size_t> prediction_positions, feedback_positions;
  std::vector<const std::string*> prediction_ids, feedback_ids;
  bool probe = false;
  bool skip_stored = false;
};
inline constexpr const char* kUniqueViolation = "23505";
Result<SentGroup> send_records(Pipeline& pipeline, const std::vector<const Record*>& records, bool skip_stored);
Result<StoreOutcome> receive_records(Pipeline& pipeline, const SentGroup& group, std::vector<bool>& stored,
                                     std::vector<bool>& foreign);

// Feedback a prediction has not taken yet (the follow-up transaction failed, or the
// server stopped between the two): the highest feedback id, then applying what waits among
// the feedback with ids in (after, last], one slice at a time (feedback_catch_up.h).
int64_t last_feedback_id(pqxx::connection& connection);
void apply_waiting_feedback(pqxx::connection& connection, int64_t after, int64_t last);

struct HistoryItem {
  std::string id;
  std::string created_at;
  int predicted_digit = 0;
  double confidence = 0;
  std::array<double, 10> probabilities{};
  int true_digit = -1;  // -1: no feedback
  std::string image_base64;  // empty: cleared by the retention setting
  std::string engine;
  std::string model_version;
  double latency_ms = 0;
};
std::vector<HistoryItem> read_history(pqxx::connection& connection, const std::string& client_id, int limit);

// Deletes every prediction and piece of feedback of one client, or with a record id only
// that prediction and the client's feedback on it, and their counts in the statistics, in
// one transaction (sql/011_delete_one_drawing.sql).
struct DeletedDrawings {
  int64_t predictions = 0;
  int64_t feedback = 0;
};
DeletedDrawings delete_client_drawings(pqxx::connection& connection, const std::string& client_id,
                                       const std::optional<std::string>& record_id = std::nullopt);

// Clears image_data and strokes of up to `limit` predictions stored before `days` days
// ago, oldest first, from `from` on (a timestamp; "-infinity" at first). Returns how many
// it cleared and moves `from` to the last one's time, so the next call starts there.
size_t clear_old_images(pqxx::connection& connection, int days, size_t limit, std::string& from);

// Calls begin(count) once and then row(image, label) for each of the count predictions
// with feedback and an image, oldest first, all from one snapshot; holds one page of rows at a time.
void read_labelled_images(pqxx::connection& connection, const std::function<void(size_t)>& begin,
                          const std::function<void(const uint8_t* image, int label)>& row);

}  // namespace digits::server
