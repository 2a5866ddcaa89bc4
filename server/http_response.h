// Writing HTTP/1.1 answers: the status line, the headers every answer carries (the
// security headers, Connection, Content-Length) and the body.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace digits::server {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The whole answer. content_length is the body's, also when body is empty for HEAD.
std::string serialize_response(int status, const Headers& headers, std::string_view body, size_t content_length,
                               bool keep_alive);

// The standard reason phrase of a status code ("Not Found").
const char* reason_phrase(int status);

std::string json_string(const std::string& text);

}  // namespace digits::server
