// Protobuf wire format, read field by field with every length checked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "digits/status.h"

namespace digits::onnx {

enum class WireType : uint8_t { varint = 0, fixed64 = 1, length_delimited = 2, fixed32 = 5 };

struct Bytes {
  const uint8_t* data = nullptr;
  size_t size = 0;
};

class WireReader {
 public:
  // base: offset of data within the whole file, so errors name file positions.
  WireReader(Bytes bytes, size_t base) : bytes_(bytes), base_(base) {}

  bool at_end() const { return position_ == bytes_.size; }
  size_t file_offset() const { return base_ + position_; }

  // Reads the next key. Fails on field number 0 and on the group wire types.
  Status next_field(uint32_t& field, WireType& type);
  Status read_varint(uint64_t& value);
  Status read_fixed32(uint32_t& value);
  Status read_fixed64(uint64_t& value);
  // A length-delimited field; child readers report file offsets through child_base().
  Status read_bytes(Bytes& out, size_t& child_base);
  Status read_string(std::string& out);
  Status skip(WireType type);

 private:
  Status truncated(const char* what) const;

  Bytes bytes_;
  size_t base_;
  size_t position_ = 0;
};

// Checks that a field arrived with the wire type its schema gives it.
Status expect_wire_type(WireType actual, WireType expected, const char* field);

}  // namespace digits::onnx
