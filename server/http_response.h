// Writing responses: the headers every response carries, JSON bodies, and HEAD.
#pragma once

#include <pistache/http.h>

#include <string>
#include <utility>
#include <vector>

namespace digits::server {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Sends status, the security headers, extra headers and body.
void send_response(Pistache::Http::ResponseWriter& response, int status, const Headers& headers,
                   const std::string& body);
// A HEAD answer: the same headers as the GET would carry, including its Content-Length,
// and no body. (Pistache writes Content-Length from the body it sends, so HEAD is
// written to the connection directly.)
void send_head(Pistache::Http::ResponseWriter& response, int status, const Headers& headers, size_t content_length);

void send_json(Pistache::Http::ResponseWriter& response, int status, const std::string& json,
               Headers headers = {});
// {"error": message}, plus Retry-After when retry_after_seconds > 0.
void send_error(Pistache::Http::ResponseWriter& response, int status, const std::string& message,
                int retry_after_seconds = 0);

std::string json_string(const std::string& text);

}  // namespace digits::server
