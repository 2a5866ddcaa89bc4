// Typed field readers shared by the ModelProto and TensorProto parsers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "digits/onnx.h"
#include "onnx/wire_reader.h"

namespace digits::onnx {

Status read_int64(WireReader& reader, WireType wire, int64_t& out, const char* field);
Status read_float(WireReader& reader, WireType wire, float& out, const char* field);
Status read_string_field(WireReader& reader, WireType wire, std::string& out, const char* field);
// Accepts both the packed and the one-value-per-key encodings, as protobuf requires.
Status read_repeated_varint(WireReader& reader, WireType wire, std::vector<int64_t>& out, const char* field);
Status read_repeated_float(WireReader& reader, WireType wire, std::vector<float>& out, const char* field);
Status count_repeated_fixed64(WireReader& reader, WireType wire, size_t& count, const char* field);
// A nested message: hands its bytes and file offset to parse.
template <typename Parse>
Status read_message(WireReader& reader, WireType wire, const char* field, Parse parse) {
  DIGITS_TRY(expect_wire_type(wire, WireType::length_delimited, field));
  Bytes bytes;
  size_t base = 0;
  DIGITS_TRY(reader.read_bytes(bytes, base));
  return parse(bytes, base);
}

// Calls on_field(reader, field_number, wire_type) for each field of the message in
// bytes, in order; on_field reads the field's value or skips it (reader.skip(wire)).
// Every message parser is this loop and its switch.
template <typename OnField>
Status for_each_field(Bytes bytes, size_t base, OnField on_field) {
  WireReader reader(bytes, base);
  while (!reader.at_end()) {
    uint32_t field = 0;
    WireType wire{};
    DIGITS_TRY(reader.next_field(field, wire));
    DIGITS_TRY(on_field(reader, field, wire));
  }
  return Status::success();
}

Status parse_tensor_fields(Bytes bytes, size_t base, Tensor& tensor);

}  // namespace digits::onnx
