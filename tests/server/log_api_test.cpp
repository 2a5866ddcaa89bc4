// POST /log against the real database.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <map>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "support.h"

using namespace digits::test;

namespace {

rapidjson::Document parse(const std::string& body) {
  rapidjson::Document document;
  document.Parse(body.c_str());
  REQUIRE_MESSAGE(document.IsObject(), body);
  return document;
}

std::string count(const std::string& table, const std::string& record_id) {
  return Postgres::instance().scalar("SELECT count(*) FROM " + table + " WHERE record_id = '" + record_id + "'");
}

}  // namespace

TEST_CASE("a prediction and its feedback become one row with every field") {
  LocalServer server;
  const std::string client = "client-" + new_uuid().substr(0, 8);
  const std::string id = new_uuid(), feedback = new_uuid();
  Response response = post_json(server.port(), batch({prediction_json(id, client, 7),
                                                            feedback_json(feedback, id, client, 1)}));
  REQUIRE(response.status == 200);
  CHECK(response.headers["content-type"] == "application/json");
  const auto json = parse(response.body);
  CHECK(json["stored"].GetInt() == 2);
  CHECK(std::string(json["results"][0]["status"].GetString()) == "stored");
  CHECK(std::string(json["results"][1]["id"].GetString()) == feedback);

  Postgres& db = Postgres::instance();
  const std::string where = " FROM predictions WHERE record_id = '" + id + "'";
  CHECK(db.scalar("SELECT predicted_digit" + where) == "7");
  CHECK(db.scalar("SELECT model_digit" + where) == "7");
  CHECK(db.scalar("SELECT round(model_confidence::numeric, 2)" + where) == "0.91");
  CHECK(eventually("SELECT true_digit" + where, "1") == "1");
  CHECK(db.scalar("SELECT client_id" + where) == client);
  CHECK(db.scalar("SELECT round(confidence::numeric, 2)" + where) == "0.91");
  CHECK(db.scalar("SELECT length(image_data)" + where) == "784");
  CHECK(db.scalar("SELECT get_byte(image_data, 10)" + where) == std::to_string((10 * 7 + 7) % 256));
  CHECK(db.scalar("SELECT array_length(probabilities, 1)" + where) == "10");
  CHECK(db.scalar("SELECT engine" + where) == "native");
  CHECK(db.scalar("SELECT model_version" + where) == "test-model");
  CHECK(db.scalar("SELECT strokes::text" + where) == "[[[10, 12, 0], [11, 30, 16]], [[5, 5]]]");
  CHECK(db.scalar("SELECT to_char(client_created_at AT TIME ZONE 'UTC', 'HH24:MI:SS.MS')" + where) == "10:00:00.123");
  CHECK(db.scalar("SELECT \"timestamp\" > now() - interval '1 minute'" + where) == "t");
  CHECK(db.scalar("SELECT round(latency_ms::numeric, 2)" + where) == "0.41");
  CHECK(db.scalar("SELECT array_to_string(probabilities, ',')" + where) == "0.01,0.01,0.01,0.01,0.01,0.01,0.01,0.91,0.01,0.01");
}

TEST_CASE("every record of a group gets its own fields, strokes or none, the model's own answer or none") {
  LocalServer server;
  const std::string client = "group-" + new_uuid().substr(0, 8);
  std::vector<std::string> ids, records;
  for (int digit = 0; digit < 10; ++digit) {
    ids.push_back(new_uuid());
    Fields fields = with(prediction_fields(ids.back(), client, digit), "latency_ms", std::to_string(digit) + ".5");
    if (digit % 2 == 1) fields = without(fields, "strokes");
    // The person's memory changed some answers; clients from before the field send none.
    fields = digit % 3 == 0 ? without(without(fields, "model_digit"), "model_confidence")
                            : with(fields, "model_digit", std::to_string(9 - digit));
    if (digit % 3 == 1) fields = without(fields, "model_confidence");  // from clients before that field
    if (digit % 3 == 2) fields = with(fields, "model_confidence", "0." + std::to_string(digit) + "5");
    records.push_back(object_json(fields));
  }
  REQUIRE(post_json(server.port(), batch(records)).status == 200);
  Postgres& db = Postgres::instance();
  for (int digit = 0; digit < 10; ++digit) {
    CAPTURE(digit);
    const std::string where = " FROM predictions WHERE record_id = '" + ids[digit] + "'";
    CHECK(db.scalar("SELECT predicted_digit" + where) == std::to_string(digit));
    CHECK(db.scalar("SELECT array_position(probabilities, 0.91::real) - 1" + where) == std::to_string(digit));
    CHECK(db.scalar("SELECT array_length(probabilities, 1)" + where) == "10");
    CHECK(db.scalar("SELECT get_byte(image_data, 100)" + where) == std::to_string((100 * 7 + digit) % 256));
    CHECK(db.scalar("SELECT latency_ms" + where) == std::to_string(digit) + ".5");
    CHECK(db.scalar("SELECT strokes IS NULL" + where) == (digit % 2 == 1 ? "t" : "f"));
    CHECK(db.scalar("SELECT coalesce(model_digit::text, 'none')" + where) ==
          (digit % 3 == 0 ? "none" : std::to_string(9 - digit)));
    CHECK(db.scalar("SELECT coalesce(model_confidence::text, 'none')" + where) ==
          (digit % 3 == 2 ? "0." + std::to_string(digit) + "5" : "none"));
  }
}

TEST_CASE("a record sent twice is stored once and reported as a duplicate") {
  LocalServer server;
  const std::string id = new_uuid();
  const std::string record = prediction_json(id, "dup-client");
  REQUIRE(post_json(server.port(), record).status == 200);
  const Response again = post_json(server.port(), batch({record, record}));
  REQUIRE(again.status == 200);
  const auto json = parse(again.body);
  CHECK(json["duplicates"].GetInt() == 2);
  CHECK(std::string(json["results"][0]["status"].GetString()) == "duplicate");
  CHECK(count("predictions", id) == "1");
}

TEST_CASE("a replay among new records: the new ones are stored, the replay reported as a duplicate") {
  // A group goes in without a conflict check; one holding a stored record fails on the
  // unique index and is sent again with the check.
  LocalServer server;
  const std::string old_id = new_uuid(), first = new_uuid(), second = new_uuid();
  REQUIRE(post_json(server.port(), prediction_json(old_id, "replay-client")).status == 200);
  auto groups_committed = [&] {
    const std::string metrics = http(server.port(), "GET", "/metrics").body;
    const std::string name = "digits_write_group_records_count ";
    return std::stoi(metrics.substr(metrics.find(name) + name.size()));
  };
  const int groups_before = groups_committed();
  const Response response = post_json(server.port(), batch({prediction_json(first, "replay-client"),
                                                            prediction_json(old_id, "replay-client"),
                                                            prediction_json(second, "replay-client")}));
  REQUIRE(response.status == 200);
  const auto json = parse(response.body);
  CHECK(json["stored"].GetInt() == 2);
  CHECK(json["duplicates"].GetInt() == 1);
  CHECK(std::string(json["results"][0]["status"].GetString()) == "stored");
  CHECK(std::string(json["results"][1]["status"].GetString()) == "duplicate");
  CHECK(std::string(json["results"][2]["status"].GetString()) == "stored");
  CHECK(count("predictions", first) == "1");
  CHECK(count("predictions", second) == "1");
  CHECK(count("predictions", old_id) == "1");
  // Sent again as one group, not record by record as a group with a refused record is.
  CHECK(groups_committed() == groups_before + 1);
}

TEST_CASE("feedback that arrives before its prediction is applied when the prediction comes") {
  LocalServer server;
  const std::string id = new_uuid();
  REQUIRE(post_json(server.port(), feedback_json(new_uuid(), id, "early", 4)).status == 200);
  CHECK(count("predictions", id) == "0");
  REQUIRE(post_json(server.port(), prediction_json(id, "early", 9)).status == 200);
  const std::string true_digit = "SELECT true_digit FROM predictions WHERE record_id = '" + id + "'";
  CHECK(eventually(true_digit, "4") == "4");
  // A later correction wins; an older one arriving late does not.
  REQUIRE(post_json(server.port(), feedback_json(new_uuid(), id, "early", 5, "2026-11-23T11:00:00Z")).status == 200);
  REQUIRE(post_json(server.port(), feedback_json(new_uuid(), id, "early", 6, "2026-11-23T09:00:00Z")).status == 200);
  CHECK(eventually(true_digit, "5") == "5");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the older one has been applied too, by now
  CHECK(Postgres::instance().scalar(true_digit) == "5");
}

TEST_CASE("a batch with bad records stores the good ones and names the bad") {
  LocalServer server;
  const std::string good = new_uuid(), bad = new_uuid();
  const std::string bad_record = object_json(with(prediction_fields(bad, "mixed"), "image", "\"AAAA\""));
  const Response response = post_json(server.port(), batch({prediction_json(good, "mixed"), bad_record, "42"}));
  REQUIRE(response.status == 200);
  const auto json = parse(response.body);
  CHECK(json["stored"].GetInt() == 1);
  CHECK(json["rejected"].GetInt() == 2);
  CHECK(json["results"][1]["index"].GetInt() == 1);
  CHECK(std::string(json["results"][1]["id"].GetString()) == bad);
  CHECK(std::string(json["results"][1]["field"].GetString()) == "image");
  CHECK(std::string(json["results"][2]["error"].GetString()) == "must be a JSON object");
  CHECK(count("predictions", good) == "1");
  CHECK(count("predictions", bad) == "0");
}

TEST_CASE("a record the database refuses is named, and the rest of its group is stored") {
  // A rule validation does not know, as when the schema is ahead of the server.
  struct Constraint {
    Constraint() {
      Postgres::instance().scalar(
          "ALTER TABLE predictions ADD CONSTRAINT refused_in_test CHECK (model_version <> 'refused-by-db')");
    }
    ~Constraint() { Postgres::instance().scalar("ALTER TABLE predictions DROP CONSTRAINT refused_in_test"); }
  } constraint;
  LocalServer server;
  const std::string first = new_uuid(), refused = new_uuid(), last = new_uuid();
  const std::string refused_record =
      object_json(with(prediction_fields(refused, "refusal"), "model_version", "\"refused-by-db\""));
  const Response response =
      post_json(server.port(), batch({prediction_json(first, "refusal"), refused_record, prediction_json(last, "refusal")}));
  REQUIRE(response.status == 200);
  const auto json = parse(response.body);
  CHECK(json["stored"].GetInt() == 2);
  CHECK(json["rejected"].GetInt() == 1);
  CHECK(std::string(json["results"][1]["id"].GetString()) == refused);
  CHECK(std::string(json["results"][1]["error"].GetString()).find("database refused") != std::string::npos);
  CHECK(json["results"][1].HasMember("request_id"));
  CHECK(count("predictions", first) == "1");
  CHECK(count("predictions", refused) == "0");
  CHECK(count("predictions", last) == "1");
  // The writer's connection is still good for the next request.
  const std::string after = new_uuid();
  CHECK(post_json(server.port(), prediction_json(after, "refusal")).status == 200);
  CHECK(count("predictions", after) == "1");
}

TEST_CASE("the database keeps every rule on a record's values, whoever writes the row") {
  { LocalServer migrated; }  // and stopped: no server counts or recounts while rows come and go behind its back
  // One column changed at a time from a row the database takes (sql/005_value_domains.sql).
  const std::map<std::string, std::string> good = {
      {"record_id", "gen_random_uuid()"},
      {"client_id", "'rules'"},
      {"client_created_at", "now()"},
      {"predicted_digit", "3"},
      {"confidence", "0.5"},
      {"probabilities", "array_fill(0.1::real, ARRAY[10])"},
      {"true_digit", "NULL"},
      {"image_data", "decode(repeat('00', 784), 'hex')"},
      {"engine", "'native'"},
      {"model_version", "'m'"},
      {"latency_ms", "1.5"},
      {"strokes", "NULL"},
      {"model_digit", "NULL"},
      {"model_confidence", "NULL"},
  };
  const auto insert = [&](const std::string& column, const std::string& value) {
    std::string names, values;
    for (const auto& [name, fine] : good) {
      names += (names.empty() ? "" : ", ") + name;
      values += (values.empty() ? "" : ", ") + (name == column ? value : fine);
    }
    Postgres::instance().scalar("INSERT INTO predictions (" + names + ") VALUES (" + values + ")");
  };
  CHECK_NOTHROW(insert("", ""));  // every column as in good
  CHECK_NOTHROW(insert("strokes", "'[[[1,2]]]'"));
  CHECK_NOTHROW(insert("true_digit", "9"));
  CHECK_NOTHROW(insert("model_digit", "0"));
  CHECK_NOTHROW(insert("model_confidence", "0.5"));
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"client_id", "''"},
      {"client_id", "repeat('c', 65)"},
      {"predicted_digit", "10"},
      {"predicted_digit", "-1"},
      {"confidence", "1.01"},
      {"probabilities", "array_fill(0.1::real, ARRAY[9])"},
      {"probabilities", "array_fill(0.1::real, ARRAY[2, 5])"},
      {"probabilities", "array_fill(1.5::real, ARRAY[10])"},
      {"true_digit", "10"},
      {"model_digit", "10"},
      {"model_confidence", "1.5"},
      {"image_data", "decode(repeat('00', 783), 'hex')"},
      {"engine", "'gpu'"},
      {"model_version", "''"},
      {"latency_ms", "-0.5"},
      {"strokes", "to_jsonb(repeat('x', 70000))"},
  };
  for (const auto& [column, value] : refused) {
    CAPTURE(column);
    CAPTURE(value);
    CHECK_THROWS_AS(insert(column, value), pqxx::check_violation);
  }
  CHECK(Postgres::instance().scalar("SELECT count(*) FROM predictions WHERE client_id = 'rules'") == "5");
  // Rows written behind the server's back are not in the running statistics: gone again,
  // they leave the counts equal to a recount for the tests that follow.
  Postgres::instance().scalar("DELETE FROM predictions WHERE client_id = 'rules'");
  CHECK_THROWS_AS(Postgres::instance().scalar("INSERT INTO feedback (record_id, prediction_id, client_id, true_digit,"
                                              " client_created_at) VALUES (gen_random_uuid(), gen_random_uuid(), 'rules',"
                                              " 10, now())"),
                  pqxx::check_violation);
}

TEST_CASE("every class of bad request gets a 4xx with a message, and the server stays up") {
  LocalServer server;
  const int port = server.port();
  CHECK(post_json(port, "{\"records\": [").status == 400);
  CHECK(post_json(port, "").status == 400);
  CHECK(post_json(port, "null").status == 400);
  CHECK(post_json(port, std::string(300000, '[')).status == 400);
  const Response all_bad = post_json(port, batch({"{\"type\":\"feedback\"}"}));
  CHECK(all_bad.status == 422);
  CHECK(parse(all_bad.body)["rejected"].GetInt() == 1);
  CHECK(http(port, "POST", "/log", "{}", {{"Content-Type", "text/plain"}}).status == 415);
  CHECK(http(port, "POST", "/log", "{}").status == 415);
  std::vector<std::string> many(501, prediction_json(new_uuid(), "many"));
  CHECK(post_json(port, batch(many)).status == 413);
  const Response huge = post_json(port, "{\"records\":[\"" + std::string(1100000, 'x') + "\"]}");
  CHECK(huge.status == 413);
  CHECK(http(port, "GET", "/log").status == 405);
  CHECK(http(port, "GET", "/healthz").status == 200);
}

TEST_CASE("a client over its rate limit gets 429 with Retry-After") {
  auto config = LocalServer::config_for_tests();
  config.rate_limit_per_second = 1;
  config.rate_limit_burst = 3;
  LocalServer server(config);
  int limited = 0;
  Response last;
  for (int i = 0; i < 6; ++i) {
    last = post_json(server.port(), prediction_json(new_uuid(), "eager"));
    if (last.status == 429) ++limited;
  }
  CHECK(limited >= 2);
  CHECK(last.status == 429);
  CHECK(std::stoi(last.headers["retry-after"]) >= 1);
  CHECK(post_json(server.port(), prediction_json(new_uuid(), "patient")).status == 200);  // others unaffected
}
