// GET /api/stats from running counts: always equal to a full recount, rebuilt when made
// wrong, and never in the way of other requests.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

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

}  // namespace

TEST_CASE("the statistics equal a full recount through replays, late and early feedback, and a restart") {
  Postgres::instance().scalar("TRUNCATE predictions, feedback");
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
  Postgres::instance().scalar("TRUNCATE predictions, feedback");
  LocalServer server;
  const int port = server.port();
  // The app's answer, and the model's before the person's memory: changed, the same,
  // not sent (an older client), changed the other way.
  const auto predicted = [](const std::string& id, const std::string& client, int app, int model) {
    const Fields fields = prediction_fields(id, client, app);
    return object_json(model < 0 ? without(fields, "model_digit") : with(fields, "model_digit", std::to_string(model)));
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

  // The person says a was a 1 after all: the memory's change was wrong, the model right.
  REQUIRE(post_json(port, feedback_json(new_uuid(), a, "m", 1, "2026-11-23T10:00:09Z")).status == 200);
  CHECK(eventually("SELECT true_digit FROM predictions WHERE record_id = '" + a + "'", "1") == "1");
  served = served_when_equal_to_recount(port);
  CHECK(served == recount_json());
  CHECK(served.find("\"total\":{\"predictions\":4,\"labelled\":4,\"correct\":1") != std::string::npos);
  CHECK(served.find("\"model\":{\"predictions\":3,\"labelled\":3,\"correct\":3") != std::string::npos);
  CHECK(served.find("{\"digit\":1,\"predictions\":1,\"labelled\":1,\"correct\":0,\"accuracy\":0.0,"
                    "\"model\":{\"predictions\":1,\"labelled\":1,\"correct\":1,\"accuracy\":1.0}}") != std::string::npos);

  REQUIRE(http(port, "DELETE", "/api/history?client_id=other").status == 200);
  served = served_when_equal_to_recount(port);
  CHECK(served == recount_json());
  CHECK(served.find("\"total\":{\"predictions\":3,\"labelled\":3,\"correct\":1") != std::string::npos);
  CHECK(served.find("\"model\":{\"predictions\":2,\"labelled\":2,\"correct\":2") != std::string::npos);
}

TEST_CASE("deleting a client's drawings takes them out of the statistics") {
  Postgres::instance().scalar("TRUNCATE predictions, feedback");
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
  REQUIRE(http(port, "DELETE", "/api/history?client_id=gone").status == 200);
  const std::string served = served_when_equal_to_recount(port);
  CHECK(served == recount_json());
  CHECK(served.find("\"total\":{\"predictions\":1,\"labelled\":1,\"correct\":0") != std::string::npos);
}

TEST_CASE("feedback its prediction has not taken is applied after the next start, and counted") {
  Postgres::instance().scalar("TRUNCATE predictions, feedback");
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
  Postgres::instance().scalar("TRUNCATE predictions, feedback");
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
    LocalServer server;
    Postgres::instance().scalar("TRUNCATE predictions, feedback");
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
