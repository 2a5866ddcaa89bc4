// Writing JSON with RapidJSON, one "key": value pair per call: the answers of the
// handlers and the statistics, and the documents the repository binds as parameters.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <string>
#include <type_traits>

namespace digits::server {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// value: text (std::string or a C string), a floating-point number or an integer.
template <typename Value>
void field(JsonWriter& json, const char* key, const Value& value) {
  json.Key(key);
  if constexpr (std::is_same_v<Value, std::string>) {
    json.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  } else if constexpr (std::is_convertible_v<const Value&, const char*>) {
    json.String(value);
  } else if constexpr (std::is_floating_point_v<Value>) {
    json.Double(value);
  } else if constexpr (std::is_signed_v<Value>) {
    json.Int64(value);
  } else {
    json.Uint64(value);
  }
}

}  // namespace digits::server
