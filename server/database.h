// Connections to PostgreSQL, and the migrations in sql/ applied once each.
#pragma once

#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "result.h"

namespace digits::server {

// Opens a connection; the error says why in words (host unreachable, bad password, ...).
Result<std::unique_ptr<pqxx::connection>> connect_database(const std::string& connection_string);

// Applies every sql/NNN_*.sql file not yet recorded in schema_migrations, in order,
// in one transaction under an advisory lock, so that several servers starting together
// apply each migration exactly once.
Status apply_migrations(pqxx::connection& connection, const std::string& directory);

}  // namespace digits::server
