// The database going away, SIGTERM under load, two servers on one database.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "support.h"

using namespace digits::test;

TEST_CASE("PostgreSQL stopped mid-test: 503 with Retry-After, readiness down, then recovery with nothing lost") {
  LocalServer server;
  const int port = server.port();
  const std::string before = new_uuid(), during = new_uuid();
  REQUIRE(post_json(port, prediction_json(before, "outage")).status == 200);

  Postgres::instance().stop();
  Response refused = post_json(port, prediction_json(during, "outage"));
  CHECK(refused.status == 503);
  CHECK(refused.headers["retry-after"] == "2");
  CHECK(refused.body.find("nothing was stored") != std::string::npos);
  CHECK(http(port, "GET", "/readyz").status == 503);
  CHECK(http(port, "GET", "/healthz").status == 200);
  const Response not_deleted = http(port, "DELETE", "/api/history?client_id=outage");
  CHECK(not_deleted.status == 503);
  CHECK(not_deleted.body.find("nothing was deleted") != std::string::npos);
  // The last figures are served until they are older than the limit (1 s in tests).
  int stats = 200;
  for (int attempt = 0; attempt < 60 && stats == 200; ++attempt) {
    stats = http(port, "GET", "/api/stats").status;
    if (stats == 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(stats == 503);

  Postgres::instance().start();
  // The client retries, as the app's outbox does, until the server has reconnected.
  int status = 0;
  for (int attempt = 0; attempt < 100 && status != 200; ++attempt) {
    status = post_json(port, prediction_json(during, "outage")).status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(status == 200);
  CHECK(http(port, "GET", "/readyz").status == 200);
  CHECK(Postgres::instance().scalar("SELECT count(*) FROM predictions WHERE client_id = 'outage'") == "2");
}

TEST_CASE("the database crashing right after acknowledgements: every acknowledged record survives") {
  const std::string client = "crash-" + new_uuid().substr(0, 8);
  std::vector<std::string> acknowledged;
  {
    LocalServer server;
    std::mutex mutex;
    std::vector<std::thread> senders;
    for (int t = 0; t < 8; ++t) {
      senders.emplace_back([&] {
        for (int i = 0; i < 40; ++i) {
          const std::string id = new_uuid();
          if (post_json(server.port(), prediction_json(id, client)).status != 200) continue;
          std::lock_guard<std::mutex> lock(mutex);
          acknowledged.push_back(id);
        }
      });
    }
    for (std::thread& sender : senders) sender.join();
    // A last few one at a time, then the crash at once: their commit records are the last
    // in PostgreSQL's WAL buffers, where no background writer has taken them yet.
    for (int i = 0; i < 3; ++i) {
      const std::string id = new_uuid();
      if (post_json(server.port(), prediction_json(id, client)).status == 200) acknowledged.push_back(id);
    }
    Postgres::instance().crash();
  }
  Postgres::instance().start();
  REQUIRE(acknowledged.size() > 200);
  std::string in_list;
  for (size_t i = 0; i < acknowledged.size(); ++i) in_list += (i ? ",'" : "'") + acknowledged[i] + "'";
  CHECK(Postgres::instance().scalar("SELECT count(*) FROM predictions WHERE record_id IN (" + in_list + ")") ==
        std::to_string(acknowledged.size()));
}

TEST_CASE("SIGTERM under load: the server exits 0 and every acknowledged record is stored exactly once") {
  ServerProcess process;
  const std::string client = "sigterm-" + new_uuid().substr(0, 8);
  std::mutex mutex;
  std::vector<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::vector<std::thread> senders;
  for (int t = 0; t < 6; ++t) {
    senders.emplace_back([&] {
      while (!stop.load()) {
        std::vector<std::string> ids, records;
        for (int i = 0; i < 5; ++i) {
          ids.push_back(new_uuid());
          records.push_back(prediction_json(ids.back(), client));
        }
        const Response response = post_json(process.port(), batch(records));
        if (response.status == 200) {
          std::lock_guard<std::mutex> lock(mutex);
          acknowledged.insert(acknowledged.end(), ids.begin(), ids.end());
        } else if (response.status == 0) {
          return;  // the listener has closed
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const int exit_status = process.terminate();
  stop.store(true);
  for (std::thread& sender : senders) sender.join();
  CHECK(exit_status == 0);
  REQUIRE(acknowledged.size() > 50);
  const std::string stored = Postgres::instance().scalar(
      "SELECT count(*) FROM predictions WHERE client_id = '" + client + "'");
  const std::string distinct = Postgres::instance().scalar(
      "SELECT count(DISTINCT record_id) FROM predictions WHERE client_id = '" + client + "'");
  CHECK(stored == distinct);
  // Everything acknowledged is there (a few more may be: committed, answer lost in shutdown).
  std::string in_list;
  for (size_t i = 0; i < acknowledged.size(); ++i) in_list += (i ? ",'" : "'") + acknowledged[i] + "'";
  CHECK(Postgres::instance().scalar("SELECT count(*) FROM predictions WHERE record_id IN (" + in_list + ")") ==
        std::to_string(acknowledged.size()));
  MESSAGE("acknowledged " << acknowledged.size() << " records, " << stored << " stored");
}

TEST_CASE("two server processes share one database: migrations once, each record once") {
  ServerProcess first, second;
  CHECK(Postgres::instance().scalar("SELECT count(*) FROM schema_migrations") ==
        Postgres::instance().scalar("SELECT count(DISTINCT version) FROM schema_migrations"));
  const std::string client = "pair-" + new_uuid().substr(0, 8);
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    ids.push_back(new_uuid());
    const int port = i % 2 ? first.port() : second.port();
    REQUIRE(post_json(port, prediction_json(ids.back(), client)).status == 200);
  }
  // The same records again through the other server: duplicates, not new rows.
  for (int i = 0; i < 20; ++i) {
    const int port = i % 2 ? second.port() : first.port();
    const Response response = post_json(port, prediction_json(ids[i], client));
    CHECK(response.body.find("\"duplicate\"") != std::string::npos);
  }
  // Feedback on one server for a prediction stored by the other.
  REQUIRE(post_json(first.port(), feedback_json(new_uuid(), ids[0], client, 3)).status == 200);
  CHECK(Postgres::instance().scalar("SELECT count(*) FROM predictions WHERE client_id = '" + client + "'") == "20");
  CHECK(eventually("SELECT true_digit FROM predictions WHERE record_id = '" + ids[0] + "'", "3") == "3");
  CHECK(first.terminate() == 0);
  CHECK(second.terminate() == 0);
}

TEST_CASE("digits-server healthcheck: 0 for a server that answers, 1 with the reason when none does") {
  ServerProcess server;
  const CommandResult healthy =
      run_server_command({"healthcheck"}, {{"PORT", std::to_string(server.port())}, {"BIND_ADDRESS", "127.0.0.1"}});
  CHECK_MESSAGE(healthy.exit_code == 0, healthy.output);

  const CommandResult nobody =
      run_server_command({"healthcheck"}, {{"PORT", std::to_string(free_port())}, {"BIND_ADDRESS", "127.0.0.1"}});
  CHECK(nobody.exit_code == 1);
  CHECK_MESSAGE(nobody.output.find("unhealthy") != std::string::npos, nobody.output);
  CHECK_MESSAGE(nobody.output.find("Connection refused") != std::string::npos, nobody.output);
}

TEST_CASE("no database at start: the server says it is waiting, then exits 1 after DB_START_TIMEOUT_SECONDS") {
  const std::string nowhere = "postgresql://digits@127.0.0.1:" + std::to_string(free_port()) + "/digits";
  const auto started = std::chrono::steady_clock::now();
  const CommandResult result = run_server_command(
      {"serve"}, {{"DATABASE_URL", nowhere}, {"MIGRATE_DATABASE_URL", nowhere}, {"DB_START_TIMEOUT_SECONDS", "2"},
                  {"PORT", std::to_string(free_port())}, {"BIND_ADDRESS", "127.0.0.1"}});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  CHECK(result.exit_code == 1);
  CHECK_MESSAGE(result.output.find("waiting for PostgreSQL") != std::string::npos, result.output);
  CHECK_MESSAGE(result.output.find("did not answer within DB_START_TIMEOUT_SECONDS=2") != std::string::npos,
                result.output);
  CHECK(seconds >= 2.0);
}
