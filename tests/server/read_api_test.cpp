// GET and DELETE /api/history, GET /api/stats, the export for retraining, and /metrics.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <zlib.h>

#include <filesystem>
#include <set>

#include "export_feedback.h"
#include "support.h"

using namespace digits::test;

TEST_CASE("history returns one client's predictions, newest first, with images and feedback") {
  LocalServer server;
  const std::string client = "history-" + new_uuid().substr(0, 8);
  const std::string first = new_uuid(), second = new_uuid();
  std::string later = prediction_json(second, client, 3);
  later.replace(later.find("10:00:00.123Z"), 13, "10:05:00.000Z");
  REQUIRE(post_json(server.port(), batch({prediction_json(first, client, 2), later,
                                          feedback_json(new_uuid(), first, client, 8),
                                          prediction_json(new_uuid(), "someone-else", 1)}))
              .status == 200);
  eventually("SELECT true_digit FROM predictions WHERE record_id = '" + first + "'", "8");
  const Response response = http(server.port(), "GET", "/api/history?client_id=" + client + "&limit=10");
  REQUIRE(response.status == 200);
  rapidjson::Document json;
  json.Parse(response.body.c_str());
  REQUIRE(json["items"].Size() == 2);
  CHECK(std::string(json["items"][0]["id"].GetString()) == second);
  CHECK(json["items"][0]["true_digit"].IsNull());
  CHECK(json["items"][1]["true_digit"].GetInt() == 8);
  CHECK(json["items"][1]["predicted_digit"].GetInt() == 2);
  CHECK(std::string(json["items"][1]["image"].GetString()).size() == 1048);  // base64 of 784 bytes
  CHECK(json["items"][1]["probabilities"].Size() == 10);

  CHECK(http(server.port(), "GET", "/api/history").status == 400);
  CHECK(http(server.port(), "GET", "/api/history?client_id=a%20b").status == 400);
  CHECK(http(server.port(), "GET", "/api/history?client_id=x&limit=0").status == 400);
  CHECK(http(server.port(), "GET", "/api/history?client_id=x&limit=abc").status == 400);
}

TEST_CASE("DELETE /api/history deletes one client's predictions and feedback, and only theirs") {
  LocalServer server;
  const std::string client = "leaving-" + new_uuid().substr(0, 8);
  const std::string mine = new_uuid(), early = new_uuid(), theirs = new_uuid();
  REQUIRE(post_json(server.port(), batch({prediction_json(mine, client, 2), feedback_json(new_uuid(), mine, client, 8),
                                          feedback_json(new_uuid(), early, client, 4),  // its prediction never came
                                          prediction_json(theirs, "staying", 1),
                                          feedback_json(new_uuid(), theirs, "staying", 7)}))
              .status == 200);
  eventually("SELECT true_digit FROM predictions WHERE record_id = '" + theirs + "'", "7");

  const Response deleted = http(server.port(), "DELETE", "/api/history?client_id=" + client);
  REQUIRE(deleted.status == 200);
  CHECK(deleted.body == "{\"client_id\":\"" + client + "\",\"deleted\":{\"predictions\":1,\"feedback\":2}}");
  CHECK(Postgres::instance().scalar("SELECT count(*) FROM predictions WHERE client_id = '" + client + "'") == "0");
  CHECK(Postgres::instance().scalar("SELECT count(*) FROM feedback WHERE client_id = '" + client + "'") == "0");
  CHECK(Postgres::instance().scalar("SELECT true_digit FROM predictions WHERE record_id = '" + theirs + "'") == "7");
  CHECK(Postgres::instance().scalar("SELECT count(*) FROM feedback WHERE client_id = 'staying'") == "1");
  const Response history = http(server.port(), "GET", "/api/history?client_id=" + client);
  CHECK(history.body.find("\"items\":[]") != std::string::npos);
  // Again: nothing left, still an answer.
  CHECK(http(server.port(), "DELETE", "/api/history?client_id=" + client).body.find("\"predictions\":0,\"feedback\":0") !=
        std::string::npos);

  CHECK(http(server.port(), "DELETE", "/api/history").status == 400);
  CHECK(http(server.port(), "DELETE", "/api/history?client_id=%27%20OR%201=1").status == 400);
  const Response wrong = http(server.port(), "PUT", "/api/history?client_id=" + client);
  CHECK(wrong.status == 405);
  CHECK(wrong.headers.at("allow") == "GET, HEAD, DELETE");
  CHECK(http(server.port(), "DELETE", "/api/stats").headers.at("allow") == "GET, HEAD");
}

TEST_CASE("DELETE /api/history with id= deletes that one drawing and its answers, and only the client's own") {
  LocalServer server;
  const std::string client = "pruning-" + new_uuid().substr(0, 8);
  const std::string gone = new_uuid(), kept = new_uuid(), early = new_uuid(), theirs = new_uuid();
  REQUIRE(post_json(server.port(), batch({prediction_json(gone, client, 2), feedback_json(new_uuid(), gone, client, 8),
                                          feedback_json(new_uuid(), gone, client, 5),  // a change of mind
                                          prediction_json(kept, client, 3), feedback_json(new_uuid(), kept, client, 3),
                                          feedback_json(new_uuid(), early, client, 4),  // its prediction never came
                                          prediction_json(theirs, "other", 1)}))
              .status == 200);
  const auto one = [&](const std::string& who, const std::string& id) {
    return http(server.port(), "DELETE", "/api/history?client_id=" + who + "&id=" + id);
  };
  const Response deleted = one(client, gone);
  REQUIRE(deleted.status == 200);
  CHECK(deleted.body == "{\"client_id\":\"" + client + "\",\"id\":\"" + gone +
                            "\",\"deleted\":{\"predictions\":1,\"feedback\":2}}");
  CHECK(Postgres::instance().scalar("SELECT count(*) FROM predictions WHERE client_id = '" + client + "'") == "1");
  CHECK(Postgres::instance().scalar("SELECT count(*) FROM feedback WHERE prediction_id = '" + gone + "'") == "0");
  CHECK(Postgres::instance().scalar("SELECT count(*) FROM feedback WHERE client_id = '" + client + "'") == "2");
  // Answers whose drawing never arrived go by the same id.
  CHECK(one(client, early).body.find("\"predictions\":0,\"feedback\":1") != std::string::npos);
  // Another client's drawing is not this client's to delete, by its id or by ours.
  CHECK(one(client, theirs).body.find("\"predictions\":0,\"feedback\":0") != std::string::npos);
  CHECK(one("other", kept).body.find("\"predictions\":0,\"feedback\":0") != std::string::npos);
  CHECK(Postgres::instance().scalar("SELECT count(*) FROM predictions WHERE record_id IN ('" + theirs + "', '" + kept +
                                    "')") == "2");
  // Again: nothing left, still an answer.
  CHECK(one(client, gone).body.find("\"predictions\":0,\"feedback\":0") != std::string::npos);
  for (const char* id : {"", "7", "not-a-uuid", "%27%20OR%201=1", "3f2a7c10-8d1e-4b7a-9c55-0e6f1a2b3c4"}) {
    CAPTURE(id);
    const Response refused = one(client, id);
    CHECK(refused.status == 400);
    CHECK(refused.body.find("id must be a drawing's id") != std::string::npos);
  }
  CHECK(Postgres::instance().scalar("SELECT count(*) FROM predictions WHERE client_id = '" + client + "'") == "1");
}

TEST_CASE("stats are aggregates: accuracy, per digit, confusion, per day, confidence") {
  empty_tables();
  LocalServer server;
  const std::string a = new_uuid(), b = new_uuid(), c = new_uuid();
  REQUIRE(post_json(server.port(), batch({prediction_json(a, "s", 7), prediction_json(b, "s", 3),
                                          prediction_json(c, "s", 1), feedback_json(new_uuid(), a, "s", 7),
                                          feedback_json(new_uuid(), b, "s", 8)}))
              .status == 200);
  eventually("SELECT count(true_digit) FROM predictions", "2");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // past the one-second cache
  const Response response = http(server.port(), "GET", "/api/stats");
  REQUIRE(response.status == 200);
  rapidjson::Document json;
  json.Parse(response.body.c_str());
  CHECK(json["total"]["predictions"].GetInt() == 3);
  CHECK(json["total"]["labelled"].GetInt() == 2);
  CHECK(json["total"]["correct"].GetInt() == 1);
  CHECK(json["total"]["accuracy"].GetDouble() == doctest::Approx(0.5));
  CHECK(json["confusion"][8][3].GetInt() == 1);
  CHECK(json["confusion"][7][7].GetInt() == 1);
  CHECK(json["per_digit"][7]["accuracy"].GetDouble() == doctest::Approx(1.0));
  CHECK(json["per_digit"][8]["accuracy"].GetDouble() == doctest::Approx(0.0));
  CHECK(json["per_digit"][0]["accuracy"].IsNull());
  CHECK(json["per_day"].Size() == 1);
  CHECK(json["per_day"][0]["predictions"].GetInt() == 3);
  CHECK(json["confidence"][9]["predictions"].GetInt() == 3);  // 0.91
  CHECK(std::string(json["engines"][0]["engine"].GetString()) == "native");
  CHECK(response.body.find("image") == std::string::npos);  // nobody's drawings here
}

TEST_CASE("labelled images export as IDX files that model/train.py reads") {
  empty_tables();
  LocalServer server;
  const std::string a = new_uuid(), b = new_uuid();
  REQUIRE(post_json(server.port(), batch({prediction_json(a, "e", 2), prediction_json(b, "e", 5),
                                          prediction_json(new_uuid(), "e", 6), feedback_json(new_uuid(), a, "e", 2),
                                          feedback_json(new_uuid(), b, "e", 9)}))
              .status == 200);
  eventually("SELECT count(true_digit) FROM predictions", "2");
  const std::string out = std::filesystem::temp_directory_path() / ("digits-export-" + new_uuid());
  size_t exported = 0;
  REQUIRE(digits::server::export_feedback(server.app().config, out, exported).ok());
  CHECK(exported == 2);
  auto read = [](const std::string& path) {
    gzFile file = gzopen(path.c_str(), "rb");
    std::vector<uint8_t> bytes(4096 * 4);
    const int n = gzread(file, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(file);
    bytes.resize(static_cast<size_t>(n));
    return bytes;
  };
  const auto labels = read(out + "/feedback-labels-idx1-ubyte.gz");
  const auto images = read(out + "/feedback-images-idx3-ubyte.gz");
  REQUIRE(labels.size() == 8 + 2);
  CHECK(labels[2] == 0x08);
  CHECK(labels[7] == 2);  // count
  // In the order the rows were stored: a group stores its rows in record id order.
  CHECK(std::multiset<int>{labels[8], labels[9]} == std::multiset<int>{2, 9});
  REQUIRE(images.size() == 16 + 2 * 784);
  CHECK(images[3] == 3);
  const size_t two = labels[8] == 2 ? 0 : 1;
  CHECK(images[16 + two * 784 + 10] == (10 * 7 + 2) % 256);  // the image of the 2, as sent
  std::filesystem::remove_all(out);
}

TEST_CASE("metrics count requests, records, rejects") {
  LocalServer server;
  post_json(server.port(), batch({prediction_json(new_uuid(), "m"), "{}"}));
  Response metrics = http(server.port(), "GET", "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.headers["content-type"].find("text/plain") == 0);
  CHECK(metrics.body.find("digits_http_requests_total{route=\"log\",status=\"200\"} 1") != std::string::npos);
  CHECK(metrics.body.find("digits_records_total{result=\"stored\"} 1") != std::string::npos);
  CHECK(metrics.body.find("digits_records_total{result=\"rejected\"} 1") != std::string::npos);
  CHECK(metrics.body.find("digits_http_request_duration_seconds_bucket{route=\"log\",le=\"+Inf\"} 1") !=
        std::string::npos);
}

TEST_CASE("every GET route takes HEAD: the GET's status, headers and length, no body; a 405 names HEAD too") {
  LocalServer server;
  const std::string client = "head-" + new_uuid().substr(0, 8);
  REQUIRE(post_json(server.port(), prediction_json(new_uuid(), client, 4)).status == 200);
  const std::string paths[] = {"/healthz", "/readyz", "/api/stats", "/api/history?client_id=" + client,
                               "/api/history", "/metrics"};
  for (const std::string& path : paths) {
    CAPTURE(path);
    Response get = http(server.port(), "GET", path);
    Response head = http(server.port(), "HEAD", path);
    CHECK(head.status == get.status);
    CHECK(head.headers["content-type"] == get.headers["content-type"]);
    CHECK(head.body.empty());
    if (path != "/metrics") {  // the counts move with every request, the others' bodies do not
      CHECK(head.headers["content-length"] == std::to_string(get.body.size()));
    }
  }
  CHECK(http(server.port(), "HEAD", "/log").status == 405);
  Response wrong = http(server.port(), "POST", "/healthz");
  CHECK(wrong.status == 405);
  CHECK(wrong.headers["allow"] == "GET, HEAD");
  CHECK(http(server.port(), "PUT", "/api/history").headers["allow"] == "GET, HEAD, DELETE");
}
