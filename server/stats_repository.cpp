#include "stats_repository.h"

#include <map>

namespace digits::server {
namespace {

using Snapshot = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

// Any constant will do, as long as nothing else in the database uses it.
constexpr long kFoldLock = 0x6469676974730002;  // "digits" 2

// A recount scans every prediction: at ten million that takes longer than the statement
// timeout every connection has for the request path (database.cpp). It runs on the
// statistics thread, which serves the last figures meanwhile.
const char* const kRecountTimeout = "SET LOCAL statement_timeout = '30min'";

// The per_day window: the last 90 UTC days, today included.
const char* const kFirstDay = "(now() AT TIME ZONE 'UTC')::date - 89";

// Cells: (engine, predicted_digit, true_digit, bucket, model_digit, model_bucket) -> (count, latency_us):
// model_bucket is the model's own confidence tenth, -1 where it was not sent.
const char* const kRolledCells = R"SQL(
SELECT engine, predicted_digit, true_digit, bucket, model_digit, model_bucket, sum(count)::bigint,
       sum(latency_us)::bigint
FROM (SELECT engine, predicted_digit, true_digit, bucket, model_digit, model_bucket, count, latency_us
      FROM stats_cells
      UNION ALL
      SELECT engine, predicted_digit, true_digit, bucket, model_digit, model_bucket, count, latency_us
      FROM stats_changes) c
GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(count) <> 0
)SQL";
const char* const kCountedCells = R"SQL(
SELECT engine, predicted_digit, true_digit, bucket, model_digit, model_bucket, count(*)::bigint, sum(latency_us)::bigint
FROM prediction_counts GROUP BY 1, 2, 3, 4, 5, 6
)SQL";

// Days: day -> (predictions, labelled, correct, model_labelled, model_correct), from
// `first` on. The model's are the answered drawings whose model digit is known.
std::string rolled_days(const std::string& first) {
  return "SELECT day, sum(predictions)::bigint, sum(labelled)::bigint, sum(correct)::bigint,"
         " sum(model_labelled)::bigint, sum(model_correct)::bigint FROM ("
         " SELECT day, predictions, labelled, correct, model_labelled, model_correct FROM stats_days WHERE day >= " +
         first +
         " UNION ALL SELECT day, count, CASE WHEN true_digit >= 0 THEN count ELSE 0 END,"
         "  CASE WHEN true_digit = predicted_digit THEN count ELSE 0 END,"
         "  CASE WHEN true_digit >= 0 AND model_digit >= 0 THEN count ELSE 0 END,"
         "  CASE WHEN true_digit >= 0 AND true_digit = model_digit THEN count ELSE 0 END"
         " FROM stats_changes WHERE day >= " + first +
         ") d GROUP BY day HAVING sum(predictions) <> 0";
}
std::string counted_days(const std::string& first) {
  return "SELECT day, count(*)::bigint, count(*) FILTER (WHERE true_digit >= 0)::bigint,"
         " count(*) FILTER (WHERE true_digit = predicted_digit)::bigint,"
         " count(*) FILTER (WHERE true_digit >= 0 AND model_digit >= 0)::bigint,"
         " count(*) FILTER (WHERE true_digit >= 0 AND true_digit = model_digit)::bigint FROM prediction_counts"
         " WHERE day >= " + first + " GROUP BY day";
}

const char* const kFold = R"SQL(
WITH moved AS (DELETE FROM stats_changes RETURNING *),
cells AS (
  INSERT INTO stats_cells AS c (engine, predicted_digit, true_digit, bucket, model_digit, model_bucket, count,
                                latency_us)
  SELECT engine, predicted_digit, true_digit, bucket, model_digit, model_bucket, sum(count), sum(latency_us)
  FROM moved GROUP BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (engine, predicted_digit, true_digit, bucket, model_digit, model_bucket)
  DO UPDATE SET count = c.count + excluded.count, latency_us = c.latency_us + excluded.latency_us)
INSERT INTO stats_days AS d (day, predictions, labelled, correct, model_labelled, model_correct)
SELECT day, sum(count), coalesce(sum(count) FILTER (WHERE true_digit >= 0), 0),
       coalesce(sum(count) FILTER (WHERE true_digit = predicted_digit), 0),
       coalesce(sum(count) FILTER (WHERE true_digit >= 0 AND model_digit >= 0), 0),
       coalesce(sum(count) FILTER (WHERE true_digit >= 0 AND true_digit = model_digit), 0)
FROM moved GROUP BY day
ON CONFLICT (day) DO UPDATE SET predictions = d.predictions + excluded.predictions,
                                labelled = d.labelled + excluded.labelled, correct = d.correct + excluded.correct,
                                model_labelled = d.model_labelled + excluded.model_labelled,
                                model_correct = d.model_correct + excluded.model_correct
)SQL";

Counts& add(Counts& counts, int64_t count, bool labelled, bool correct) {
  counts.predictions += count;
  if (labelled) counts.labelled += count;
  if (correct) counts.correct += count;
  return counts;
}

Stats stats_from(const pqxx::result& cells, const pqxx::result& days) {
  Stats stats;
  std::map<std::string, EngineFigures> engines;
  for (const auto& row : cells) {
    const std::string engine = row[0].c_str();
    const int predicted = row[1].as<int>(), truth = row[2].as<int>(), bucket = row[3].as<int>();
    const int model = row[4].as<int>(), model_bucket = row[5].as<int>();
    const int64_t count = row[6].as<int64_t>(), latency_us = row[7].as<int64_t>();
    const bool labelled = truth >= 0, correct = truth == predicted;
    add(stats.total, count, labelled, correct);
    if (model >= 0) add(stats.model, count, labelled, truth == model);
    if (model >= 0 && labelled) add(stats.model_per_digit.at(static_cast<size_t>(truth)), count, true, truth == model);
    add(stats.confidence.at(static_cast<size_t>(bucket)), count, labelled, correct);
    if (model >= 0 && model_bucket >= 0) {
      add(stats.model_confidence.at(static_cast<size_t>(model_bucket)), count, labelled, truth == model);
    }
    if (labelled) stats.confusion.at(static_cast<size_t>(truth)).at(static_cast<size_t>(predicted)) += count;
    EngineFigures& figures = engines[engine];
    figures.engine = engine;
    figures.predictions += count;
    figures.latency_us += latency_us;
  }
  for (auto& [name, figures] : engines) {
    if (figures.predictions != 0) stats.engines.push_back(figures);
  }
  for (const auto& row : days) {
    const int64_t model_labelled = row[4].as<int64_t>();
    stats.per_day.push_back({row[0].c_str(), Counts{row[1].as<int64_t>(), row[2].as<int64_t>(), row[3].as<int64_t>()},
                             Counts{model_labelled, model_labelled, row[5].as<int64_t>()}});
  }
  return stats;
}

}  // namespace

void fold_stats_changes(pqxx::connection& connection) {
  pqxx::work transaction(connection);
  transaction.exec_params("SELECT pg_advisory_xact_lock($1)", kFoldLock);
  transaction.exec(kFold);
  transaction.commit();
}

Stats read_stats(pqxx::connection& connection) {
  Snapshot transaction(connection);
  const pqxx::result cells = transaction.exec(kRolledCells);
  return stats_from(cells, transaction.exec(rolled_days(kFirstDay) + " ORDER BY day"));
}

Stats recount_stats(pqxx::connection& connection) {
  Snapshot transaction(connection);
  const pqxx::result cells = transaction.exec(kCountedCells);
  return stats_from(cells, transaction.exec(counted_days(kFirstDay) + " ORDER BY day"));
}

int64_t count_stats_mismatches(pqxx::connection& connection) {
  // One scan of the predictions serves both comparisons: counted by day and cell at once,
  // then summed each way (a scan per side of each EXCEPT would be four).
  const std::string always = "'-infinity'::date";
  const std::string sql = R"SQL(
WITH counted AS MATERIALIZED (
  SELECT day, engine, predicted_digit, true_digit, bucket, model_digit, model_bucket, count(*) AS n,
         sum(latency_us) AS latency_us
  FROM prediction_counts GROUP BY 1, 2, 3, 4, 5, 6, 7),
counted_cells AS (
  SELECT engine, predicted_digit, true_digit, bucket, model_digit, model_bucket, sum(n)::bigint, sum(latency_us)::bigint
  FROM counted GROUP BY 1, 2, 3, 4, 5, 6),
counted_days AS (
  SELECT day, sum(n)::bigint, coalesce(sum(n) FILTER (WHERE true_digit >= 0), 0)::bigint,
         coalesce(sum(n) FILTER (WHERE true_digit = predicted_digit), 0)::bigint,
         coalesce(sum(n) FILTER (WHERE true_digit >= 0 AND model_digit >= 0), 0)::bigint,
         coalesce(sum(n) FILTER (WHERE true_digit >= 0 AND true_digit = model_digit), 0)::bigint
  FROM counted GROUP BY day),
rolled_cells AS ()SQL" + std::string(kRolledCells) + R"SQL(),
rolled_days AS ()SQL" + rolled_days(always) + R"SQL()
SELECT (SELECT count(*) FROM ((TABLE rolled_cells EXCEPT TABLE counted_cells)
                              UNION ALL (TABLE counted_cells EXCEPT TABLE rolled_cells)) c)
     + (SELECT count(*) FROM ((TABLE rolled_days EXCEPT TABLE counted_days)
                              UNION ALL (TABLE counted_days EXCEPT TABLE rolled_days)) d)
)SQL";
  Snapshot transaction(connection);
  transaction.exec(kRecountTimeout);
  return transaction.exec1(sql)[0].as<int64_t>();
}

void rebuild_stats(pqxx::connection& connection) {
  pqxx::transaction<pqxx::repeatable_read> transaction(connection);
  transaction.exec(kRecountTimeout);
  transaction.exec_params("SELECT pg_advisory_xact_lock($1)", kFoldLock);
  transaction.exec("DELETE FROM stats_changes");
  transaction.exec("DELETE FROM stats_cells");
  transaction.exec("DELETE FROM stats_days");
  transaction.exec(std::string("INSERT INTO stats_cells (engine, predicted_digit, true_digit, bucket, model_digit,"
                               " model_bucket, count, latency_us) ") + kCountedCells);
  transaction.exec("INSERT INTO stats_days (day, predictions, labelled, correct, model_labelled, model_correct) " +
                   counted_days("'-infinity'::date"));
  transaction.commit();
}

}  // namespace digits::server
