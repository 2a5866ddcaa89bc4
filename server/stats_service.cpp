#include "stats_service.h"

#include "database.h"
#include "gzip.h"
#include "json_writer.h"
#include "log.h"

namespace digits::server {
namespace {

void counts_fields(JsonWriter& json, const Counts& counts) {
  field(json, "predictions", counts.predictions);
  field(json, "labelled", counts.labelled);
  field(json, "correct", counts.correct);
  json.Key("accuracy");
  counts.labelled > 0 ? json.Double(static_cast<double>(counts.correct) / counts.labelled) : json.Null();
}

// By the digit people said it was: the app's answers, and the model's own within.
void per_digit(JsonWriter& json, const Stats& stats) {
  json.StartArray();
  for (int digit = 0; digit < 10; ++digit) {
    Counts counts;
    for (int predicted = 0; predicted < 10; ++predicted) counts.labelled += stats.confusion[digit][predicted];
    counts.predictions = counts.labelled;
    counts.correct = stats.confusion[digit][digit];
    json.StartObject();
    field(json, "digit", digit);
    counts_fields(json, counts);
    json.Key("model");
    json.StartObject();
    counts_fields(json, stats.model_per_digit[digit]);
    json.EndObject();
    json.EndObject();
  }
  json.EndArray();
}

// Rows: the true digit; columns: the predicted one.
void confusion(JsonWriter& json, const Stats& stats) {
  json.StartArray();
  for (const auto& row : stats.confusion) {
    json.StartArray();
    for (int64_t count : row) json.Int64(count);
    json.EndArray();
  }
  json.EndArray();
}

// The app's answers each day, and the model's own within.
void per_day(JsonWriter& json, const Stats& stats) {
  json.StartArray();
  for (const DayFigures& day : stats.per_day) {
    json.StartObject();
    field(json, "day", day.day);
    counts_fields(json, day.app);
    json.Key("model");
    json.StartObject();
    counts_fields(json, day.model);
    json.EndObject();
    json.EndObject();
  }
  json.EndArray();
}

// By how sure the app was; and the model's own answers by how sure the model was.
void by_confidence(JsonWriter& json, const Stats& stats) {
  json.StartArray();
  for (int bucket = 0; bucket < 10; ++bucket) {
    json.StartObject();
    field(json, "from", bucket / 10.0);
    field(json, "to", (bucket + 1) / 10.0);
    counts_fields(json, stats.confidence[bucket]);
    json.Key("model");
    json.StartObject();
    counts_fields(json, stats.model_confidence[bucket]);
    json.EndObject();
    json.EndObject();
  }
  json.EndArray();
}

void engines(JsonWriter& json, const Stats& stats) {
  json.StartArray();
  for (const EngineFigures& figures : stats.engines) {
    json.StartObject();
    field(json, "engine", figures.engine);
    field(json, "predictions", figures.predictions);
    field(json, "mean_latency_ms", static_cast<double>(figures.latency_us) / static_cast<double>(figures.predictions) / 1000.0);
    json.EndObject();
  }
  json.EndArray();
}

}  // namespace

std::string stats_json(const Stats& stats) {
  rapidjson::StringBuffer buffer;
  JsonWriter json(buffer);
  json.StartObject();
  json.Key("total");
  json.StartObject();
  counts_fields(json, stats.total);
  json.EndObject();
  json.Key("model");
  json.StartObject();
  counts_fields(json, stats.model);
  json.EndObject();
  json.Key("per_digit");
  per_digit(json, stats);
  json.Key("confusion");
  confusion(json, stats);
  json.Key("per_day");
  per_day(json, stats);
  json.Key("confidence");
  by_confidence(json, stats);
  json.Key("engines");
  engines(json, stats);
  json.EndObject();
  return buffer.GetString();
}

StatsService::StatsService(std::string connection_string, Metrics& metrics, StatsTiming timing)
    : connection_string_(std::move(connection_string)), metrics_(metrics), timing_(timing) {}

StatsService::~StatsService() { stop(); }

void StatsService::start() {
  thread_ = std::thread([this] { run(); });
}

void StatsService::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<std::shared_ptr<const StatsDocument>> StatsService::current() {
  std::lock_guard<std::mutex> lock(mutex_);
  // Old figures are fine while a recount keeps the thread busy; not once reading fails.
  if (!document_ || (refresh_failing_ && std::chrono::steady_clock::now() - computed_at_ > timing_.max_age)) {
    return Status::error("no recent statistics: the database has not answered");
  }
  return document_;
}

void StatsService::run() {
  using Clock = std::chrono::steady_clock;
  Clock::time_point verify_at = Clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const Status refreshed = refresh();
    if (!refreshed.ok()) log_warn("statistics not refreshed", {{"error", refreshed.message()}});
    {
      std::lock_guard<std::mutex> guard(mutex_);
      refresh_failing_ = !refreshed.ok();
    }
    if (refreshed.ok() && timing_.verify.count() > 0 && Clock::now() >= verify_at) {
      verify();
      verify_at = Clock::now() + timing_.verify;
    }
    lock.lock();
    wake_.wait_for(lock, timing_.refresh, [this] { return stopping_; });
  }
}

Status StatsService::with_connection(const std::function<void(pqxx::connection&)>& work) {
  if (!connection_) {
    Result<std::unique_ptr<pqxx::connection>> opened = connect_database(connection_string_);
    if (!opened.ok()) return opened.status();
    connection_ = opened.take();
  }
  try {
    work(*connection_);
  } catch (const std::exception& error) {
    connection_.reset();
    return Status::error(error.what());
  }
  return Status::success();
}

Status StatsService::refresh() {
  Stats stats;
  DIGITS_TRY(with_connection([&](pqxx::connection& connection) {
    fold_stats_changes(connection);
    stats = read_stats(connection);
  }));
  auto document = std::make_shared<StatsDocument>();
  document->json = stats_json(stats);
  document->gzipped = gzip(document->json);
  std::lock_guard<std::mutex> lock(mutex_);
  document_ = std::move(document);
  computed_at_ = std::chrono::steady_clock::now();
  return Status::success();
}

// A full recount costs a scan of every prediction, on this thread only; the figures
// served meanwhile are the last ones read.
void StatsService::verify() {
  int64_t mismatches = 0;
  const auto started = std::chrono::steady_clock::now();
  const Status checked = with_connection([&](pqxx::connection& connection) {
    mismatches = count_stats_mismatches(connection);
    if (mismatches > 0) rebuild_stats(connection);
  });
  if (!checked.ok()) {
    log_warn("statistics not verified", {{"error", checked.message()}});
    return;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.observe_stats_verification(seconds);
  log_info("statistics compared with a full recount", {{"seconds", std::to_string(seconds)}});
  if (mismatches > 0) {
    metrics_.count_stats_rebuild();
    log_warn("statistics differed from a recount and were rebuilt", {{"cells", std::to_string(mismatches)}});
    (void)refresh();
  }
}

}  // namespace digits::server
