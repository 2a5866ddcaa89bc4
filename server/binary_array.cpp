#include "binary_array.h"

#include <cstring>

namespace digits::server {
namespace {

constexpr size_t kHasNullsOffset = 4;  // after the dimension count

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

}  // namespace

// Header: dimensions, whether any element is null, element type, then per dimension its
// length and lower bound. Every integer is 32-bit big-endian.
BinaryArray::BinaryArray(uint32_t element_type, size_t count) {
  put32(1);
  put32(0);
  put32(element_type);
  put32(static_cast<uint32_t>(count));
  put32(1);
}

void BinaryArray::put32(uint32_t value) {
  const char word[4] = {static_cast<char>(value >> 24), static_cast<char>(value >> 16), static_cast<char>(value >> 8),
                        static_cast<char>(value)};
  bytes_.append(word, 4);
}

void BinaryArray::add_bytes(const void* data, size_t size) {
  put32(static_cast<uint32_t>(size));
  bytes_.append(static_cast<const char*>(data), size);
}

void BinaryArray::add_null() {
  bytes_[kHasNullsOffset + 3] = 1;
  put32(0xFFFFFFFFu);  // length -1
}

void BinaryArray::add_int2(int16_t value) {
  const auto bits = static_cast<uint16_t>(value);
  const char word[2] = {static_cast<char>(bits >> 8), static_cast<char>(bits)};
  add_bytes(word, 2);
}

void BinaryArray::add_float4(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  put32(4);
  put32(bits);
}

void BinaryArray::add_uuid(std::string_view text) {
  char raw[16] = {};
  size_t n = 0;
  for (size_t i = 0; i + 1 < text.size() && n < 16; ++i) {
    if (text[i] == '-') continue;
    raw[n++] = static_cast<char>(hex_value(text[i]) << 4 | hex_value(text[i + 1]));
    ++i;
  }
  add_bytes(raw, 16);
}

}  // namespace digits::server
