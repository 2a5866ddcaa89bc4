#include "pipeline.h"

#include <libpq-fe.h>

namespace digits::server {
namespace {

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using OwnedResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string field_or_empty(const PGresult* result, int field) {
  const char* value = PQresultErrorField(result, field);
  return value ? value : "";
}

StatementResult to_statement_result(const PGresult* result) {
  StatementResult out;
  switch (PQresultStatus(result)) {
    case PGRES_TUPLES_OK:
      for (int row = 0; row < PQntuples(result); ++row) out.first_column.emplace_back(PQgetvalue(result, row, 0));
      break;
    case PGRES_COMMAND_OK: break;
    case PGRES_PIPELINE_ABORTED: out.state = StatementResult::State::skipped; break;
    default:
      out.state = StatementResult::State::failed;
      out.sqlstate = field_or_empty(result, PG_DIAG_SQLSTATE);
      out.message = field_or_empty(result, PG_DIAG_MESSAGE_PRIMARY);
      break;
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Pipeline>> Pipeline::open(const std::string& connection_string) {
  PGconn* connection = PQconnectdb(connection_string.c_str());
  if (PQstatus(connection) != CONNECTION_OK || PQenterPipelineMode(connection) != 1) {
    std::string why = PQerrorMessage(connection);
    PQfinish(connection);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return Status::error("cannot connect to the database: " + why);
  }
  return std::unique_ptr<Pipeline>(new Pipeline(connection));
}

Pipeline::~Pipeline() { PQfinish(connection_); }

void Pipeline::add(const char* sql, const std::vector<Parameter>& parameters) {
  Statement statement{sql, {}, {}, {}};
  for (const Parameter& parameter : parameters) {
    statement.values.push_back(parameter.data);
    statement.lengths.push_back(parameter.length);
    statement.formats.push_back(parameter.is_binary ? 1 : 0);
  }
  statements_.push_back(std::move(statement));
}

void Pipeline::commit() { commits_.push_back(statements_.size()); }

Status Pipeline::fail(const std::string& what) {
  broken_ = true;
  statements_.clear();
  commits_.clear();
  std::string why = PQerrorMessage(connection_);
  while (!why.empty() && why.back() == '\n') why.pop_back();
  return Status::error(what + (why.empty() ? "" : ": " + why));
}

Result<std::vector<StatementResult>> Pipeline::run() {
  Status sent = send();
  if (!sent.ok()) return sent;
  return receive();
}

Status Pipeline::send() {
  if (broken_) return Status::error("the database connection was lost");
  if (commits_.empty() || commits_.back() != statements_.size()) commit();
  // Everything goes out before any answer is read: the database starts on the first
  // transaction while the rest is still on its way. Each statement is prepared on its
  // first use on this connection and then only bound and executed, so the database
  // plans it once.
  prepares_first_.assign(statements_.size(), false);
  size_t next_commit = 0;
  for (size_t i = 0; i < statements_.size(); ++i) {
    const Statement& statement = statements_[i];
    const int count = static_cast<int>(statement.values.size());
    auto [name, added] = prepared_.emplace(statement.sql, "s" + std::to_string(prepared_.size()));
    if (added) {
      prepares_first_[i] = true;
      if (PQsendPrepare(connection_, name->second.c_str(), statement.sql, count, nullptr) != 1) {
        return fail("cannot send a statement");
      }
    }
    if (PQsendQueryPrepared(connection_, name->second.c_str(), count, statement.values.data(),
                            statement.lengths.data(), statement.formats.data(), 0) != 1) {
      return fail("cannot send a statement");
    }
    // Each sync also pushes what is queued onto the network.
    while (next_commit < commits_.size() && commits_[next_commit] == i + 1) {
      if (PQpipelineSync(connection_) != 1) return fail("cannot send a commit");
      ++next_commit;
    }
  }
  return Status::success();
}

Result<std::vector<StatementResult>> Pipeline::receive() {
  if (broken_) return Status::error("the database connection was lost");
  std::vector<StatementResult> results;
  size_t next_commit = 0;
  for (size_t i = 0; i < statements_.size(); ++i) {
    if (prepares_first_[i]) {
      Result<StatementResult> prepared = next_result();
      if (!prepared.ok()) return prepared.status();
      // Skipped after an earlier failure in its transaction: prepare it next time.
      if (prepared.value().state != StatementResult::State::ok) prepared_.erase(statements_[i].sql);
    }
    Result<StatementResult> result = next_result();
    if (!result.ok()) return result.status();
    results.push_back(result.take());
    while (next_commit < commits_.size() && commits_[next_commit] == i + 1) {
      OwnedResult sync(PQgetResult(connection_));
      // Until the sync's answer arrives the transaction's outcome is unknown; the
      // caller treats it as not stored, and record ids make the retry safe.
      if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) {
        return fail("the database did not confirm the commit");
      }
      ++next_commit;
    }
  }
  statements_.clear();
  commits_.clear();
  return results;
}

Result<StatementResult> Pipeline::next_result() {
  OwnedResult result(PQgetResult(connection_));
  if (!result || PQstatus(connection_) == CONNECTION_BAD) return fail("the database connection was lost");
  StatementResult out = to_statement_result(result.get());
  // Each statement's results end with a null result.
  while (OwnedResult extra{PQgetResult(connection_)}) {
    if (PQstatus(connection_) == CONNECTION_BAD) return fail("the database connection was lost");
  }
  return out;
}

}  // namespace digits::server
