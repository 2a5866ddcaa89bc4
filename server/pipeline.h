// A PostgreSQL connection in libpq's pipeline mode, for the /log writer: a group's
// statements, their commit and the follow-up statement travel in one network round trip
// instead of one each. libpqxx 6 predates pipeline mode (PostgreSQL 14) and offers no way
// to bind parameters in its own pipeline, so this one class speaks libpq directly;
// every other connection goes through libpqxx.
//
//   pipeline.add(insert, {json});   // transaction 1 ...
//   pipeline.commit();              // ... ends here
//   pipeline.add(follow_up, {ids}); // transaction 2
//   pipeline.commit();
//   Result<std::vector<StatementResult>> results = pipeline.run();  // one round trip
//
// run() is send() then receive(); between the two the database works while the caller
// does something else (the writer answers the previous group's requests).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "result.h"

typedef struct pg_conn PGconn;

namespace digits::server {

struct StatementResult {
  enum class State {
    ok,
    failed,   // the database refused it: sqlstate and message say why
    skipped,  // an earlier statement of the same transaction failed; nothing ran
  };
  State state = State::ok;
  std::string sqlstate;
  std::string message;
  std::vector<std::string> first_column;  // the rows' first values, as text
};

// A statement's parameter: text (a null pointer is SQL NULL), or bytes in PostgreSQL's
// binary format for the parameter's type (see binary_array.h). Either way the data must
// stay valid until run() returns.
struct Parameter {
  Parameter(const char* text) : data(text) {}  // implicit: most parameters are text
  static Parameter binary(const std::string& bytes) {
    Parameter parameter(bytes.data());
    parameter.length = static_cast<int>(bytes.size());
    parameter.is_binary = true;
    return parameter;
  }
  const char* data;
  int length = 0;  // binary only
  bool is_binary = false;
};

class Pipeline {
 public:
  // Connects and enters pipeline mode; the error says why in words.
  static Result<std::unique_ptr<Pipeline>> open(const std::string& connection_string);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Queues a statement. sql must be a string constant: it names the prepared statement.
  void add(const char* sql, const std::vector<Parameter>& parameters);
  // Ends the transaction of the statements added since the last commit(): the database
  // commits them if all succeeded, otherwise rolls all of them back.
  void commit();
  // Sends everything queued and reads one result per statement, in order. An error
  // means the connection failed and the outcome of the last transaction is unknown;
  // the pipeline cannot be used again.
  Result<std::vector<StatementResult>> run();
  // run() in two halves: nothing may be added between them. After a failed send(),
  // receive() fails too.
  Status send();
  Result<std::vector<StatementResult>> receive();

 private:
  explicit Pipeline(PGconn* connection) : connection_(connection) {}
  Status fail(const std::string& what);
  Result<StatementResult> next_result();

  struct Statement {
    const char* sql;
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;  // 0 text, 1 binary
  };
  PGconn* connection_;
  std::vector<Statement> statements_;
  std::vector<size_t> commits_;  // statements_.size() at each commit()
  std::vector<bool> prepares_first_;  // per statement sent: its prepare went first
  std::unordered_map<const char*, std::string> prepared_;  // SQL text -> statement name
  bool broken_ = false;
};

}  // namespace digits::server
