// The SQL of GET /api/stats: figures read from the running counts of
// sql/003_stats_rollup.sql, and the full recount they must always equal. Functions take
// a libpqxx connection and throw libpqxx's exceptions.
#pragma once

#include <array>
#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace digits::server {

struct Counts {
  int64_t predictions = 0;
  int64_t labelled = 0;
  int64_t correct = 0;
};
struct EngineFigures {
  std::string engine;
  int64_t predictions = 0;
  int64_t latency_us = 0;  // the sum over its predictions
};
struct DayFigures {
  std::string day;  // "YYYY-MM-DD" (UTC)
  Counts app;
  Counts model;     // the answered drawings whose model digit is known
};
struct Stats {
  Counts total;
  Counts model;  // the model's own answers, where the app sent them (model_digit): before the person's memory
  std::array<std::array<int64_t, 10>, 10> confusion{};  // [true][predicted]
  std::array<Counts, 10> model_per_digit{};              // `model` by the digit people said it was
  std::vector<DayFigures> per_day;                       // the last 90 days
  std::array<Counts, 10> confidence{};                   // buckets [0,0.1) ... [0.9,1]
  std::array<Counts, 10> model_confidence{};             // `model` by the model's own confidence, where sent
  std::vector<EngineFigures> engines;                    // by name
};

// Moves the changes appended since the last fold into the running counts. One fold runs
// at a time across every server sharing the database.
void fold_stats_changes(pqxx::connection& connection);
// The figures from the running counts and the changes not folded yet, in one snapshot:
// a few thousand rows at most, whatever the number of predictions.
Stats read_stats(pqxx::connection& connection);
// The same figures from every prediction row: what read_stats must always equal.
Stats recount_stats(pqxx::connection& connection);
// How many cells and days of the running counts differ from a recount, in one snapshot.
int64_t count_stats_mismatches(pqxx::connection& connection);
// Replaces the running counts with a recount, in one snapshot; changes committed after
// it stay to be folded.
void rebuild_stats(pqxx::connection& connection);

}  // namespace digits::server
