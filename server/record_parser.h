// Validation of POST /log bodies with RapidJSON, field by field.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "records.h"

namespace digits::server {

struct Rejection {
  size_t index = 0;
  std::string id;  // when the record had a readable one
  std::string field;
  std::string error;
};

struct ParsedBody {
  // 0 when the body is a valid envelope; otherwise the HTTP status (400, 413) and why.
  int error_status = 0;
  std::string error;
  size_t total = 0;
  std::vector<std::pair<size_t, Record>> records;  // (index in the request, record)
  std::vector<Rejection> rejected;
};

// Accepts one record (an object with "type") or {"records": [...]} with 1 to 500.
// A record that fails validation is rejected on its own, naming the field; the
// others are still returned.
ParsedBody parse_log_body(std::string_view body);

// Helpers shared with the read endpoints.
bool is_uuid(std::string_view text);
bool is_client_id(std::string_view text);
bool is_timestamp(std::string_view text);

}  // namespace digits::server
