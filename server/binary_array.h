// A one-dimensional array in PostgreSQL's binary format (what array_send writes), built
// element by element. The /log writer sends each column of a group this way: the
// database copies the bytes in, where a JSON document had to be lexed, and images travel
// as they are instead of as base64 or hex text.
//
//   BinaryArray digits(BinaryArray::kInt2, 2);
//   digits.add_int2(7);
//   digits.add_int2(3);
//   pipeline.add(sql, {Parameter::binary(digits.bytes())});   // $1::int2[]
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace digits::server {

class BinaryArray {
 public:
  // Element type OIDs (pg_type.oid), fixed since PostgreSQL 8.
  static constexpr uint32_t kBytea = 17;
  static constexpr uint32_t kInt2 = 21;
  static constexpr uint32_t kText = 25;
  static constexpr uint32_t kFloat4 = 700;
  static constexpr uint32_t kUuid = 2950;

  // An array that will hold exactly `count` elements of the given type.
  BinaryArray(uint32_t element_type, size_t count);

  void add_bytes(const void* data, size_t size);  // bytea, or text (UTF-8)
  void add_text(std::string_view text) { add_bytes(text.data(), text.size()); }
  void add_null();
  void add_int2(int16_t value);
  void add_float4(float value);
  // A UUID as 36 characters, 8-4-4-4-12 hexadecimal digits (checked by the record parser).
  void add_uuid(std::string_view text);

  const std::string& bytes() const { return bytes_; }
  std::string take() { return std::move(bytes_); }  // the array is empty afterwards

 private:
  void put32(uint32_t value);
  std::string bytes_;
};

}  // namespace digits::server
