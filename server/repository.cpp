#include "repository.h"

#include <algorithm>
#include <unordered_map>

#include "binary_array.h"
#include "json_writer.h"

namespace digits::server {
namespace {

// A group's predictions travel as one array per column, in PostgreSQL's binary format
// (binary_array.h), and are unpacked by unnest: one round trip per statement however many
// records the group holds, and no text to parse but the timestamps and strokes (which
// the database reads as it would anyway). Unpacking five records from one JSON document
// took 60 us of the statement's 210 us. The probabilities are one flat array, ten per
// record. Rows go in ordered by record id, so two groups holding some of the same
// records (replays) take their locks in the same order and cannot deadlock. The rows
// stored are counted for the statistics in the same statement (sql/003_stats_rollup.sql).
std::string insert_predictions_sql(const char* on_conflict) {
  return std::string(R"SQL(
WITH stored AS (
INSERT INTO predictions (record_id, client_id, client_created_at, predicted_digit, confidence, probabilities,
                         image_data, engine, model_version, latency_ms, strokes, model_digit, model_confidence)
SELECT r.id, r.client_id, r.created_at::timestamptz, r.predicted_digit, r.confidence,
       ($6::real[])[r.n::int * 10 - 9 : r.n::int * 10], r.image, r.engine, r.model_version, r.latency_ms,
       r.strokes::jsonb, r.model_digit, r.model_confidence
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::smallint[], $5::real[], $7::bytea[], $8::text[], $9::text[],
            $10::real[], $11::text[], $12::smallint[], $13::real[]) WITH ORDINALITY
     AS r(id, client_id, created_at, predicted_digit, confidence, image, engine, model_version, latency_ms, strokes,
          model_digit, model_confidence, n)
ORDER BY r.id
)SQL") + on_conflict + R"SQL(
RETURNING record_id, "timestamp", engine, predicted_digit, confidence, latency_ms, model_digit, model_confidence),
counted AS (
  INSERT INTO stats_changes (day, engine, predicted_digit, true_digit, bucket, count, latency_us, model_digit,
                             model_bucket)
  SELECT stats_day("timestamp"), engine, predicted_digit, -1, stats_bucket(confidence), count(*),
         sum(stats_latency_us(latency_ms)), coalesce(model_digit, -1), stats_model_bucket(model_confidence)
  FROM stored GROUP BY 1, 2, 3, 5, 8, 9)
SELECT record_id::text FROM stored
)SQL";
}

// A group goes in without a conflict check: the speculative insertion behind ON CONFLICT
// (one more index search and WAL record per row) cost 3-6% of the rate at 16 and 64
// connections (docs/BENCHMARKS.md). A group holding a record that is stored already (a
// replay of a request whose answer the app never got, or the same record twice) then
// fails on the unique index, and the writer sends it again with the check, which skips
// such records.
const std::string kInsertPredictions = insert_predictions_sql("");
const std::string kInsertPredictionsSkippingStored = insert_predictions_sql("ON CONFLICT (record_id) DO NOTHING");

// Feedback is lighter and rarer: it travels as one json document, unpacked by
// json_to_recordset. Feedback on a prediction another client made is not stored: only
// the client that drew a digit says what it was. (Feedback that comes before its
// prediction is stored, and applied only if the prediction turns out to be the same
// client's.)
const char* const kInsertFeedback = R"SQL(
INSERT INTO feedback (record_id, prediction_id, client_id, true_digit, client_created_at)
SELECT r.id, r.prediction_id, r.client_id, r.true_digit, r.created_at
FROM json_to_recordset($1::json) AS r(id uuid, prediction_id uuid, client_id text, true_digit smallint,
                                      created_at timestamptz)
WHERE NOT EXISTS (SELECT 1 FROM predictions p WHERE p.record_id = r.prediction_id AND p.client_id <> r.client_id)
ORDER BY r.id
ON CONFLICT (record_id) DO NOTHING
RETURNING record_id::text
)SQL";

// Whether feedback waits for any of the predictions in $1 (a uuid array): feedback that
// came before its prediction. Almost never, so a group of predictions only runs this
// one index probe after its commit, and the full apply (below) only when it finds some.
const char* const kFeedbackWaiting = R"SQL(
SELECT 1 FROM feedback WHERE prediction_id = ANY($1::uuid[]) LIMIT 1
)SQL";

// The feedback records of a group that name another client's prediction.
const char* const kForeignFeedback = R"SQL(
SELECT r.id::text
FROM json_to_recordset($1::json) AS r(id uuid, prediction_id uuid, client_id text)
JOIN predictions p ON p.record_id = r.prediction_id AND p.client_id <> r.client_id
)SQL";

// Sets true_digit from the latest feedback on the predictions that `feedback` (SQL that
// names the feedback table f) selects. Only newer feedback replaces older: two of these
// running at once, in either order, leave the latest feedback in place; only the
// predicting client's feedback counts. The rows are locked in id order first, so that
// concurrent runs cannot deadlock, and what they held before is read under the lock:
// each change moves its prediction from one cell of the statistics to another.
std::string apply_feedback_sql(const char* feedback) {
  return std::string(R"SQL(
WITH latest AS MATERIALIZED (
  SELECT DISTINCT ON (f.prediction_id) f.id, f.prediction_id, f.true_digit, f.client_created_at, p.id AS row_id
  )SQL") + feedback + R"SQL(
  JOIN predictions p ON p.record_id = f.prediction_id AND p.client_id = f.client_id
  ORDER BY f.prediction_id, f.client_created_at DESC, f.id DESC),
locked AS MATERIALIZED (
  SELECT p.id, p.true_digit AS old_digit FROM predictions p WHERE p.id IN (SELECT row_id FROM latest)
  ORDER BY p.id FOR UPDATE),
changed AS (
  UPDATE predictions p
  SET true_digit = l.true_digit, feedback_at = l.client_created_at, feedback_id = l.id
  FROM latest l JOIN locked k ON k.id = l.row_id
  WHERE p.id = l.row_id
    AND (p.feedback_id IS NULL OR (l.client_created_at, l.id) > (p.feedback_at, p.feedback_id))
  RETURNING p."timestamp", p.engine, p.predicted_digit, p.confidence, p.latency_ms, k.old_digit, p.true_digit,
            p.model_digit, p.model_confidence)
INSERT INTO stats_changes (day, engine, predicted_digit, true_digit, bucket, count, latency_us, model_digit,
                           model_bucket)
SELECT stats_day(c."timestamp"), c.engine, c.predicted_digit, m.digit, stats_bucket(c.confidence), sum(m.sign),
       sum(m.sign * stats_latency_us(c.latency_ms)), coalesce(c.model_digit, -1),
       stats_model_bucket(c.model_confidence)
FROM changed c
CROSS JOIN LATERAL (VALUES (coalesce(c.old_digit, -1), -1), (c.true_digit, 1)) AS m(digit, sign)
WHERE c.old_digit IS DISTINCT FROM c.true_digit
GROUP BY 1, 2, 3, 4, 5, 8, 9
)SQL";
}

// $1 lists the predictions, as a JSON array of ids.
const std::string kApplyFeedback = apply_feedback_sql(
    "FROM json_array_elements_text($1::json) AS t(prediction_id)"
    " JOIN feedback f ON f.prediction_id = t.prediction_id::uuid");
// $1 < id <= $2, and only feedback its prediction has not taken: in the usual case
// nothing, so the walk locks no rows.
const std::string kApplyWaitingFeedback = apply_feedback_sql(
    "FROM (SELECT f.* FROM feedback f WHERE f.id > $1 AND f.id <= $2 AND EXISTS ("
    "  SELECT 1 FROM predictions q WHERE q.record_id = f.prediction_id AND q.client_id = f.client_id"
    "  AND (q.feedback_id IS NULL OR (f.client_created_at, f.id) > (q.feedback_at, q.feedback_id)))) f");

// The parameters of the predictions' insert, $1 to $13 in order.
std::vector<std::string> prediction_columns(const std::vector<const PredictionRecord*>& records) {
  const size_t n = records.size();
  BinaryArray ids(BinaryArray::kUuid, n), clients(BinaryArray::kText, n), created(BinaryArray::kText, n),
      digits(BinaryArray::kInt2, n), confidences(BinaryArray::kFloat4, n), probabilities(BinaryArray::kFloat4, n * 10),
      images(BinaryArray::kBytea, n), engines(BinaryArray::kText, n), versions(BinaryArray::kText, n),
      latencies(BinaryArray::kFloat4, n), strokes(BinaryArray::kText, n), model_digits(BinaryArray::kInt2, n),
      model_confidences(BinaryArray::kFloat4, n);
  for (const PredictionRecord* r : records) {
    ids.add_uuid(r->id);
    clients.add_text(r->client_id);
    created.add_text(r->created_at);
    digits.add_int2(static_cast<int16_t>(r->predicted_digit));
    confidences.add_float4(static_cast<float>(r->confidence));
    for (double p : r->probabilities) probabilities.add_float4(static_cast<float>(p));
    images.add_bytes(r->image.data(), r->image.size());
    engines.add_text(r->engine);
    versions.add_text(r->model_version);
    latencies.add_float4(static_cast<float>(r->latency_ms));
    if (r->strokes_json.empty()) {
      strokes.add_null();
    } else {
      strokes.add_text(r->strokes_json);
    }
    if (r->model_digit < 0) {
      model_digits.add_null();
    } else {
      model_digits.add_int2(static_cast<int16_t>(r->model_digit));
    }
    if (r->model_confidence < 0) {
      model_confidences.add_null();
    } else {
      model_confidences.add_float4(static_cast<float>(r->model_confidence));
    }
  }
  return {ids.take(),    clients.take(), created.take(),  digits.take(),    confidences.take(), probabilities.take(),
          images.take(), engines.take(), versions.take(), latencies.take(), strokes.take(), model_digits.take(),
          model_confidences.take()};
}

std::string feedback_json(const std::vector<const FeedbackRecord*>& records) {
  rapidjson::StringBuffer buffer;
  JsonWriter json(buffer);
  json.StartArray();
  for (const FeedbackRecord* r : records) {
    json.StartObject();
    field(json, "id", r->id);
    field(json, "prediction_id", r->prediction_id);
    field(json, "client_id", r->client_id);
    field(json, "true_digit", r->true_digit);
    field(json, "created_at", r->created_at);
    json.EndObject();
  }
  json.EndArray();
  return buffer.GetString();
}

std::string id_list_json(const std::vector<const std::string*>& ids) {
  rapidjson::StringBuffer buffer;
  JsonWriter json(buffer);
  json.StartArray();
  for (const std::string* id : ids) json.String(id->c_str(), static_cast<rapidjson::SizeType>(id->size()));
  json.EndArray();
  return buffer.GetString();
}

// Marks stored[i] for the records whose id the statement returned; each id counts once,
// so a second copy of a record in the same group is a duplicate too.
void mark_stored(const std::vector<std::string>& returned, const std::vector<size_t>& positions,
                 const std::vector<const std::string*>& ids, std::vector<bool>& stored) {
  std::unordered_map<std::string, size_t> first;
  for (size_t i = 0; i < ids.size(); ++i) first.emplace(*ids[i], positions[i]);
  for (const std::string& id : returned) {
    const auto found = first.find(id);
    if (found != first.end()) stored[found->second] = true;
  }
}

}  // namespace

Result<SentGroup> send_records(Pipeline& pipeline, const std::vector<const Record*>& records, bool skip_stored) {
  SentGroup group;
  group.records = records.size();
  group.skip_stored = skip_stored;
  std::vector<const PredictionRecord*> predictions;
  std::vector<const FeedbackRecord*> feedback;
  std::vector<const std::string*> touched;  // predictions whose true_digit these records may change
  for (size_t i = 0; i < records.size(); ++i) {
    if (const auto* p = std::get_if<PredictionRecord>(records[i])) {
      predictions.push_back(p);
      group.prediction_positions.push_back(i);
      group.prediction_ids.push_back(&p->id);
      touched.push_back(&p->id);
    } else {
      const auto& f = std::get<FeedbackRecord>(*records[i]);
      feedback.push_back(&f);
      group.feedback_positions.push_back(i);
      group.feedback_ids.push_back(&f.id);
      touched.push_back(&f.prediction_id);
    }
  }

  // The group's transaction, then in a transaction of its own the feedback apply for a
  // group with feedback, or the probe for waiting feedback for one of predictions only;
  // all sent before any answer is read.
  std::vector<std::string> prediction_rows;  // must outlive send(), like the strings below
  const std::string feedback_rows = feedback_json(feedback);
  std::string touched_ids;
  if (!predictions.empty()) {
    prediction_rows = prediction_columns(predictions);
    std::vector<Parameter> columns;
    for (const std::string& column : prediction_rows) columns.push_back(Parameter::binary(column));
    pipeline.add(skip_stored ? kInsertPredictionsSkippingStored.c_str() : kInsertPredictions.c_str(), columns);
  }
  if (!feedback.empty()) {
    pipeline.add(kInsertFeedback, {feedback_rows.c_str()});
    pipeline.add(kForeignFeedback, {feedback_rows.c_str()});
  }
  pipeline.commit();
  group.probe = feedback.empty() && !prediction_rows.empty();
  if (group.probe) {
    pipeline.add(kFeedbackWaiting, {Parameter::binary(prediction_rows[0])});  // the ids
  } else {
    touched_ids = id_list_json(touched);
    pipeline.add(kApplyFeedback.c_str(), {touched_ids.c_str()});
  }
  pipeline.commit();
  Status sent = pipeline.send();
  if (!sent.ok()) return sent;
  return group;
}

Result<StoreOutcome> receive_records(Pipeline& pipeline, const SentGroup& group, std::vector<bool>& stored,
                                     std::vector<bool>& foreign) {
  Result<std::vector<StatementResult>> ran = pipeline.receive();
  if (!ran.ok()) return ran.status();
  const std::vector<StatementResult>& results = ran.value();
  stored.assign(group.records, false);
  foreign.assign(group.records, false);

  StoreOutcome outcome;
  for (size_t i = 0; i + 1 < results.size(); ++i) {
    if (results[i].state == StatementResult::State::failed) {
      outcome.sqlstate = results[i].sqlstate;
      outcome.message = results[i].message;
      return outcome;
    }
  }
  outcome.committed = true;
  size_t next = 0;
  if (!group.prediction_ids.empty()) {
    mark_stored(results[next++].first_column, group.prediction_positions, group.prediction_ids, stored);
  }
  if (!group.feedback_ids.empty()) {
    mark_stored(results[next++].first_column, group.feedback_positions, group.feedback_ids, stored);
    mark_stored(results[next++].first_column, group.feedback_positions, group.feedback_ids, foreign);
  }
  const StatementResult* last = &results.back();
  std::vector<StatementResult> applied;
  if (group.probe && last->state == StatementResult::State::ok && !last->first_column.empty()) {
    // A group of predictions only: the predictions it touches are its own.
    const std::string touched_ids = id_list_json(group.prediction_ids);
    pipeline.add(kApplyFeedback.c_str(), {touched_ids.c_str()});
    Result<std::vector<StatementResult>> apply = pipeline.run();
    if (!apply.ok()) {
      outcome.apply_error = apply.status().message();
      return outcome;
    }
    applied = apply.take();
    last = &applied.back();
  }
  if (last->state != StatementResult::State::ok) outcome.apply_error = last->message;
  return outcome;
}

int64_t last_feedback_id(pqxx::connection& connection) {
  return pqxx::nontransaction(connection).exec1("SELECT coalesce(max(id), 0) FROM feedback")[0].as<int64_t>();
}

void apply_waiting_feedback(pqxx::connection& connection, int64_t after, int64_t last) {
  pqxx::nontransaction(connection).exec_params(kApplyWaitingFeedback, after, last);
}

std::vector<HistoryItem> read_history(pqxx::connection& connection, const std::string& client_id, int limit) {
  pqxx::read_transaction transaction(connection);
  const pqxx::result rows = transaction.exec_params(
      "SELECT record_id::text, to_char(client_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
      " predicted_digit, confidence, array_to_string(probabilities, ','), coalesce(true_digit, -1),"
      " encode(image_data, 'base64'), engine, model_version, latency_ms"
      " FROM predictions WHERE client_id = $1 ORDER BY client_created_at DESC, id DESC LIMIT $2",
      client_id, limit);
  std::vector<HistoryItem> items;
  for (const auto& row : rows) {
    HistoryItem item;
    item.id = row[0].c_str();
    item.created_at = row[1].c_str();
    item.predicted_digit = row[2].as<int>();
    item.confidence = row[3].as<double>();
    std::string probabilities = row[4].c_str();
    size_t start = 0;
    for (double& p : item.probabilities) {
      const size_t end = probabilities.find(',', start);
      p = std::stod(probabilities.substr(start, end - start));
      start = end + 1;
    }
    item.true_digit = row[5].as<int>();
    item.image_base64 = row[6].is_null() ? "" : row[6].c_str();
    item.image_base64.erase(std::remove(item.image_base64.begin(), item.image_base64.end(), '\n'),
                            item.image_base64.end());  // encode() wraps lines at 76
    item.engine = row[7].c_str();
    item.model_version = row[8].c_str();
    item.latency_ms = row[9].as<double>();
    items.push_back(std::move(item));
  }
  return items;
}

DeletedDrawings delete_client_drawings(pqxx::connection& connection, const std::string& client_id,
                                       const std::optional<std::string>& record_id) {
  pqxx::work transaction(connection);
  const pqxx::row row =
      record_id ? transaction.exec_params1(
                      "SELECT predictions_deleted, feedback_deleted FROM delete_client_drawings($1, $2::uuid)",
                      client_id, *record_id)
                : transaction.exec_params1(
                      "SELECT predictions_deleted, feedback_deleted FROM delete_client_drawings($1)", client_id);
  transaction.commit();
  return {row[0].as<int64_t>(), row[1].as<int64_t>()};
}

size_t clear_old_images(pqxx::connection& connection, int days, size_t limit, std::string& from) {
  // Walks the time index from where the last call stopped, so each run reads only rows
  // it has not cleared yet (and those stored in the same instant as the last one). Rows
  // are locked in id order, as the feedback apply locks them, so the two cannot deadlock.
  const pqxx::row result = pqxx::nontransaction(connection).exec_params1(
      "WITH due AS MATERIALIZED ("
      "  SELECT id FROM predictions WHERE \"timestamp\" >= $1::timestamptz"
      "   AND \"timestamp\" < now() - make_interval(days => $2) AND image_data IS NOT NULL"
      "  ORDER BY \"timestamp\" LIMIT $3),"
      " locked AS MATERIALIZED (SELECT id FROM predictions WHERE id IN (SELECT id FROM due) ORDER BY id FOR UPDATE),"
      " cleared AS ("
      "  UPDATE predictions SET image_data = NULL, strokes = NULL WHERE id IN (SELECT id FROM locked)"
      "  RETURNING \"timestamp\")"
      " SELECT count(*), coalesce(max(\"timestamp\")::text, $1::text) FROM cleared",
      from, days, static_cast<int64_t>(limit));
  from = result[1].c_str();
  return result[0].as<size_t>();
}

void read_labelled_images(pqxx::connection& connection, const std::function<void(size_t)>& begin,
                          const std::function<void(const uint8_t* image, int label)>& row) {
  // One snapshot, so the count written first is the count of rows that follow; pages by
  // id, so memory stays one page whatever the number of rows.
  pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> transaction(connection);
  begin(transaction.exec1("SELECT count(*) FROM predictions WHERE true_digit IS NOT NULL AND image_data IS NOT NULL")[0]
            .as<size_t>());
  std::vector<uint8_t> image(kImageBytes);
  auto nibble = [](char c) { return static_cast<uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10); };
  for (int64_t after = 0;;) {
    const pqxx::result page = transaction.exec_params(
        "SELECT id, encode(image_data, 'hex'), true_digit FROM predictions"
        " WHERE true_digit IS NOT NULL AND image_data IS NOT NULL AND id > $1 ORDER BY id LIMIT 5000",
        after);
    if (page.empty()) return;
    for (const auto& r : page) {
      after = r[0].as<int64_t>();
      const char* hex = r[1].c_str();
      for (size_t i = 0; i < kImageBytes; ++i) image[i] = static_cast<uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
      row(image.data(), r[2].as<int>());
    }
  }
}

}  // namespace digits::server
