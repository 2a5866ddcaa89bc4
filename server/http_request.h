// One HTTP/1.x request as the server's own parser framed it (http_parser.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace digits::server {

struct HttpRequest {
  std::string method;                 // "GET", "POST", ...
  std::string path;                   // the target up to '?', still percent-encoded
  std::string query;                  // after '?', without it
  int minor_version = 1;              // HTTP/1.0 or HTTP/1.1
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case, in order
  std::string body;
  bool keep_alive = true;             // the connection stays open after the answer
  std::string peer_address;           // the connecting address
  std::string client_address;         // the client's: peer_address, or what a trusted proxy says
  std::string request_id;             // names the request in the server's log

  // The value of a header (name in lower case), or null. Framing headers are checked
  // for duplicates by the parser; other duplicates give the first.
  const std::string* header(std::string_view name) const;
  // A query parameter, percent-decoded; nullopt when absent or badly encoded.
  std::optional<std::string> query_parameter(std::string_view name) const;
  // Whether the body is declared as JSON (application/json, any parameters).
  bool is_json() const;
  // Whether Accept-Encoding takes gzip, or Brotli ("gzip;q=0" refuses it).
  bool accepts_gzip() const;
  bool accepts_brotli() const;
};

}  // namespace digits::server
