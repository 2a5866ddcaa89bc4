// Writes small ONNX models in protobuf wire format, so tests can build exactly the
// graph (or the defect) a case needs.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace digits::test {

// One protobuf message under construction.
class Message {
 public:
  Message& varint(uint32_t field, uint64_t value);
  Message& fixed32(uint32_t field, uint32_t bits);
  Message& floating(uint32_t field, float value);
  Message& bytes(uint32_t field, const std::string& value);
  Message& message(uint32_t field, const Message& value) { return bytes(field, value.data_); }
  const std::string& data() const { return data_; }

 private:
  void key(uint32_t field, uint32_t wire_type);
  void raw_varint(uint64_t value);
  std::string data_;
};

struct AttributeSpec {
  std::string name;
  enum Kind { kInt, kFloat, kInts, kString } kind = kInt;
  int64_t i = 0;
  float f = 0;
  std::vector<int64_t> ints;
  std::string s;
};
AttributeSpec int_attribute(std::string name, int64_t value);
AttributeSpec float_attribute(std::string name, float value);
AttributeSpec ints_attribute(std::string name, std::vector<int64_t> values);
AttributeSpec string_attribute(std::string name, std::string value);

class ModelBuilder {
 public:
  explicit ModelBuilder(int64_t opset = 13) : opset_(opset) {}
  // dims < 0 are written as the symbol "N".
  ModelBuilder& input(const std::string& name, std::vector<int64_t> dims, int32_t type = 1);
  ModelBuilder& output(const std::string& name);                        // no declared type or shape
  ModelBuilder& output(const std::string& name, std::vector<int64_t> dims, int32_t type = 1);
  ModelBuilder& initializer(const std::string& name, std::vector<int64_t> dims, const std::vector<float>& values);
  ModelBuilder& int64_initializer(const std::string& name, std::vector<int64_t> dims, const std::vector<int64_t>& values);
  // An 8-bit tensor (type 2 uint8, 3 int8) as raw_data bytes, as exporters write them.
  ModelBuilder& byte_initializer(const std::string& name, std::vector<int64_t> dims, int32_t type,
                                 const std::string& raw);
  // A tensor of a small integer type in int32_data, whose varints can hold values outside its range.
  ModelBuilder& int32_data_initializer(const std::string& name, std::vector<int64_t> dims, int32_t type,
                                       const std::vector<int64_t>& values);
  ModelBuilder& node(const std::string& op_type, std::vector<std::string> inputs, std::vector<std::string> outputs,
                     std::vector<AttributeSpec> attributes = {}, const std::string& domain = "");
  ModelBuilder& metadata(const std::string& key, const std::string& value);
  std::vector<uint8_t> build() const;

 private:
  int64_t opset_;
  Message graph_;
  std::vector<std::pair<std::string, std::string>> metadata_;
  int node_count_ = 0;
};

// A TensorProto with float_data (packed) or raw_data.
Message float_tensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values,
                     bool raw);

}  // namespace digits::test
