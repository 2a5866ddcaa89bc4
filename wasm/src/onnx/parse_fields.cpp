#include "onnx/parse_fields.h"

#include <cstring>

namespace digits::onnx {

Status read_int64(WireReader& reader, WireType wire, int64_t& out, const char* field) {
  DIGITS_TRY(expect_wire_type(wire, WireType::varint, field));
  uint64_t value = 0;
  DIGITS_TRY(reader.read_varint(value));
  out = static_cast<int64_t>(value);  // two's complement, as protobuf encodes int64
  return Status::success();
}

Status read_float(WireReader& reader, WireType wire, float& out, const char* field) {
  DIGITS_TRY(expect_wire_type(wire, WireType::fixed32, field));
  uint32_t bits = 0;
  DIGITS_TRY(reader.read_fixed32(bits));
  std::memcpy(&out, &bits, 4);
  return Status::success();
}

Status read_string_field(WireReader& reader, WireType wire, std::string& out, const char* field) {
  DIGITS_TRY(expect_wire_type(wire, WireType::length_delimited, field));
  return reader.read_string(out);
}

namespace {

// A repeated number arrives either one value per field or packed into one length-delimited
// field; this is the first form.
template <typename T>
Status append_one(WireReader& reader, WireType wire, std::vector<T>& out, const char* field,
                  Status (*read_one)(WireReader&, WireType, T&, const char*)) {
  T value{};
  DIGITS_TRY(read_one(reader, wire, value, field));
  out.push_back(value);
  return Status::success();
}

}  // namespace

Status read_repeated_varint(WireReader& reader, WireType wire, std::vector<int64_t>& out, const char* field) {
  if (wire == WireType::varint) return append_one(reader, wire, out, field, read_int64);
  return read_message(reader, wire, field, [&](Bytes bytes, size_t base) {
    WireReader packed(bytes, base);
    while (!packed.at_end()) {
      uint64_t value = 0;
      DIGITS_TRY(packed.read_varint(value));
      out.push_back(static_cast<int64_t>(value));
    }
    return Status::success();
  });
}

Status read_repeated_float(WireReader& reader, WireType wire, std::vector<float>& out, const char* field) {
  if (wire == WireType::fixed32) return append_one(reader, wire, out, field, read_float);
  return read_message(reader, wire, field, [&](Bytes bytes, size_t) {
    if (bytes.size % 4 != 0) {
      return Status::error(std::string("packed ") + field + " of " + std::to_string(bytes.size) +
                           " bytes is not a whole number of floats");
    }
    const size_t start = out.size();
    out.resize(start + bytes.size / 4);
    if (bytes.size > 0) std::memcpy(out.data() + start, bytes.data, bytes.size);
    return Status::success();
  });
}

Status count_repeated_fixed64(WireReader& reader, WireType wire, size_t& count, const char* field) {
  if (wire == WireType::fixed64) {
    ++count;
    return reader.skip(wire);
  }
  return read_message(reader, wire, field, [&](Bytes bytes, size_t) {
    if (bytes.size % 8 != 0) return Status::error(std::string("packed ") + field + " is not a whole number of values");
    count += bytes.size / 8;
    return Status::success();
  });
}

}  // namespace digits::onnx
