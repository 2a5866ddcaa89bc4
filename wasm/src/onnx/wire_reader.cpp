#include "onnx/wire_reader.h"

#include <cstring>

namespace digits::onnx {

Status WireReader::truncated(const char* what) const {
  return Status::error(std::string("truncated ") + what + " at byte " + std::to_string(file_offset()));
}

Status WireReader::read_varint(uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (position_ >= bytes_.size) return truncated("varint");
    const uint8_t byte = bytes_.data[position_++];
    value |= uint64_t{byte & 0x7Fu} << shift;
    if ((byte & 0x80u) == 0) return Status::success();
  }
  return Status::error("varint longer than 10 bytes at byte " + std::to_string(file_offset()));
}

Status WireReader::next_field(uint32_t& field, WireType& type) {
  const size_t key_offset = file_offset();
  uint64_t key = 0;
  DIGITS_TRY(read_varint(key));
  const uint64_t number = key >> 3;
  const uint64_t wire = key & 7u;
  if (number == 0 || number > 0x1FFFFFFF) {
    return Status::error("invalid field number " + std::to_string(number) + " at byte " + std::to_string(key_offset));
  }
  if (wire != 0 && wire != 1 && wire != 2 && wire != 5) {
    return Status::error("unsupported wire type " + std::to_string(wire) + " at byte " + std::to_string(key_offset));
  }
  field = static_cast<uint32_t>(number);
  type = static_cast<WireType>(wire);
  return Status::success();
}

Status WireReader::read_fixed32(uint32_t& value) {
  if (bytes_.size - position_ < 4) return truncated("fixed32");
  std::memcpy(&value, bytes_.data + position_, 4);  // wire and both targets are little-endian
  position_ += 4;
  return Status::success();
}

Status WireReader::read_fixed64(uint64_t& value) {
  if (bytes_.size - position_ < 8) return truncated("fixed64");
  std::memcpy(&value, bytes_.data + position_, 8);
  position_ += 8;
  return Status::success();
}

Status WireReader::read_bytes(Bytes& out, size_t& child_base) {
  uint64_t length = 0;
  DIGITS_TRY(read_varint(length));
  if (length > bytes_.size - position_) {
    return Status::error("field of " + std::to_string(length) + " bytes runs past the end of its message at byte " +
                         std::to_string(file_offset()));
  }
  out = Bytes{bytes_.data + position_, static_cast<size_t>(length)};
  child_base = file_offset();
  position_ += static_cast<size_t>(length);
  return Status::success();
}

Status WireReader::read_string(std::string& out) {
  Bytes bytes;
  size_t ignored = 0;
  DIGITS_TRY(read_bytes(bytes, ignored));
  out.assign(reinterpret_cast<const char*>(bytes.data), bytes.size);
  return Status::success();
}

Status WireReader::skip(WireType type) {
  uint64_t ignored = 0;
  uint32_t ignored32 = 0;
  Bytes bytes;
  size_t base = 0;
  switch (type) {
    case WireType::varint: return read_varint(ignored);
    case WireType::fixed64: return read_fixed64(ignored);
    case WireType::fixed32: return read_fixed32(ignored32);
    case WireType::length_delimited: return read_bytes(bytes, base);
  }
  return Status::error("unsupported wire type");
}

Status expect_wire_type(WireType actual, WireType expected, const char* field) {
  if (actual == expected) return Status::success();
  return Status::error(std::string("field ") + field + " has wire type " + std::to_string(static_cast<int>(actual)) +
                       ", expected " + std::to_string(static_cast<int>(expected)));
}

}  // namespace digits::onnx
