// Reading ONNX files: ModelProto and TensorProto in protobuf wire format.
//
//   digits::Result<digits::onnx::Model> model = digits::onnx::parse_model(bytes, size);
//   if (!model.ok()) fail(model.status().message());  // e.g. "graph.node[3]: truncated varint at byte 812"
//   int64_t opset = model.value().opset("");
//
// Our own reader rather than libprotobuf: the WebAssembly engine has to stay small
// (libprotobuf alone is larger than the whole engine), and a reader that checks every
// length against the bytes it was given is what makes corrupt files a clear error
// instead of a crash. Only the fields an inference engine needs are kept; unknown
// fields are skipped, as protobuf requires.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "digits/status.h"

namespace digits::onnx {

// TensorProto.DataType, numbered from 0 in onnx.proto's order; the assert catches a name lost or added.
enum class DataType : int32_t {
  undefined, float32, uint8, int8, uint16, int16, int32,
  int64, string, boolean, float16, float64, uint32, uint64,
};
static_assert(static_cast<int32_t>(DataType::int64) == 7 && static_cast<int32_t>(DataType::uint64) == 13);

// "float32", "int64", ... or "type N" for values outside the enum.
std::string data_type_name(DataType type);

// int8, uint8 and bool: the types whose values a Tensor keeps as bytes, and the value
// such a byte stands for.
bool is_byte_type(DataType type);
inline int64_t byte_value(DataType type, uint8_t byte) {
  return type == DataType::int8 ? int64_t{static_cast<int8_t>(byte)} : int64_t{byte};
}
std::vector<int64_t> widen_bytes(DataType type, const std::vector<uint8_t>& bytes);

// Largest tensor the reader accepts, in elements (1 GiB of float32).
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 28;

struct Tensor {
  std::string name;
  DataType type = DataType::undefined;
  std::vector<int64_t> dims;
  // Values by kind: float32 in floats; int8, uint8 and bool in bytes, one per value (a
  // model's quarter of a million int8 weights would take 2 MB widened); the other integer
  // types widened into ints. Other types (float16, float64, strings) keep no values:
  // has_values is false.
  std::vector<float> floats;
  std::vector<uint8_t> bytes;
  std::vector<int64_t> ints;
  bool has_values = false;

  int64_t element_count() const;
  // Value i of an integer or boolean tensor, from bytes or ints.
  int64_t integer(size_t i) const;
};

// One dimension of a declared shape: a number, or a symbol such as "N" (value -1).
struct Dim {
  int64_t value = -1;
  std::string symbol;
};

struct ValueInfo {
  std::string name;
  DataType type = DataType::undefined;
  bool has_shape = false;
  std::vector<Dim> dims;
};

enum class AttributeType : int32_t {
  undefined = 0,
  float32 = 1,
  int64 = 2,
  string = 3,
  tensor = 4,
  graph = 5,
  floats = 6,
  ints = 7,
  strings = 8,
  tensors = 9,
  graphs = 10,
  sparse_tensor = 11,
  sparse_tensors = 12,
  type_proto = 13,
  type_protos = 14,
};

struct Attribute {
  std::string name;
  AttributeType type = AttributeType::undefined;
  float f = 0;
  int64_t i = 0;
  std::string s;
  Tensor t;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
};

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;
  std::vector<std::string> inputs;  // "" marks an omitted optional input
  std::vector<std::string> outputs;
  std::vector<Attribute> attributes;

  // nullptr when absent.
  const Attribute* attribute(std::string_view attribute_name) const;
};

struct Graph {
  std::string name;
  std::vector<Node> nodes;
  std::vector<Tensor> initializers;
  std::vector<ValueInfo> inputs;  // may include initializers (IR version < 4 style)
  std::vector<ValueInfo> outputs;
};

struct OpsetImport {
  std::string domain;  // "" and "ai.onnx" both mean the default domain
  int64_t version = 0;
};

struct Model {
  int64_t ir_version = 0;
  std::vector<OpsetImport> opsets;
  std::string producer_name;
  std::string producer_version;
  Graph graph;
  std::vector<std::pair<std::string, std::string>> metadata;

  // The imported version of a domain ("" for the default one), or -1 if not imported.
  int64_t opset(std::string_view domain) const;
  // nullptr when the key is absent.
  const std::string* metadata_value(std::string_view key) const;
};

// Parses a ModelProto. Fails, naming the field and byte offset, on truncated or
// malformed wire data, inconsistent tensors (value count not matching dims, dims
// negative or too large), external tensor data, and a missing graph.
Result<Model> parse_model(const uint8_t* bytes, size_t size);

// Parses a TensorProto (the input_K.pb / output_K.pb files of ONNX's test cases).
// Fails as parse_model does.
Result<Tensor> parse_tensor(const uint8_t* bytes, size_t size);

}  // namespace digits::onnx
