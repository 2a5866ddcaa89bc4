// TensorProto: dims, type, and values from raw_data or the typed repeated fields.
#include <cstring>

#include "onnx/parse_fields.h"
#include "zeroed_vector.h"

namespace digits::onnx {
namespace {

// TensorProto field numbers.
enum : uint32_t {
  kDims = 1,
  kDataType = 2,
  kFloatData = 4,
  kInt32Data = 5,
  kInt64Data = 7,
  kName = 8,
  kRawData = 9,
  kDoubleData = 10,
  kUint64Data = 11,
  kDataLocation = 14,
};

constexpr uint64_t kExternalLocation = 1;

// Bytes per element in raw_data, or 0 for types the reader cannot size (strings).
size_t element_size(DataType type) {
  switch (type) {
    case DataType::uint8:
    case DataType::int8:
    case DataType::boolean: return 1;
    case DataType::uint16:
    case DataType::int16:
    case DataType::float16: return 2;
    case DataType::float32:
    case DataType::int32:
    case DataType::uint32: return 4;
    case DataType::int64:
    case DataType::float64:
    case DataType::uint64: return 8;
    default: return 0;
  }
}

// Little-endian values of T widened to int64 (uint64 keeps its bits). One loop per type,
// with a raw pointer, as operator[] would be a call per value at -Os (see zeroed_vector.h).
template <typename T>
void widen(const uint8_t* raw, size_t count, std::vector<int64_t>& ints) {
  ints = zeroed_vector<int64_t>(count);
  int64_t* out = ints.data();
  for (size_t i = 0; i < count; ++i) {
    T value;
    std::memcpy(&value, raw + i * sizeof(T), sizeof(T));
    out[i] = static_cast<int64_t>(value);
  }
}

void widen_raw(const uint8_t* raw, size_t count, DataType type, std::vector<int64_t>& ints) {
  switch (type) {
    case DataType::uint16: return widen<uint16_t>(raw, count, ints);
    case DataType::int16: return widen<int16_t>(raw, count, ints);
    case DataType::int32: return widen<int32_t>(raw, count, ints);
    case DataType::uint32: return widen<uint32_t>(raw, count, ints);
    default: return widen<int64_t>(raw, count, ints);
  }
}

bool is_integer(DataType type) {
  switch (type) {
    case DataType::uint8:
    case DataType::int8:
    case DataType::uint16:
    case DataType::int16:
    case DataType::int32:
    case DataType::int64:
    case DataType::uint32:
    case DataType::uint64:
    case DataType::boolean: return true;
    default: return false;
  }
}

struct TensorFields {
  Bytes raw;
  bool has_raw = false;
  std::vector<float> float_data;
  std::vector<int64_t> int32_data;
  std::vector<int64_t> int64_data;
  std::vector<int64_t> uint64_data;
  size_t double_count = 0;
};

// int32_data of an 8-bit type: each value must fit the type, as raw bytes always do.
Status narrow_to_bytes(const std::vector<int64_t>& values, DataType type, std::vector<uint8_t>& bytes) {
  const int64_t low = type == DataType::int8 ? -128 : 0;
  const int64_t high = type == DataType::int8 ? 127 : type == DataType::uint8 ? 255 : 1;
  bytes.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] < low || values[i] > high) {
      return Status::error("holds " + std::to_string(values[i]) + " at " + std::to_string(i) + ", outside " +
                           data_type_name(type) + "'s range");
    }
    bytes[i] = static_cast<uint8_t>(values[i]);
  }
  return Status::success();
}

Status check_count(size_t actual, int64_t expected, const char* field) {
  if (static_cast<int64_t>(actual) == expected) return Status::success();
  return Status::error(std::string(field) + " holds " + std::to_string(actual) + " values, dims promise " +
                       std::to_string(expected));
}

Status materialise(Tensor& tensor, const TensorFields& fields) {
  int64_t count = 1;
  for (int64_t dim : tensor.dims) {
    if (dim < 0) return Status::error("negative dimension " + std::to_string(dim));
    if (dim > 0 && count > kMaxTensorElements / dim) {
      return Status::error("more than " + std::to_string(kMaxTensorElements) + " elements");
    }
    count *= dim;
  }
  if (count > kMaxTensorElements) return Status::error("more than " + std::to_string(kMaxTensorElements) + " elements");

  const DataType type = tensor.type;
  if (fields.has_raw) {
    const size_t size = element_size(type);
    if (size == 0) return Status::error("raw_data for unsupported type " + data_type_name(type));
    if (fields.raw.size != static_cast<size_t>(count) * size) {
      return Status::error("raw_data holds " + std::to_string(fields.raw.size) + " bytes, dims and type need " +
                           std::to_string(count * static_cast<int64_t>(size)));
    }
    if (type == DataType::float32) {
      tensor.floats.resize(static_cast<size_t>(count));
      if (count > 0) std::memcpy(tensor.floats.data(), fields.raw.data, fields.raw.size);
      tensor.has_values = true;
    } else if (is_byte_type(type)) {
      tensor.bytes.assign(fields.raw.data, fields.raw.data + fields.raw.size);
      tensor.has_values = true;
    } else if (is_integer(type)) {
      widen_raw(fields.raw.data, static_cast<size_t>(count), type, tensor.ints);
      tensor.has_values = true;
    }
    return Status::success();
  }

  switch (type) {
    case DataType::float32:
      DIGITS_TRY(check_count(fields.float_data.size(), count, "float_data"));
      tensor.floats = fields.float_data;
      break;
    case DataType::int64:
      DIGITS_TRY(check_count(fields.int64_data.size(), count, "int64_data"));
      tensor.ints = fields.int64_data;
      break;
    case DataType::uint32:
    case DataType::uint64:
      DIGITS_TRY(check_count(fields.uint64_data.size(), count, "uint64_data"));
      tensor.ints = fields.uint64_data;
      break;
    case DataType::float64:
      DIGITS_TRY(check_count(fields.double_count, count, "double_data"));
      return Status::success();
    default:
      if (!is_integer(type)) return Status::success();  // float16, strings: no values kept
      DIGITS_TRY(check_count(fields.int32_data.size(), count, "int32_data"));
      if (is_byte_type(type)) {
        DIGITS_TRY(narrow_to_bytes(fields.int32_data, type, tensor.bytes));
      } else {
        tensor.ints = fields.int32_data;
      }
      break;
  }
  tensor.has_values = true;
  return Status::success();
}

}  // namespace

Status parse_tensor_fields(Bytes bytes, size_t base, Tensor& tensor) {
  TensorFields fields;
  DIGITS_TRY(for_each_field(bytes, base, [&](WireReader& reader, uint32_t field, WireType wire) {
    switch (field) {
      case kDims: DIGITS_TRY(read_repeated_varint(reader, wire, tensor.dims, "dims")); break;
      case kDataType: {
        int64_t type = 0;
        DIGITS_TRY(read_int64(reader, wire, type, "data_type"));
        tensor.type = static_cast<DataType>(type);
        break;
      }
      case kFloatData: DIGITS_TRY(read_repeated_float(reader, wire, fields.float_data, "float_data")); break;
      case kInt32Data: DIGITS_TRY(read_repeated_varint(reader, wire, fields.int32_data, "int32_data")); break;
      case kInt64Data: DIGITS_TRY(read_repeated_varint(reader, wire, fields.int64_data, "int64_data")); break;
      case kUint64Data: DIGITS_TRY(read_repeated_varint(reader, wire, fields.uint64_data, "uint64_data")); break;
      case kName: DIGITS_TRY(read_string_field(reader, wire, tensor.name, "name")); break;
      case kRawData: {
        size_t child = 0;
        DIGITS_TRY(expect_wire_type(wire, WireType::length_delimited, "raw_data"));
        DIGITS_TRY(reader.read_bytes(fields.raw, child));
        fields.has_raw = true;
        break;
      }
      case kDoubleData: DIGITS_TRY(count_repeated_fixed64(reader, wire, fields.double_count, "double_data")); break;
      case kDataLocation: {
        int64_t location = 0;
        DIGITS_TRY(read_int64(reader, wire, location, "data_location"));
        if (location == kExternalLocation) return Status::error("external tensor data is not supported");
        break;
      }
      default: DIGITS_TRY(reader.skip(wire)); break;
    }
    return Status::success();
  }));
  // Values are checked once every field is read, so the name is known by then.
  Status values = materialise(tensor, fields);
  return values.ok() || tensor.name.empty() ? values : values.within("tensor '" + tensor.name + "'");
}

Result<Tensor> parse_tensor(const uint8_t* bytes, size_t size) {
  if (bytes == nullptr && size > 0) return Status::error("TensorProto: no bytes");
  Tensor tensor;
  Status status = parse_tensor_fields(Bytes{bytes, size}, 0, tensor).within("TensorProto");
  if (!status.ok()) return status;
  if (tensor.type == DataType::undefined) return Status::error("TensorProto: no data_type");
  return tensor;
}

int64_t Tensor::integer(size_t i) const {
  return is_byte_type(type) ? byte_value(type, bytes[i]) : ints[i];
}

std::vector<int64_t> widen_bytes(DataType type, const std::vector<uint8_t>& bytes) {
  std::vector<int64_t> ints = zeroed_vector<int64_t>(bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) ints[i] = byte_value(type, bytes[i]);
  return ints;
}

bool is_byte_type(DataType type) {
  return type == DataType::int8 || type == DataType::uint8 || type == DataType::boolean;
}

int64_t Tensor::element_count() const {
  int64_t count = 1;
  for (int64_t dim : dims) count *= dim;
  return count;
}

std::string data_type_name(DataType type) {
  switch (type) {
    case DataType::undefined: return "undefined";
    case DataType::float32: return "float32";
    case DataType::uint8: return "uint8";
    case DataType::int8: return "int8";
    case DataType::uint16: return "uint16";
    case DataType::int16: return "int16";
    case DataType::int32: return "int32";
    case DataType::int64: return "int64";
    case DataType::string: return "string";
    case DataType::boolean: return "bool";
    case DataType::float16: return "float16";
    case DataType::float64: return "float64";
    case DataType::uint32: return "uint32";
    case DataType::uint64: return "uint64";
  }
  return "type " + std::to_string(static_cast<int32_t>(type));
}

}  // namespace digits::onnx
