#include "log.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace digits::server {
namespace {

std::string timestamp() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t seconds = system_clock::to_time_t(now);
  const long millis = static_cast<long>(duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
  return text;
}

void write_line(const char* level, const std::string& message, std::initializer_list<LogField> fields) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> json(buffer);
  json.StartObject();
  json.Key("ts");
  json.String(timestamp().c_str());
  json.Key("level");
  json.String(level);
  json.Key("msg");
  json.String(message.c_str(), static_cast<rapidjson::SizeType>(message.size()));
  for (const auto& [key, value] : fields) {
    json.Key(key);
    json.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  }
  json.EndObject();
  static std::mutex mutex;  // whole lines, even from many threads
  std::lock_guard<std::mutex> lock(mutex);
  std::fprintf(stderr, "%s\n", buffer.GetString());
}

}  // namespace

void log_info(const std::string& message, std::initializer_list<LogField> fields) { write_line("info", message, fields); }
void log_warn(const std::string& message, std::initializer_list<LogField> fields) { write_line("warn", message, fields); }
void log_error(const std::string& message, std::initializer_list<LogField> fields) {
  write_line("error", message, fields);
}

}  // namespace digits::server
