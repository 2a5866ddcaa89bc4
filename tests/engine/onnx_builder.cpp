#include "onnx_builder.h"

#include <cstring>

namespace digits::test {

void Message::raw_varint(uint64_t value) {
  while (value >= 0x80) {
    data_ += static_cast<char>((value & 0x7F) | 0x80);
    value >>= 7;
  }
  data_ += static_cast<char>(value);
}

void Message::key(uint32_t field, uint32_t wire_type) { raw_varint(uint64_t{field} << 3 | wire_type); }

Message& Message::varint(uint32_t field, uint64_t value) {
  key(field, 0);
  raw_varint(value);
  return *this;
}

Message& Message::fixed32(uint32_t field, uint32_t bits) {
  key(field, 5);
  for (int i = 0; i < 4; ++i) data_ += static_cast<char>((bits >> (8 * i)) & 0xFF);
  return *this;
}

Message& Message::floating(uint32_t field, float value) {
  uint32_t bits = 0;
  std::memcpy(&bits, &value, 4);
  return fixed32(field, bits);
}

Message& Message::bytes(uint32_t field, const std::string& value) {
  key(field, 2);
  raw_varint(value.size());
  data_ += value;
  return *this;
}

AttributeSpec int_attribute(std::string name, int64_t value) {
  AttributeSpec a;
  a.name = std::move(name);
  a.kind = AttributeSpec::kInt;
  a.i = value;
  return a;
}

AttributeSpec float_attribute(std::string name, float value) {
  AttributeSpec a;
  a.name = std::move(name);
  a.kind = AttributeSpec::kFloat;
  a.f = value;
  return a;
}

AttributeSpec ints_attribute(std::string name, std::vector<int64_t> values) {
  AttributeSpec a;
  a.name = std::move(name);
  a.kind = AttributeSpec::kInts;
  a.ints = std::move(values);
  return a;
}

AttributeSpec string_attribute(std::string name, std::string value) {
  AttributeSpec a;
  a.name = std::move(name);
  a.kind = AttributeSpec::kString;
  a.s = std::move(value);
  return a;
}

Message float_tensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values,
                     bool raw) {
  Message tensor;
  for (int64_t dim : dims) tensor.varint(1, static_cast<uint64_t>(dim));
  tensor.varint(2, 1);
  std::string packed(values.size() * 4, '\0');
  if (!values.empty()) std::memcpy(packed.data(), values.data(), packed.size());
  tensor.bytes(raw ? 9 : 4, packed);
  tensor.bytes(8, name);
  return tensor;
}

namespace {

Message value_info(const std::string& name, const std::vector<int64_t>& dims, int32_t type) {
  Message shape;
  for (int64_t dim : dims) {
    Message d;
    if (dim < 0) {
      d.bytes(2, "N");
    } else {
      d.varint(1, static_cast<uint64_t>(dim));
    }
    shape.message(1, d);
  }
  Message tensor_type;
  tensor_type.varint(1, static_cast<uint64_t>(type)).message(2, shape);
  Message type_proto;
  type_proto.message(1, tensor_type);
  Message info;
  info.bytes(1, name).message(2, type_proto);
  return info;
}

}  // namespace

ModelBuilder& ModelBuilder::input(const std::string& name, std::vector<int64_t> dims, int32_t type) {
  graph_.message(11, value_info(name, dims, type));
  return *this;
}

ModelBuilder& ModelBuilder::output(const std::string& name) {
  Message info;
  info.bytes(1, name);
  graph_.message(12, info);
  return *this;
}

ModelBuilder& ModelBuilder::output(const std::string& name, std::vector<int64_t> dims, int32_t type) {
  graph_.message(12, value_info(name, dims, type));
  return *this;
}

ModelBuilder& ModelBuilder::initializer(const std::string& name, std::vector<int64_t> dims,
                                        const std::vector<float>& values) {
  graph_.message(5, float_tensor(name, dims, values, true));
  return *this;
}

ModelBuilder& ModelBuilder::int64_initializer(const std::string& name, std::vector<int64_t> dims,
                                              const std::vector<int64_t>& values) {
  Message tensor;
  for (int64_t dim : dims) tensor.varint(1, static_cast<uint64_t>(dim));
  tensor.varint(2, 7);
  for (int64_t value : values) tensor.varint(7, static_cast<uint64_t>(value));
  tensor.bytes(8, name);
  graph_.message(5, tensor);
  return *this;
}

ModelBuilder& ModelBuilder::byte_initializer(const std::string& name, std::vector<int64_t> dims, int32_t type,
                                             const std::string& raw) {
  Message tensor;
  for (int64_t dim : dims) tensor.varint(1, static_cast<uint64_t>(dim));
  tensor.varint(2, static_cast<uint64_t>(type));
  tensor.bytes(8, name);
  tensor.bytes(9, raw);
  graph_.message(5, tensor);
  return *this;
}

ModelBuilder& ModelBuilder::int32_data_initializer(const std::string& name, std::vector<int64_t> dims, int32_t type,
                                                   const std::vector<int64_t>& values) {
  Message tensor;
  for (int64_t dim : dims) tensor.varint(1, static_cast<uint64_t>(dim));
  tensor.varint(2, static_cast<uint64_t>(type));
  for (int64_t value : values) tensor.varint(5, static_cast<uint64_t>(value));
  tensor.bytes(8, name);
  graph_.message(5, tensor);
  return *this;
}

ModelBuilder& ModelBuilder::node(const std::string& op_type, std::vector<std::string> inputs,
                                 std::vector<std::string> outputs, std::vector<AttributeSpec> attributes,
                                 const std::string& domain) {
  Message node;
  for (const std::string& input : inputs) node.bytes(1, input);
  for (const std::string& output : outputs) node.bytes(2, output);
  node.bytes(3, op_type + "_" + std::to_string(node_count_++));
  node.bytes(4, op_type);
  for (const AttributeSpec& spec : attributes) {
    Message attribute;
    attribute.bytes(1, spec.name);
    switch (spec.kind) {
      case AttributeSpec::kInt: attribute.varint(3, static_cast<uint64_t>(spec.i)).varint(20, 2); break;
      case AttributeSpec::kFloat: attribute.floating(2, spec.f).varint(20, 1); break;
      case AttributeSpec::kString: attribute.bytes(4, spec.s).varint(20, 3); break;
      case AttributeSpec::kInts:
        for (int64_t value : spec.ints) attribute.varint(8, static_cast<uint64_t>(value));
        attribute.varint(20, 7);
        break;
    }
    node.message(5, attribute);
  }
  if (!domain.empty()) node.bytes(7, domain);
  graph_.message(1, node);
  return *this;
}

ModelBuilder& ModelBuilder::metadata(const std::string& key, const std::string& value) {
  metadata_.emplace_back(key, value);
  return *this;
}

std::vector<uint8_t> ModelBuilder::build() const {
  Message model;
  model.varint(1, 8);
  Message opset;
  opset.bytes(1, "").varint(2, static_cast<uint64_t>(opset_));
  model.message(8, opset);
  model.message(7, graph_);
  for (const auto& [key, value] : metadata_) {
    Message entry;
    entry.bytes(1, key).bytes(2, value);
    model.message(14, entry);
  }
  return std::vector<uint8_t>(model.data().begin(), model.data().end());
}

}  // namespace digits::test
