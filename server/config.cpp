#include "config.h"

#include <cstdlib>
#include <string_view>

namespace digits::server {
namespace {

const char* env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

Status read_string(const char* name, std::string& out) {
  if (const char* value = env(name)) out = value;
  return Status::success();
}

Status read_int(const char* name, int low, int high, int& out) {
  const char* value = env(name);
  if (value == nullptr) return Status::success();
  char* end = nullptr;
  const long number = std::strtol(value, &end, 10);
  if (*end != '\0' || number < low || number > high) {
    return Status::error(std::string(name) + "='" + value + "' must be a whole number from " + std::to_string(low) +
                         " to " + std::to_string(high));
  }
  out = static_cast<int>(number);
  return Status::success();
}

Status read_number(const char* name, double low, double high, double& out) {
  const char* value = env(name);
  if (value == nullptr) return Status::success();
  char* end = nullptr;
  const double number = std::strtod(value, &end);
  if (*end != '\0' || !(number >= low && number <= high)) {
    return Status::error(std::string(name) + "='" + value + "' must be a number from " + std::to_string(low) + " to " +
                         std::to_string(high));
  }
  out = number;
  return Status::success();
}

// A value in a libpq keyword=value string: quoted, with ' and \ escaped.
std::string quoted(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// "a, b,,c" -> {"a", "b", "c"}
std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) items.push_back(item);
    start = comma + 1;
  }
  return items;
}

}  // namespace

std::string Config::connection_string() const {
  if (!database_url.empty()) return database_url;
  std::string text = "host=" + quoted(db_host) + " port=" + std::to_string(db_port) + " dbname=" + quoted(db_name) +
                     " user=" + quoted(db_user) + " connect_timeout=3 application_name='digits-server'";
  if (!db_password.empty()) text += " password=" + quoted(db_password);
  return text;
}

Result<Config> config_from_environment() {
  Config c;
  int log_requests = 0, max_group = static_cast<int>(c.max_group_records);
  DIGITS_TRY(read_int("PORT", 0, 65535, c.port));
  DIGITS_TRY(read_string("BIND_ADDRESS", c.bind_address));
  DIGITS_TRY(read_int("HTTP_THREADS", 1, 64, c.threads));
  DIGITS_TRY(read_string("WWW_DIR", c.www_dir));
  std::string proxies;
  DIGITS_TRY(read_string("TRUSTED_PROXIES", proxies));
  c.trusted_proxies = split_list(proxies);
  DIGITS_TRY(read_string("DATABASE_URL", c.database_url));
  DIGITS_TRY(read_string("DB_HOST", c.db_host));
  DIGITS_TRY(read_int("DB_PORT", 1, 65535, c.db_port));
  DIGITS_TRY(read_string("DB_NAME", c.db_name));
  DIGITS_TRY(read_string("DB_USER", c.db_user));
  DIGITS_TRY(read_string("DB_PASSWORD", c.db_password));
  DIGITS_TRY(read_int("DB_WRITERS", 1, 32, c.db_writers));
  DIGITS_TRY(read_int("DB_READERS", 1, 32, c.db_readers));
  DIGITS_TRY(read_string("MIGRATIONS_DIR", c.migrations_dir));
  DIGITS_TRY(read_int("DB_START_TIMEOUT_SECONDS", 1, 86400, c.db_start_timeout_seconds));
  DIGITS_TRY(read_string("MIGRATE_DATABASE_URL", c.migrate_database_url));
  DIGITS_TRY(read_number("RATE_LIMIT_PER_SECOND", 0, 1e6, c.rate_limit_per_second));
  DIGITS_TRY(read_number("RATE_LIMIT_BURST", 1, 1e6, c.rate_limit_burst));
  DIGITS_TRY(read_int("MAX_GROUP_RECORDS", 1, 100000, max_group));
  DIGITS_TRY(read_int("LOG_REQUESTS", 0, 1, log_requests));
  int refresh_ms = static_cast<int>(c.stats.refresh.count()), max_age_ms = static_cast<int>(c.stats.max_age.count()),
      verify_seconds = static_cast<int>(c.stats.verify.count());
  DIGITS_TRY(read_int("RETENTION_DAYS", 0, 36500, c.retention_days));
  DIGITS_TRY(read_int("STATS_REFRESH_MS", 10, 3600000, refresh_ms));
  DIGITS_TRY(read_int("STATS_MAX_AGE_MS", 10, 86400000, max_age_ms));
  DIGITS_TRY(read_int("STATS_VERIFY_SECONDS", 0, 31536000, verify_seconds));
  c.stats = {std::chrono::milliseconds(refresh_ms), std::chrono::milliseconds(max_age_ms),
             std::chrono::seconds(verify_seconds)};
  c.max_group_records = static_cast<size_t>(max_group);
  c.log_requests = log_requests != 0;
  return c;
}

}  // namespace digits::server
