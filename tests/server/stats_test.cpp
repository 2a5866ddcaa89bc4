// GET /api/stats from running counts: always equal to a full recount, rebuilt when made
// wrong, and never in the way of other requests.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include <rapidjson/document.h>

#include "database.h"
#include "export_feedback.h"
#include "read_pool.h"
#include "stats_repository.h"
#include "stats_service.h"
#include "support.h"

using namespace digits::test;
namespace server = digits::server;
using digits::Status;

namespace {

// The JSON a full recount gives, as GET /api/stats would serve it.
std::string recount_json() {
  auto connection = server::connect_database(Postgres::instance().connection_string());
  REQUIRE(connection.ok());
  return server::stats_json(server::recount_stats(*connection.value()));
}

// Waits until the served figures equal a recount; returns the last body served.
std::string served_when_equal_to_recount(int port, const std::string& query = "") {
  std::string body;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const Response response = http(port, "GET", "/api/stats" + query);
    body = response.body;
    if (response.status == 200 && body == recount_json()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return body;
}

std::string metric(int port, const std::string& name) {
  const std::string text = http(port, "GET", "/metrics").body;
  const size_t at = text.find("\n" + name + " ");
  return at == std::string::npos ? "" : text.substr(at + name.size() + 2, text.find('\n', at + 1) - at - name.size() - 2);
}

// The model's own figures for the one day of the served statistics.
std::string model_today(const std::string& served) {
  rapidjson::Document json;
  json.Parse(served.c_str());
  if (json.HasParseError() || !json["per_day"].IsArray() || json["per_day"].Size() != 1) return "not one day: " + served;
  const auto& model = json["per_day"][0]["model"];
  return std::to_string(model["labelled"].GetInt64()) + " answered, " + std::to_string(model["correct"].GetInt64()) +
         " right";
}

}  // namespace

TEST_CASE("the statistics equal a full recount through replays, late and early feedback, and a restart") {
  empty_tables();
  const std::string a = new_uuid(), b = new_uuid(), c = new_uuid(), early = new_uuid();
  {
    LocalServer server;
    const int port = server.port();
    REQUIRE(post_json(port, batch({prediction_json(a, "s", 7), prediction_json(b, "s", 3), prediction_json(c, "t", 1),
                                   feedback_json(new_uuid(), a, "s", 7)}))
                .status == 200);
    // A replay of the same records, feedback before its prediction, and feedback that
    // changes its mind later (and feedback from someone else, which does not count).
    REQUIRE(post_json(port, batch({prediction_json(a, "s", 7), prediction_json(b, "s", 3)})).status == 200);
    REQUIRE(post_json(port, feedback_json(new_uuid(), early, "s", 4, "2026-11-23T10:00:01Z")).status == 200);
    REQUIRE(post_json(port, feedback_json(new_uuid(), b, "s", 8, "2026-11-23T10:00:02Z")).status == 200);
    REQUIRE(post_json(port, feedback_json(new_uuid(), b, "s", 3, "2026-11-23T10:00:09Z")).status == 200);
    CHECK(post_json(port, feedback_json(new_uuid(), c, "s", 2)).status == 422);  // not theirs to label
    REQUIRE(post_json(port, prediction_json(early, "s", 9)).status == 200);
    CHECK(eventually("SELECT count(true_digit) FROM predictions", "3") == "3");
    const std::string served = served_when_equal_to_recount(port);
    CHECK(served == recount_json());
    CHECK(served.find("\"total\":{\"predictions\":4,\"labelled\":3,\"correct\":2") != std::string::npos);
    // Unexpected parameters change nothing.
    CHECK(http(port, "GET", "/api/stats?days=100000&x").body == served);
  }
  LocalServer restarted;
  CHECK(served_when_equal_to_recount(restarted.port()) == recount_json());
}

TEST_CASE("the model's own accuracy is counted beside the app's, through a change of mind and a deletion") {
  empty_tables();
  LocalServer server;
  const int port = server.port();
  // The app's answer, and the model's before the person's memory: changed, the same,
  // not sent (an older client), changed the other way.
  const auto predicted = [](const std::string& id, const std::string& client, int app, int model) {
    const Fields fields = prediction_fields(id, client, app);
    return object_json(model < 0 ? without(without(fields, "model_digit"), "model_confidence")
                                 : with(fields, "model_digit", std::to_string(model)));
  };
  const std::string a = new_uuid(), b = new_uuid(), c = new_uuid(), d = new_uuid();
  REQUIRE(post_json(port, batch({predicted(a, "m", 7, 1), predicted(b, "m", 3, 3), predicted(c, "m", 4, -1),
                                 predicted(d, "other", 5, 6), feedback_json(new_uuid(), a, "m", 7),
                                 feedback_json(new_uuid(), b, "m", 3), feedback_json(new_uuid(), c, "m", 9),
                                 feedback_json(new_uuid(), d, "other", 6)}))
              .status == 200);
  CHECK(eventually("SELECT count(true_digit) FROM predictions", "4") == "4");
  std::string served = served_when_equal_to_recount(port);
  CHECK(served == recount_json());
  CHECK(served.find("\"total\":{\"predictions\":4,\"labelled\":4,\"correct\":2") != std::string::npos);
  CHECK(served.find("\"model\":{\"predictions\":3,\"labelled\":3,\"correct\":2") != std::string::npos);
  // By digit: the 7 the memory made of the model's 1; the 9 whose model digit is not known.
  CHECK(served.find("{\"digit\":7,\"predictions\":1,\"labelled\":1,\"correct\":1,\"accuracy\":1.0,"
                    "\"model\":{\"predictions\":1,\"labelled\":1,\"correct\":0,\"accuracy\":0.0}}") != std::string::npos);
  CHECK(served.find("{\"digit\":9,\"predictions\":1,\"labelled\":1,\"correct\":0,\"accuracy\":0.0,"
                    "\"model\":{\"predictions\":0,\"labelled\":0,\"correct\":0,\"accuracy\":null}}") != std::string::npos);
  // And today's, by day.
  CHECK(model_today(served) == "3 answered, 2 right");

  // The person says a was a 1 after all: the memory's change was wrong, the model right.
  REQUIRE(post_json(port, feedback_json(new_uuid(), a, "m", 1, "2026-11-23T10:00:09Z")).status == 200);
  CHECK(eventually("SELECT true_digit FROM predictions WHERE record_id = '" + a + "'", "1") == "1");
  served = served_when_equal_to_recount(port);
  CHECK(served == recount_json());
  CHECK(served.find("\"total\":{\"predictions\":4,\"labelled\":4,\"correct\":1") != std::string::npos);
  CHECK(served.find("\"model\":{\"predictions\":3,\"labelled\":3,\"correct\":3") != std::string::npos);
  CHECK(model_today(served) == "3 answered, 3 right");
  CHECK(served.find("{\"digit\":1,\"predictions\":1,\"labelled\":1,\"correct\":0,\"accuracy\":0.0,"
                    "\"model\":{\"predictions\":1,\"labelled\":1,\"correct\":1,\"accuracy\":1.0}}") != std::string::npos);

  REQUIRE(http(port, "DELETE", "/api/history?client_id=other").status == 200);
  served = served_when_equal_to_recount(port);
  CHECK(served == recount_json());
  CHECK(served.find("\"total\":{\"predictions\":3,\"labelled\":3,\"correct\":1") != std::string::npos);
  CHECK(served.find("\"model\":{\"predictions\":2,\"labelled\":2,\"correct\":2") != std::string::npos);
  CHECK(model_today(served) == "2 answered, 2 right");
}

TEST_CASE("the model's own accuracy is counted by its own confidence, where the app sent it") {
  empty_tables();
  LocalServer server;
  const int port = server.port();
  // The app's answer, always 91% sure; the model's, as sure as given ("" for a client that
  // did not send how sure).
  const auto predicted = [](const std::string& id, int app, int model, const std::string& model_confidence) {
    const Fields fields = with(prediction_fields(id, "mc", app), "model_digit", std::to_string(model));
    return object_json(model_confidence.empty() ? without(fields, "model_confidence")
                                                : with(fields, "model_confidence", model_confidence));
  };
  const auto bucket = [](const std::string& served, int tenth) {
    rapidjson::Document json;
    json.Parse(served.c_str());
    if (json.HasParseError() || !json["confidence"].IsArray()) return "not statistics: " + served;
    const auto& app = json["confidence"][tenth];
    const auto& model = app["model"];
    return "app " + std::to_string(app["predictions"].GetInt64()) + "/" + std::to_string(app["labelled"].GetInt64()) +
           "/" + std::to_string(app["correct"].GetInt64()) + ", model " +
           std::to_string(model["predictions"].GetInt64()) + "/" + std::to_string(model["labelled"].GetInt64()) + "/" +
           std::to_string(model["correct"].GetInt64());
  };
  const std::string a = new_uuid(), b = new_uuid(), c = new_uuid(), d = new_uuid();
  REQUIRE(post_json(port, batch({predicted(a, 7, 1, "0.55"), predicted(b, 3, 3, "0.97"), predicted(c, 4, 4, ""),
                                 predicted(d, 5, 5, "0.92"), feedback_json(new_uuid(), a, "mc", 7),
                                 feedback_json(new_uuid(), b, "mc", 3), feedback_json(new_uuid(), c, "mc", 4)}))
              .status == 200);
  CHECK(eventually("SELECT count(true_digit) FROM predictions", "3") == "3");
  std::string served = served_when_equal_to_recount(port);
  CHECK(served == recount_json());
  // predictions/answered/right: the app's by its 91%; the model's by its own.
  CHECK(bucket(served, 9) == "app 4/3/3, model 2/1/1");
  CHECK(bucket(served, 5) == "app 0/0/0, model 1/1/0");
  CHECK(bucket(served, 4) == "app 0/0/0, model 0/0/0");

  // The person says a was a 1 after all: the model, 55% sure, was right.
  REQUIRE(post_json(port, feedback_json(new_uuid(), a, "mc", 1, "2026-11-23T10:00:09Z")).status == 200);
  CHECK(eventually("SELECT true_digit FROM predictions WHERE record_id = '" + a + "'", "1") == "1");
  served = served_when_equal_to_recount(port);
  CHECK(served == recount_json());
  CHECK(bucket(served, 9) == "app 4/3/2, model 2/1/1");
  CHECK(bucket(served, 5) == "app 0/0/0, model 1/1/1");

  REQUIRE(http(port, "DELETE", "/api/history?client_id=mc").status == 200);
  served = served_when_equal_to_recount(port);
  CHECK(served == recount_json());
  CHECK(bucket(served, 9) == "app 0/0/0, model 0/0/0");
  CHECK(bucket(served, 5) == "app 0/0/0, model 0/0/0");
}

TEST_CASE("a database counted before the model's figures per day gets them from its migration, equal to a recount") {
  const std::string cluster = "host=127.0.0.1 port=" + std::to_string(Postgres::instance().port());
  const auto as_admin = [&](const std::string& sql) {
    pqxx::connection connection(cluster + " dbname=postgres user=postgres");
    pqxx::nontransaction(connection).exec(sql);
  };
  as_admin("DROP DATABASE IF EXISTS digits_upgrade");
  as_admin("CREATE DATABASE digits_upgrade OWNER digits_owner");
  // The schema as it was before: migrations 001-008.
  const std::filesystem::path older = std::filesystem::temp_directory_path() / ("digits-migrations-" + new_uuid());
  std::filesystem::create_directories(older);
  for (const auto& entry : std::filesystem::directory_iterator(DIGITS_SOURCE_DIR "/sql")) {
    if (std::stoi(entry.path().filename().string()) <= 8) std::filesystem::copy(entry.path(), older / entry.path().filename());
  }
  {
    pqxx::connection connection(cluster + " dbname=digits_upgrade user=digits_owner");
    REQUIRE(server::apply_migrations(connection, older.string()).ok());
    // Predictions over three days, some answered, some with the model's digit; those of
    // the two earlier days folded into the counts, the rest still as appended changes.
    const auto store = [&](int first, int last, const std::string& days_ago) {
      pqxx::work transaction(connection);
      transaction.exec(R"SQL(
INSERT INTO predictions (record_id, client_id, "timestamp", client_created_at, predicted_digit, confidence,
                         probabilities, true_digit, engine, model_version, latency_ms, model_digit)
SELECT gen_random_uuid(), 'upgrade', now() - ()SQL" + days_ago + R"SQL() * interval '1 day', now(), i % 10, 0.95,
       array_fill(0.1::real, ARRAY[10]), CASE WHEN i % 4 = 0 THEN NULL ELSE (i + i / 7) % 10 END, 'native', 'm', 1,
       CASE WHEN i % 5 = 0 THEN NULL ELSE (i + i / 3) % 10 END
FROM generate_series()SQL" + std::to_string(first) + ", " + std::to_string(last) + ") i");
      transaction.commit();
    };
    store(1, 80, "1 + i % 2");
    {
      pqxx::work transaction(connection);
      transaction.exec("INSERT INTO stats_cells (engine, predicted_digit, true_digit, bucket, model_digit, count, latency_us)"
                       " SELECT engine, predicted_digit, true_digit, bucket, model_digit, count(*), sum(latency_us)"
                       " FROM prediction_counts GROUP BY 1, 2, 3, 4, 5");
      transaction.exec("INSERT INTO stats_days (day, predictions, labelled, correct) SELECT day, count(*),"
                       " count(*) FILTER (WHERE true_digit >= 0), count(*) FILTER (WHERE true_digit = predicted_digit)"
                       " FROM prediction_counts GROUP BY day");
      transaction.commit();
    }
    store(81, 140, "i % 2");
    {
      pqxx::work transaction(connection);
      transaction.exec("INSERT INTO stats_changes (day, engine, predicted_digit, true_digit, bucket, count, latency_us,"
                       " model_digit) SELECT stats_day(\"timestamp\"), engine, predicted_digit, coalesce(true_digit, -1),"
                       " stats_bucket(confidence), count(*), sum(stats_latency_us(latency_ms)), coalesce(model_digit, -1)"
                       " FROM predictions WHERE id > 80 GROUP BY 1, 2, 3, 4, 5, 8");
      transaction.commit();
    }
    {
      pqxx::nontransaction transaction(connection);  // every prediction counted once, as the server keeps them
      REQUIRE(transaction.exec1("SELECT (SELECT sum(predictions) FROM stats_days) + (SELECT sum(count) FROM stats_changes)"
                                " = (SELECT count(*) FROM predictions)")[0].as<bool>());
    }

    REQUIRE(server::apply_migrations(connection, DIGITS_SOURCE_DIR "/sql").ok());
    CHECK(server::count_stats_mismatches(connection) == 0);
    const server::Stats rolled = server::read_stats(connection);
    CHECK(server::stats_json(rolled) == server::stats_json(server::recount_stats(connection)));
    REQUIRE(rolled.per_day.size() == 3);
    for (const server::DayFigures& day : rolled.per_day) {
      CHECK(day.model.labelled > 0);
      CHECK(day.model.correct > 0);
      CHECK(day.model.labelled < day.app.labelled);  // not every answered drawing has the model's digit
    }
    server::fold_stats_changes(connection);
    CHECK(server::count_stats_mismatches(connection) == 0);
    CHECK(server::stats_json(server::read_stats(connection)) == server::stats_json(rolled));
  }
  as_admin("DROP DATABASE digits_upgrade");
  std::filesystem::remove_all(older);
}

TEST_CASE("deleting one drawing, or all of a client's, takes them out of the statistics") {
  empty_tables();
  LocalServer server;
  const int port = server.port();
  const std::string a = new_uuid(), b = new_uuid(), c = new_uuid();
  REQUIRE(post_json(port, batch({prediction_json(a, "gone", 7), prediction_json(b, "gone", 3),
                                 prediction_json(c, "kept", 1), feedback_json(new_uuid(), a, "gone", 7),
                                 feedback_json(new_uuid(), c, "kept", 4)}))
              .status == 200);
  CHECK(eventually("SELECT count(true_digit) FROM predictions", "2") == "2");
  CHECK(served_when_equal_to_recount(port).find("\"total\":{\"predictions\":3,\"labelled\":2,\"correct\":1") !=
        std::string::npos);
  // One drawing first, then the rest.
  REQUIRE(http(port, "DELETE", "/api/history?client_id=gone&id=" + a).status == 200);
  std::string served = served_when_equal_to_recount(port);
  CHECK(served == recount_json());
  CHECK(served.find("\"total\":{\"predictions\":2,\"labelled\":1,\"correct\":0") != std::string::npos);
  REQUIRE(http(port, "DELETE", "/api/history?client_id=gone").status == 200);
  served = served_when_equal_to_recount(port);
  CHECK(served == recount_json());
  CHECK(served.find("\"total\":{\"predictions\":1,\"labelled\":1,\"correct\":0") != std::string::npos);
}

TEST_CASE("feedback its prediction has not taken is applied after the next start, and counted") {
  empty_tables();
  const std::string taken = new_uuid(), waiting = new_uuid();
  {
    LocalServer server;
    REQUIRE(post_json(server.port(), batch({prediction_json(taken, "w", 7), prediction_json(waiting, "w", 3),
                                            feedback_json(new_uuid(), taken, "w", 1, "2026-11-23T10:00:09Z")}))
                .status == 200);
    CHECK(eventually("SELECT count(true_digit) FROM predictions", "1") == "1");
  }
  // As if the transaction applying their feedback had failed after their group committed:
  // rows in the feedback table that no prediction took. The one older than what `taken`
  // took must stay unapplied.
  Postgres::instance().scalar("INSERT INTO feedback (record_id, prediction_id, client_id, true_digit, client_created_at) "
                              "VALUES (gen_random_uuid(), '" + waiting + "', 'w', 8, '2026-11-23T10:00:05Z'), "
                              "(gen_random_uuid(), '" + taken + "', 'w', 6, '2026-11-23T10:00:05Z')");
  LocalServer restarted;
  CHECK(eventually("SELECT true_digit FROM predictions WHERE record_id = '" + waiting + "'", "8") == "8");
  CHECK(Postgres::instance().scalar("SELECT true_digit FROM predictions WHERE record_id = '" + taken + "'") == "1");
  // Counted as it was applied, not mended by a rebuild.
  CHECK(served_when_equal_to_recount(restarted.port()) == recount_json());
  CHECK(metric(restarted.port(), "digits_stats_rebuilds_total") == "0");
}

TEST_CASE("running counts made wrong behind the triggers' back are found, rebuilt and reported") {
  empty_tables();
  server::Config config = LocalServer::config_for_tests();
  config.stats.verify = std::chrono::seconds(1);
  LocalServer server(config);
  REQUIRE(post_json(server.port(), batch({prediction_json(new_uuid(), "v", 7), prediction_json(new_uuid(), "v", 2)}))
              .status == 200);
  served_when_equal_to_recount(server.port());
  const std::string rebuilt_before = metric(server.port(), "digits_stats_rebuilds_total");
  Postgres::instance().scalar("UPDATE stats_cells SET count = count + 5");
  Postgres::instance().scalar("INSERT INTO stats_days VALUES ('2001-01-01', 3, 0, 0)");
  std::string rebuilt;
  for (int attempt = 0; attempt < 100 && (rebuilt.empty() || rebuilt == rebuilt_before); ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    rebuilt = metric(server.port(), "digits_stats_rebuilds_total");
  }
  CHECK(std::stoi(rebuilt) == std::stoi(rebuilt_before) + 1);
  CHECK(served_when_equal_to_recount(server.port()) == recount_json());
  // Each comparison is counted and timed for /metrics.
  CHECK(std::stoi(metric(server.port(), "digits_stats_verifications_total")) >= 2);
  const double verify_seconds = std::stod(metric(server.port(), "digits_stats_verify_seconds"));
  CHECK(verify_seconds > 0.0);
  CHECK(verify_seconds < 5.0);
  CHECK(Postgres::instance().scalar("SELECT count(*) FROM stats_days WHERE day = '2001-01-01'") == "0");
}

TEST_CASE("a locked table holds up none but its own readers and deleters: health, stats and files answer meanwhile") {
  LocalServer server;
  const int port = server.port();
  served_when_equal_to_recount(port);
  auto owner = server::connect_database(Postgres::instance().owner_connection_string());
  REQUIRE(owner.ok());
  auto lock = std::make_unique<pqxx::work>(*owner.value());
  lock->exec("LOCK TABLE predictions IN ACCESS EXCLUSIVE MODE");
  std::vector<std::future<Response>> readers;
  for (int i = 0; i < 8; ++i) {
    readers.push_back(std::async(std::launch::async, [port, i] {
      return http(port, i % 2 ? "DELETE" : "GET", "/api/history?client_id=locked");
    }));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the readers are waiting on the lock
  const auto start = std::chrono::steady_clock::now();
  CHECK(http(port, "GET", "/healthz").status == 200);
  CHECK(http(port, "GET", "/api/stats").status == 200);
  CHECK(http(port, "GET", "/").status == 200);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
  for (auto& reader : readers) CHECK(reader.wait_for(std::chrono::seconds(0)) == std::future_status::timeout);
  lock->abort();
  for (auto& reader : readers) CHECK(reader.get().status == 200);
}

TEST_CASE("reads beyond the pool's queue are refused at once, not queued without bound") {
  server::ReadPool pool(Postgres::instance().connection_string(), 1, 1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<Status> first, second, third;
  pool.submit([released](pqxx::connection&) { released.wait(); }, [&](Status s) { first.set_value(s); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the first is running, the queue is empty
  pool.submit([](pqxx::connection&) {}, [&](Status s) { second.set_value(s); });
  pool.submit([](pqxx::connection&) {}, [&](Status s) { third.set_value(s); });
  auto refused = third.get_future();
  REQUIRE(refused.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
  CHECK(!refused.get().ok());
  release.set_value();
  CHECK(first.get_future().get().ok());
  CHECK(second.get_future().get().ok());
}

TEST_CASE("the retention setting clears old images and strokes; predictions, feedback and figures stay") {
  const std::string old_labelled = new_uuid(), old = new_uuid(), recent = new_uuid();
  {
    empty_tables();
    LocalServer server;
    REQUIRE(post_json(server.port(), batch({prediction_json(old_labelled, "kept", 4), prediction_json(old, "kept", 5),
                                            prediction_json(recent, "kept", 6),
                                            feedback_json(new_uuid(), old_labelled, "kept", 9)}))
                .status == 200);
    CHECK(eventually("SELECT count(true_digit) FROM predictions", "1") == "1");
  }
  Postgres::instance().scalar("UPDATE predictions SET \"timestamp\" = now() - interval '3 days' WHERE record_id IN ('" +
                              old_labelled + "', '" + old + "')");
  const std::string figures = recount_json();

  server::Config config = LocalServer::config_for_tests();
  config.retention_days = 2;
  LocalServer server(config);
  CHECK(eventually("SELECT count(*) FROM predictions WHERE image_data IS NULL AND strokes IS NULL", "2") == "2");
  CHECK(Postgres::instance().scalar("SELECT count(*) FROM predictions WHERE record_id = '" + recent +
                                    "' AND image_data IS NOT NULL AND strokes IS NOT NULL") == "1");
  CHECK(Postgres::instance().scalar("SELECT true_digit FROM predictions WHERE record_id = '" + old_labelled + "'") == "9");
  CHECK(metric(server.port(), "digits_images_cleared_total") == "2");
  // Every figure as before, served as a recount would give it.
  CHECK(recount_json() == figures);
  CHECK(served_when_equal_to_recount(server.port()) == figures);
  // History says there is no image any more; the export leaves the drawing out.
  const Response history = http(server.port(), "GET", "/api/history?client_id=kept");
  CHECK(history.body.find("\"image\":null") != std::string::npos);
  size_t exported = 99;
  const std::string out = std::filesystem::temp_directory_path() / ("digits-retention-" + new_uuid());
  REQUIRE(server::export_feedback(server.app().config, out, exported).ok());
  CHECK(exported == 0);
  std::filesystem::remove_all(out);
}
