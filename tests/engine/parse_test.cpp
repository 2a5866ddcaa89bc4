#include <doctest/doctest.h>

#include <random>

#include "digits/classifier.h"
#include "digits/onnx.h"
#include "files.h"
#include "onnx_builder.h"
#include "paths.h"

using namespace digits;

namespace {

std::vector<uint8_t> shipped_model() {
  auto bytes = cli::read_file(test::source_path("model/mnist.onnx"));
  REQUIRE(bytes.ok());
  return bytes.take();
}

Status parse(const std::vector<uint8_t>& bytes) { return onnx::parse_model(bytes.data(), bytes.size()).status(); }

}  // namespace

TEST_CASE("the shipped model parses with its graph, opset and metadata") {
  const std::vector<uint8_t> bytes = shipped_model();
  auto model = onnx::parse_model(bytes.data(), bytes.size());
  REQUIRE(model.ok());
  CHECK(model.value().opset("") >= 13);
  CHECK(model.value().graph.inputs.at(0).name == "input");
  CHECK(model.value().graph.outputs.at(0).name == "probabilities");
  REQUIRE(model.value().metadata_value("norm_mean") != nullptr);
  REQUIRE(model.value().metadata_value("labels") != nullptr);
  CHECK(*model.value().metadata_value("labels") == "0,1,2,3,4,5,6,7,8,9");
  bool has_conv = false;
  for (const onnx::Node& node : model.value().graph.nodes) has_conv = has_conv || node.op_type == "Conv";
  CHECK(has_conv);
}

TEST_CASE("empty and non-ONNX files are clear errors") {
  CHECK(parse({}).message() == "model file is empty");
  const std::vector<uint8_t> text = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'};
  CHECK(parse(text).message().find("not a valid ONNX model") == 0);
  const std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
  CHECK_FALSE(parse(png).ok());
}

TEST_CASE("wire-format defects are named with their position") {
  // graph (field 7) claiming 100 bytes where 2 follow
  CHECK(parse({0x08, 0x08, 0x3a, 100, 0, 0}).message().find("runs past the end") != std::string::npos);
  // a varint that never ends
  CHECK(parse({0x08, 0xff, 0xff}).message().find("truncated varint at byte 3") != std::string::npos);
  // deprecated group wire type
  CHECK(parse({0x0b}).message().find("unsupported wire type 3") != std::string::npos);
  // ir_version with the wrong wire type
  CHECK(parse({0x0d, 1, 2, 3, 4}).message().find("ir_version has wire type 5") != std::string::npos);
  // no graph
  CHECK(parse({0x08, 0x08}).message().find("no graph") != std::string::npos);
}

TEST_CASE("every truncation of the shipped model is rejected, never a crash") {
  const std::vector<uint8_t> bytes = shipped_model();
  for (size_t length = 0; length < bytes.size() - 1000; length += 397) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<long>(length));
    auto classifier = Classifier::load(prefix.data(), prefix.size());
    CHECK_FALSE(classifier.ok());
    CHECK_FALSE(classifier.status().message().empty());
  }
}

TEST_CASE("random corruption never crashes the reader or the engine") {
  const std::vector<uint8_t> bytes = shipped_model();
  std::mt19937 random(1234);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<uint8_t> corrupt = bytes;
    // Corrupt the structure near the front (headers, node list), where it matters most.
    const size_t span = trial % 2 == 0 ? 4096 : corrupt.size();
    for (int flips = 0; flips < 4; ++flips) corrupt[random() % span] ^= static_cast<uint8_t>(1 + random() % 255);
    auto classifier = Classifier::load(corrupt.data(), corrupt.size());
    if (!classifier.ok()) CHECK_FALSE(classifier.status().message().empty());
  }
}

TEST_CASE("tensors: raw_data and float_data, checked against their dims") {
  auto raw = test::float_tensor("w", {2, 2}, {1, 2, 3, 4}, true).data();
  auto parsed = onnx::parse_tensor(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
  REQUIRE(parsed.ok());
  CHECK(parsed.value().floats == std::vector<float>{1, 2, 3, 4});
  auto packed = test::float_tensor("w", {3}, {5, 6, 7}, false).data();
  parsed = onnx::parse_tensor(reinterpret_cast<const uint8_t*>(packed.data()), packed.size());
  REQUIRE(parsed.ok());
  CHECK(parsed.value().floats == std::vector<float>{5, 6, 7});

  auto short_raw = test::float_tensor("w", {3}, {1, 2}, true).data();
  parsed = onnx::parse_tensor(reinterpret_cast<const uint8_t*>(short_raw.data()), short_raw.size());
  CHECK(parsed.status().message().find("raw_data holds 8 bytes, dims and type need 12") != std::string::npos);

  test::Message negative;
  negative.varint(1, static_cast<uint64_t>(-3)).varint(2, 1);
  parsed = onnx::parse_tensor(reinterpret_cast<const uint8_t*>(negative.data().data()), negative.data().size());
  CHECK(parsed.status().message().find("negative dimension") != std::string::npos);

  test::Message huge;
  huge.varint(1, 1u << 20).varint(1, 1u << 20).varint(2, 1);
  parsed = onnx::parse_tensor(reinterpret_cast<const uint8_t*>(huge.data().data()), huge.data().size());
  CHECK(parsed.status().message().find("elements") != std::string::npos);

  test::Message external;
  external.varint(1, 2).varint(2, 1).varint(14, 1);
  parsed = onnx::parse_tensor(reinterpret_cast<const uint8_t*>(external.data().data()), external.data().size());
  CHECK(parsed.status().message().find("external tensor data") != std::string::npos);
}

TEST_CASE("tensors: 8-bit values stay bytes, read signed or unsigned by their type") {
  const std::string raw("\x80\x00\x7f", 3);
  for (const auto& [type, first] : {std::pair{3, int64_t{-128}}, std::pair{2, int64_t{128}}}) {
    test::Message message;
    message.varint(1, 3).varint(2, static_cast<uint64_t>(type)).bytes(9, raw);
    auto parsed = onnx::parse_tensor(reinterpret_cast<const uint8_t*>(message.data().data()), message.data().size());
    REQUIRE(parsed.ok());
    CHECK(parsed.value().bytes == std::vector<uint8_t>{0x80, 0x00, 0x7f});
    CHECK(parsed.value().ints.empty());
    CHECK(parsed.value().integer(0) == first);
    CHECK(parsed.value().integer(2) == 127);
  }

  test::Message boolean;
  boolean.varint(1, 2).varint(2, 9).varint(5, 1).varint(5, 2).bytes(8, "flags");
  auto parsed = onnx::parse_tensor(reinterpret_cast<const uint8_t*>(boolean.data().data()), boolean.data().size());
  CHECK(parsed.status().message().find("tensor 'flags': holds 2 at 1, outside bool's range") != std::string::npos);
}
