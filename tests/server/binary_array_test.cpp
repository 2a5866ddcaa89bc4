// The binary array format, byte for byte as PostgreSQL's array_send writes it; the
// database's own reading of it is tested through POST /log (log_api_test.cpp).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "binary_array.h"

using digits::server::BinaryArray;

namespace {

std::vector<int> bytes_of(const std::string& bytes) {
  std::vector<int> out;
  for (char c : bytes) out.push_back(static_cast<unsigned char>(c));
  return out;
}

// The elements, after the 20 bytes of a one-dimensional array's header.
std::vector<int> elements_of(const BinaryArray& array) {
  const std::vector<int> bytes = bytes_of(array.bytes());
  return std::vector<int>(bytes.begin() + 20, bytes.end());
}

}  // namespace

TEST_CASE("a binary array has the header array_send writes, then each element with its length") {
  BinaryArray digits(BinaryArray::kInt2, 2);
  digits.add_int2(7);
  digits.add_int2(-2);
  const std::vector<int> expected = {
      0, 0, 0, 1,             // one dimension
      0, 0, 0, 0,             // no nulls
      0, 0, 0, 21,            // of int2
      0, 0, 0, 2,             // two elements
      0, 0, 0, 1,             // from index 1
      0, 0, 0, 2, 0, 7,       // 7
      0, 0, 0, 2, 255, 254,   // -2
  };
  CHECK(bytes_of(digits.bytes()) == expected);
}

TEST_CASE("nulls are flagged in the header and have length -1") {
  BinaryArray strokes(BinaryArray::kText, 2);
  strokes.add_null();
  strokes.add_text("[]");
  CHECK(bytes_of(strokes.bytes())[7] == 1);
  CHECK(elements_of(strokes) == std::vector<int>{255, 255, 255, 255, 0, 0, 0, 2, '[', ']'});
}

TEST_CASE("floats go as their IEEE bits, UUIDs as their 16 bytes") {
  BinaryArray numbers(BinaryArray::kFloat4, 1);
  numbers.add_float4(1.0f);
  CHECK(elements_of(numbers) == std::vector<int>{0, 0, 0, 4, 0x3f, 0x80, 0, 0});
  BinaryArray ids(BinaryArray::kUuid, 1);
  ids.add_uuid("0123abcd-4567-89ef-ABCD-0f1e2d3c4b5a");
  const std::vector<int> uuid = {0,    0,    0,    16,   0x01, 0x23, 0xab, 0xcd, 0x45, 0x67,
                                  0x89, 0xef, 0xab, 0xcd, 0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a};
  CHECK(elements_of(ids) == uuid);
}
