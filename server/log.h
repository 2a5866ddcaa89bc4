// JSON log lines on stderr, one object per line, for log collectors to parse.
//   log_info("server started", {{"port", "8080"}});
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

namespace digits::server {

using LogField = std::pair<const char*, std::string>;

void log_info(const std::string& message, std::initializer_list<LogField> fields = {});
void log_warn(const std::string& message, std::initializer_list<LogField> fields = {});
void log_error(const std::string& message, std::initializer_list<LogField> fields = {});

}  // namespace digits::server
