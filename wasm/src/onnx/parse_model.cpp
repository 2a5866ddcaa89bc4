// ModelProto and the messages under it, as far as inference needs them.
#include "onnx/parse_fields.h"

namespace digits::onnx {
namespace {

std::string indexed(const char* field, size_t index) {
  return std::string(field) + "[" + std::to_string(index) + "]";
}

Status parse_dimension(Bytes bytes, size_t base, Dim& dim) {
  return for_each_field(bytes, base, [&](WireReader& reader, uint32_t field, WireType wire) {
    if (field == 1) {
      DIGITS_TRY(read_int64(reader, wire, dim.value, "dim_value"));
    } else if (field == 2) {
      DIGITS_TRY(read_string_field(reader, wire, dim.symbol, "dim_param"));
    } else {
      DIGITS_TRY(reader.skip(wire));
    }
    return Status::success();
  });
}

Status parse_tensor_type(Bytes bytes, size_t base, ValueInfo& info) {
  return for_each_field(bytes, base, [&](WireReader& reader, uint32_t field, WireType wire) {
    if (field == 1) {
      int64_t type = 0;
      DIGITS_TRY(read_int64(reader, wire, type, "elem_type"));
      info.type = static_cast<DataType>(type);
    } else if (field == 2) {
      info.has_shape = true;
      DIGITS_TRY(read_message(reader, wire, "shape", [&](Bytes shape, size_t shape_base) {
        return for_each_field(shape, shape_base, [&](WireReader& dims, uint32_t dim_field, WireType dim_wire) {
          if (dim_field != 1) return dims.skip(dim_wire);
          info.dims.emplace_back();
          return read_message(dims, dim_wire, "dim", [&](Bytes d, size_t b) {
            return parse_dimension(d, b, info.dims.back());
          });
        });
      }));
    } else {
      DIGITS_TRY(reader.skip(wire));
    }
    return Status::success();
  });
}

Status parse_value_info(Bytes bytes, size_t base, ValueInfo& info) {
  return for_each_field(bytes, base, [&](WireReader& reader, uint32_t field, WireType wire) {
    if (field == 1) {
      DIGITS_TRY(read_string_field(reader, wire, info.name, "name"));
    } else if (field == 2) {
      // TypeProto: only tensor_type (field 1) describes a tensor; sequences and maps stay undefined.
      DIGITS_TRY(read_message(reader, wire, "type", [&](Bytes type, size_t type_base) {
        return for_each_field(type, type_base, [&](WireReader& types, uint32_t type_field, WireType type_wire) {
          if (type_field != 1) return types.skip(type_wire);
          return read_message(types, type_wire, "tensor_type", [&](Bytes t, size_t b) {
            return parse_tensor_type(t, b, info);
          });
        });
      }));
    } else {
      DIGITS_TRY(reader.skip(wire));
    }
    return Status::success();
  });
}

// Before IR version 2 attributes carried no type; it is implied by the field that is set.
void infer_attribute_type(Attribute& attribute, bool has_f, bool has_i, bool has_s, bool has_t) {
  if (attribute.type != AttributeType::undefined) return;
  if (has_f) attribute.type = AttributeType::float32;
  else if (has_i) attribute.type = AttributeType::int64;
  else if (has_s) attribute.type = AttributeType::string;
  else if (has_t) attribute.type = AttributeType::tensor;
  else if (!attribute.floats.empty()) attribute.type = AttributeType::floats;
  else if (!attribute.ints.empty()) attribute.type = AttributeType::ints;
  else if (!attribute.strings.empty()) attribute.type = AttributeType::strings;
}

Status parse_attribute(Bytes bytes, size_t base, Attribute& attribute) {
  bool has_f = false, has_i = false, has_s = false, has_t = false;
  DIGITS_TRY(for_each_field(bytes, base, [&](WireReader& reader, uint32_t field, WireType wire) {
    switch (field) {
      case 1: DIGITS_TRY(read_string_field(reader, wire, attribute.name, "name")); break;
      case 2: DIGITS_TRY(read_float(reader, wire, attribute.f, "f")); has_f = true; break;
      case 3: DIGITS_TRY(read_int64(reader, wire, attribute.i, "i")); has_i = true; break;
      case 4: DIGITS_TRY(read_string_field(reader, wire, attribute.s, "s")); has_s = true; break;
      case 5:
        has_t = true;
        DIGITS_TRY(read_message(reader, wire, "t", [&](Bytes t, size_t b) {
          return parse_tensor_fields(t, b, attribute.t).within("t");
        }));
        break;
      case 7: DIGITS_TRY(read_repeated_float(reader, wire, attribute.floats, "floats")); break;
      case 8: DIGITS_TRY(read_repeated_varint(reader, wire, attribute.ints, "ints")); break;
      case 9: {
        std::string value;
        DIGITS_TRY(read_string_field(reader, wire, value, "strings"));
        attribute.strings.push_back(std::move(value));
        break;
      }
      case 20: {
        int64_t type = 0;
        DIGITS_TRY(read_int64(reader, wire, type, "type"));
        attribute.type = static_cast<AttributeType>(type);
        break;
      }
      default: DIGITS_TRY(reader.skip(wire)); break;  // subgraphs, docs, type protos
    }
    return Status::success();
  }));
  infer_attribute_type(attribute, has_f, has_i, has_s, has_t);
  return Status::success();
}

Status parse_node(Bytes bytes, size_t base, Node& node) {
  return for_each_field(bytes, base, [&](WireReader& reader, uint32_t field, WireType wire) {
    switch (field) {
      case 1:
        node.inputs.emplace_back();
        DIGITS_TRY(read_string_field(reader, wire, node.inputs.back(), "input"));
        break;
      case 2:
        node.outputs.emplace_back();
        DIGITS_TRY(read_string_field(reader, wire, node.outputs.back(), "output"));
        break;
      case 3: DIGITS_TRY(read_string_field(reader, wire, node.name, "name")); break;
      case 4: DIGITS_TRY(read_string_field(reader, wire, node.op_type, "op_type")); break;
      case 5: {
        const size_t index = node.attributes.size();
        node.attributes.emplace_back();
        DIGITS_TRY(read_message(reader, wire, "attribute", [&](Bytes a, size_t b) {
          return parse_attribute(a, b, node.attributes.back()).within(indexed("attribute", index));
        }));
        break;
      }
      case 7: DIGITS_TRY(read_string_field(reader, wire, node.domain, "domain")); break;
      default: DIGITS_TRY(reader.skip(wire)); break;
    }
    return Status::success();
  });
}

template <typename Item, typename Parse>
Status read_item(WireReader& reader, WireType wire, const char* field, std::vector<Item>& items, Parse parse) {
  const size_t index = items.size();
  items.emplace_back();
  return read_message(reader, wire, field, [&](Bytes bytes, size_t base) {
    return parse(bytes, base, items.back()).within(indexed(field, index));
  });
}

Status parse_graph(Bytes bytes, size_t base, Graph& graph) {
  return for_each_field(bytes, base, [&](WireReader& reader, uint32_t field, WireType wire) {
    switch (field) {
      case 1: DIGITS_TRY(read_item(reader, wire, "node", graph.nodes, parse_node)); break;
      case 2: DIGITS_TRY(read_string_field(reader, wire, graph.name, "name")); break;
      case 5: DIGITS_TRY(read_item(reader, wire, "initializer", graph.initializers, parse_tensor_fields)); break;
      case 11: DIGITS_TRY(read_item(reader, wire, "input", graph.inputs, parse_value_info)); break;
      case 12: DIGITS_TRY(read_item(reader, wire, "output", graph.outputs, parse_value_info)); break;
      default: DIGITS_TRY(reader.skip(wire)); break;
    }
    return Status::success();
  });
}

Status parse_opset(Bytes bytes, size_t base, OpsetImport& opset) {
  return for_each_field(bytes, base, [&](WireReader& reader, uint32_t field, WireType wire) {
    if (field == 1) {
      DIGITS_TRY(read_string_field(reader, wire, opset.domain, "domain"));
    } else if (field == 2) {
      DIGITS_TRY(read_int64(reader, wire, opset.version, "version"));
    } else {
      DIGITS_TRY(reader.skip(wire));
    }
    return Status::success();
  });
}

Status parse_metadata(Bytes bytes, size_t base, std::pair<std::string, std::string>& entry) {
  return for_each_field(bytes, base, [&](WireReader& reader, uint32_t field, WireType wire) {
    if (field == 1) {
      DIGITS_TRY(read_string_field(reader, wire, entry.first, "key"));
    } else if (field == 2) {
      DIGITS_TRY(read_string_field(reader, wire, entry.second, "value"));
    } else {
      DIGITS_TRY(reader.skip(wire));
    }
    return Status::success();
  });
}

Status parse_model_fields(Bytes bytes, Model& model, bool& has_graph) {
  return for_each_field(bytes, 0, [&](WireReader& reader, uint32_t field, WireType wire) {
    switch (field) {
      case 1: DIGITS_TRY(read_int64(reader, wire, model.ir_version, "ir_version")); break;
      case 2: DIGITS_TRY(read_string_field(reader, wire, model.producer_name, "producer_name")); break;
      case 3: DIGITS_TRY(read_string_field(reader, wire, model.producer_version, "producer_version")); break;
      case 7:
        has_graph = true;
        DIGITS_TRY(read_message(reader, wire, "graph", [&](Bytes g, size_t b) {
          return parse_graph(g, b, model.graph).within("graph");
        }));
        break;
      case 8: DIGITS_TRY(read_item(reader, wire, "opset_import", model.opsets, parse_opset)); break;
      case 14: DIGITS_TRY(read_item(reader, wire, "metadata_props", model.metadata, parse_metadata)); break;
      default: DIGITS_TRY(reader.skip(wire)); break;
    }
    return Status::success();
  });
}

}  // namespace

Result<Model> parse_model(const uint8_t* bytes, size_t size) {
  if (bytes == nullptr || size == 0) return Status::error("model file is empty");
  Model model;
  bool has_graph = false;
  Status status = parse_model_fields(Bytes{bytes, size}, model, has_graph);
  if (!status.ok()) return Status::error("not a valid ONNX model: " + status.message());
  if (!has_graph) return Status::error("not a valid ONNX model: it has no graph");
  if (model.ir_version <= 0) return Status::error("not a valid ONNX model: no ir_version");
  return model;
}

int64_t Model::opset(std::string_view domain) const {
  const bool want_default = domain.empty() || domain == "ai.onnx";
  for (const OpsetImport& import : opsets) {
    const bool is_default = import.domain.empty() || import.domain == "ai.onnx";
    if (want_default ? is_default : import.domain == domain) return import.version;
  }
  return -1;
}

const std::string* Model::metadata_value(std::string_view key) const {
  for (const auto& [entry_key, value] : metadata) {
    if (entry_key == key) return &value;
  }
  return nullptr;
}

const Attribute* Node::attribute(std::string_view attribute_name) const {
  for (const Attribute& attribute : attributes) {
    if (attribute.name == attribute_name) return &attribute;
  }
  return nullptr;
}

}  // namespace digits::onnx
