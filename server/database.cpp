#include "database.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "log.h"

namespace digits::server {
namespace {

// Any constant will do, as long as nothing else in the database uses it.
constexpr long kMigrationLock = 0x6469676974730001;  // "digits" 1

struct Migration {
  int version;
  std::string name;
  std::filesystem::path path;
};

Result<std::vector<Migration>> find_migrations(const std::string& directory) {
  std::vector<Migration> migrations;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".sql" || name.size() < 5 || !std::isdigit(static_cast<unsigned char>(name[0]))) {
      continue;
    }
    migrations.push_back({std::stoi(name.substr(0, name.find('_'))), name, entry.path()});
  }
  if (error) return Status::error("cannot read migrations in " + directory + ": " + error.message());
  if (migrations.empty()) return Status::error("no migrations (NNN_name.sql) in " + directory);
  std::sort(migrations.begin(), migrations.end(), [](const Migration& a, const Migration& b) {
    return a.version < b.version;
  });
  return migrations;
}

}  // namespace

Result<std::unique_ptr<pqxx::connection>> connect_database(const std::string& connection_string) {
  try {
    auto connection = std::make_unique<pqxx::connection>(connection_string);
    // A statement stuck for 15 s means the database is in trouble: fail and retry later.
    pqxx::nontransaction(*connection).exec("SET statement_timeout = 15000");
    return connection;
  } catch (const std::exception& error) {
    std::string message = error.what();
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    return Status::error("cannot connect to PostgreSQL: " + message);
  }
}

Status apply_migrations(pqxx::connection& connection, const std::string& directory) {
  Result<std::vector<Migration>> migrations = find_migrations(directory);
  if (!migrations.ok()) return migrations.status();
  try {
    pqxx::work transaction(connection);
    transaction.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
    // Checked before creating: a role that may not create tables can still see that
    // nothing is pending.
    if (transaction.exec("SELECT to_regclass('schema_migrations')")[0][0].is_null()) {
      transaction.exec(
          "CREATE TABLE schema_migrations ("
          " version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
    }
    std::set<int> applied;
    for (const auto& row : transaction.exec("SELECT version FROM schema_migrations")) applied.insert(row[0].as<int>());
    for (const Migration& migration : migrations.value()) {
      if (applied.count(migration.version) != 0) continue;
      std::ifstream file(migration.path);
      std::stringstream sql;
      sql << file.rdbuf();
      if (!file) return Status::error("cannot read " + migration.path.string());
      transaction.exec(sql.str());
      transaction.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", migration.version,
                              migration.name);
      log_info("applied migration", {{"name", migration.name}});
    }
    transaction.commit();
    return Status::success();
  } catch (const pqxx::insufficient_privilege& error) {
    return Status::error(std::string("migrations need the schema's owner: set MIGRATE_DATABASE_URL to its connection, or "
                                     "run `digits-server migrate` as it (") + error.what() + ")");
  } catch (const std::exception& error) {
    return Status::error(std::string("migrations failed: ") + error.what());
  }
}

}  // namespace digits::server
