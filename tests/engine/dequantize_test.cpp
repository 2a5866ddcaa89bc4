// DequantizeLinear: quantized initializers become the float weights they stand for, per
// tensor and per channel, and a broken quantized tensor is refused naming the tensor.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "digits/engine.h"
#include "onnx_builder.h"

using namespace digits;
using test::ModelBuilder;

namespace {

constexpr int32_t kUint8 = 2;
constexpr int32_t kInt8 = 3;

std::string bytes_of(const std::vector<int>& values) {
  std::string raw;
  for (int v : values) raw.push_back(static_cast<char>(static_cast<uint8_t>(v)));
  return raw;
}

// y = x + dequantized, so the output shows the dequantized values directly.
ModelBuilder add_dequantized(const std::vector<int64_t>& dims) {
  ModelBuilder builder;
  builder.input("x", dims).output("y");
  return builder;
}

std::vector<float> run_zero_input(ModelBuilder& builder, const Shape& shape) {
  const std::vector<uint8_t> bytes = builder.build();
  auto engine = Engine::load(bytes.data(), bytes.size());
  REQUIRE_MESSAGE(engine.ok(), engine.status().message());
  const Status prepared = engine.value()->prepare({shape});
  REQUIRE_MESSAGE(prepared.ok(), prepared.message());
  std::fill(engine.value()->input_data(0), engine.value()->input_data(0) + element_count(shape), 0.0f);
  REQUIRE(engine.value()->run().ok());
  const TensorView out = engine.value()->output(0);
  return std::vector<float>(out.floats, out.floats + element_count(out.shape));
}

std::string prepare_error(ModelBuilder& builder, const Shape& shape) {
  const std::vector<uint8_t> bytes = builder.build();
  auto engine = Engine::load(bytes.data(), bytes.size());
  if (!engine.ok()) return engine.status().message();
  const Status prepared = engine.value()->prepare({shape});
  return prepared.ok() ? "" : prepared.message();
}

}  // namespace

TEST_CASE("per-channel int8 weights with zero points dequantize along their axis") {
  ModelBuilder builder = add_dequantized({2, 3});
  builder.byte_initializer("w_q", {2, 3}, kInt8, bytes_of({-128, 0, 127, 10, 20, -30}))
      .initializer("w_scale", {2}, {0.5f, 0.25f})
      .byte_initializer("w_zero", {2}, kInt8, bytes_of({0, -2}))
      .node("DequantizeLinear", {"w_q", "w_scale", "w_zero"}, {"w"}, {test::int_attribute("axis", 0)})
      .node("Add", {"x", "w"}, {"y"});
  const std::vector<float> y = run_zero_input(builder, {2, 3});
  const std::vector<float> expected = {-64.0f, 0.0f, 63.5f, 3.0f, 5.5f, -7.0f};
  for (size_t i = 0; i < expected.size(); ++i) CHECK(y[i] == doctest::Approx(expected[i]));
}

TEST_CASE("per-channel along a middle axis: each channel's blocks, in every outer repeat") {
  ModelBuilder builder = add_dequantized({2, 3, 2});
  builder.byte_initializer("w_q", {2, 3, 2}, kInt8, bytes_of({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}))
      .initializer("w_scale", {3}, {1.0f, 10.0f, 100.0f})
      .byte_initializer("w_zero", {3}, kInt8, bytes_of({0, 1, -1}))
      .node("DequantizeLinear", {"w_q", "w_scale", "w_zero"}, {"w"}, {test::int_attribute("axis", 1)})
      .node("Add", {"x", "w"}, {"y"});
  const std::vector<float> expected = {1, 2, 20, 30, 600, 700, 7, 8, 80, 90, 1200, 1300};
  CHECK(run_zero_input(builder, {2, 3, 2}) == expected);
}

TEST_CASE("per-tensor uint8 with a zero point, and int8 without one") {
  ModelBuilder uint8_model = add_dequantized({4});
  uint8_model.byte_initializer("q", {4}, kUint8, bytes_of({0, 128, 129, 255}))
      .initializer("scale", {}, {0.1f})
      .byte_initializer("zero", {}, kUint8, bytes_of({128}))
      .node("DequantizeLinear", {"q", "scale", "zero"}, {"w"})
      .node("Add", {"x", "w"}, {"y"});
  const std::vector<float> a = run_zero_input(uint8_model, {4});
  CHECK(a[0] == doctest::Approx(-12.8f));
  CHECK(a[1] == 0.0f);
  CHECK(a[2] == doctest::Approx(0.1f));
  CHECK(a[3] == doctest::Approx(12.7f));

  ModelBuilder int8_model = add_dequantized({2});
  int8_model.byte_initializer("q", {2}, kInt8, bytes_of({-3, 4}))
      .initializer("scale", {1}, {2.0f})
      .node("DequantizeLinear", {"q", "scale"}, {"w"})
      .node("Add", {"x", "w"}, {"y"});
  CHECK(run_zero_input(int8_model, {2}) == std::vector<float>{-6.0f, 8.0f});
}

TEST_CASE("int8 values given as a constant input: as bytes they dequantize, widened they are refused") {
  ModelBuilder builder;
  builder.input("q", {3}, kInt8).output("y").initializer("scale", {}, {0.5f}).node("DequantizeLinear", {"q", "scale"}, {"y"});
  const std::vector<uint8_t> bytes = builder.build();
  auto engine = Engine::load(bytes.data(), bytes.size());
  REQUIRE_MESSAGE(engine.ok(), engine.status().message());

  onnx::Tensor q;
  q.type = onnx::DataType::int8;
  q.dims = {3};
  q.bytes = {0xfe, 0x00, 0x07};  // -2, 0, 7
  q.has_values = true;
  REQUIRE(engine.value()->set_constant_input(0, q).ok());
  REQUIRE(engine.value()->prepare(std::vector<Shape>{{3}}).ok());
  REQUIRE(engine.value()->run().ok());
  const TensorView out = engine.value()->output(0);
  CHECK(std::vector<float>(out.floats, out.floats + 3) == std::vector<float>{-1.0f, 0.0f, 3.5f});

  // The values where a tensor of a wider type keeps them: not where an int8 tensor does.
  q.bytes.clear();
  q.ints = {-2, 0, 7};
  REQUIRE(engine.value()->set_constant_input(0, q).ok());
  const Status prepared = engine.value()->prepare(std::vector<Shape>{{3}});
  CHECK_MESSAGE(prepared.message().find("holds 0 values where its shape has 3") != std::string::npos, prepared.message());
}

TEST_CASE("a convolution with quantized weights equals the one with their float values") {
  // 4 filters of 1x3x3 over a 6x6 image; axis 0 is the output channel.
  std::vector<int> q(36);
  for (int i = 0; i < 36; ++i) q[i] = (i * 37) % 255 - 127;
  const std::vector<float> scales = {0.01f, 0.02f, 0.005f, 0.03f};
  std::vector<float> weights(36);
  for (int i = 0; i < 36; ++i) weights[i] = static_cast<float>(q[i]) * scales[i / 9];

  auto build = [&](bool quantized) {
    ModelBuilder builder;
    builder.input("x", {1, 1, 6, 6}).output("y");
    if (quantized) {
      builder.byte_initializer("w_q", {4, 1, 3, 3}, kInt8, bytes_of(q))
          .initializer("w_scale", {4}, scales)
          .node("DequantizeLinear", {"w_q", "w_scale"}, {"w"}, {test::int_attribute("axis", 0)});
    } else {
      builder.initializer("w", {4, 1, 3, 3}, weights);
    }
    builder.node("Conv", {"x", "w"}, {"y"}, {test::ints_attribute("pads", {1, 1, 1, 1})});
    const std::vector<uint8_t> bytes = builder.build();
    auto engine = Engine::load(bytes.data(), bytes.size());
    REQUIRE_MESSAGE(engine.ok(), engine.status().message());
    REQUIRE(engine.value()->prepare({{1, 1, 6, 6}}).ok());
    for (int i = 0; i < 36; ++i) engine.value()->input_data(0)[i] = static_cast<float>(i % 7) - 3.0f;
    REQUIRE(engine.value()->run().ok());
    const TensorView out = engine.value()->output(0);
    return std::vector<float>(out.floats, out.floats + element_count(out.shape));
  };
  const std::vector<float> quantized = build(true), plain = build(false);
  REQUIRE(quantized.size() == plain.size());
  for (size_t i = 0; i < plain.size(); ++i) CHECK(quantized[i] == plain[i]);
}

TEST_CASE("broken quantized tensors are refused, naming the tensor") {
  SUBCASE("a scale count that does not match the channels") {
    ModelBuilder builder = add_dequantized({2, 3});
    builder.byte_initializer("w_q", {2, 3}, kInt8, bytes_of({1, 2, 3, 4, 5, 6}))
        .initializer("w_scale", {3}, {1, 1, 1})
        .node("DequantizeLinear", {"w_q", "w_scale"}, {"w"}, {test::int_attribute("axis", 0)})
        .node("Add", {"x", "w"}, {"y"});
    const std::string error = prepare_error(builder, {2, 3});
    CHECK_MESSAGE(error.find("scale 'w_scale' holds 3 values for 2 channels of tensor 'w_q'") != std::string::npos,
                  error);
  }
  SUBCASE("a zero point outside the type's range") {
    ModelBuilder builder = add_dequantized({2});
    builder.byte_initializer("w_q", {2}, kInt8, bytes_of({1, 2}))
        .initializer("w_scale", {}, {1})
        .int32_data_initializer("w_zero", {}, kInt8, {300})
        .node("DequantizeLinear", {"w_q", "w_scale", "w_zero"}, {"w"})
        .node("Add", {"x", "w"}, {"y"});
    const std::string error = prepare_error(builder, {2});
    CHECK_MESSAGE(error.find("tensor 'w_zero': holds 300 at 0, outside int8's range") != std::string::npos, error);
  }
  SUBCASE("a quantized value outside the type's range") {
    ModelBuilder builder = add_dequantized({3});
    builder.int32_data_initializer("w_q", {3}, kInt8, {1, -129, 2})
        .initializer("w_scale", {}, {1})
        .node("DequantizeLinear", {"w_q", "w_scale"}, {"w"})
        .node("Add", {"x", "w"}, {"y"});
    const std::string error = prepare_error(builder, {3});
    CHECK_MESSAGE(error.find("tensor 'w_q': holds -129 at 1, outside int8's range") != std::string::npos, error);
  }
  SUBCASE("an int32 value outside int32's range") {
    constexpr int32_t kInt32 = 6;
    ModelBuilder builder = add_dequantized({2});
    builder.int32_data_initializer("w_q", {2}, kInt32, {7, int64_t{1} << 31})
        .initializer("w_scale", {}, {1})
        .node("DequantizeLinear", {"w_q", "w_scale"}, {"w"})
        .node("Add", {"x", "w"}, {"y"});
    const std::string error = prepare_error(builder, {2});
    CHECK_MESSAGE(error.find("tensor 'w_q' holds 2147483648 at 1, outside int32's range") != std::string::npos, error);
  }
  SUBCASE("quantized values of the wrong length") {
    ModelBuilder builder = add_dequantized({2, 3});
    builder.byte_initializer("w_q", {2, 3}, kInt8, bytes_of({1, 2, 3, 4, 5}))
        .initializer("w_scale", {}, {1})
        .node("DequantizeLinear", {"w_q", "w_scale"}, {"w"})
        .node("Add", {"x", "w"}, {"y"});
    const std::string error = prepare_error(builder, {2, 3});
    CHECK_MESSAGE(error.find("w_q") != std::string::npos, error);
    CHECK_MESSAGE(error.find("raw_data holds 5 bytes") != std::string::npos, error);
  }
  SUBCASE("a scale that is not finite, a float tensor to dequantize, a run-time input") {
    ModelBuilder infinite = add_dequantized({1});
    infinite.byte_initializer("w_q", {1}, kInt8, bytes_of({1}))
        .initializer("w_scale", {}, {1.0f / 0.0f})
        .node("DequantizeLinear", {"w_q", "w_scale"}, {"w"})
        .node("Add", {"x", "w"}, {"y"});
    CHECK(prepare_error(infinite, {1}).find("scale 'w_scale' holds a value that is not finite") != std::string::npos);

    ModelBuilder floats = add_dequantized({1});
    floats.initializer("w_q", {1}, {1.0f})
        .initializer("w_scale", {}, {1.0f})
        .node("DequantizeLinear", {"w_q", "w_scale"}, {"w"})
        .node("Add", {"x", "w"}, {"y"});
    CHECK(prepare_error(floats, {1}).find("tensor 'w_q': quantized values must be int8, uint8 or int32") !=
          std::string::npos);

    ModelBuilder runtime;
    runtime.input("x", {1}).output("y").initializer("s", {}, {1.0f}).node("DequantizeLinear", {"x", "s"}, {"y"});
    CHECK(prepare_error(runtime, {1}).find("only constant tensors") != std::string::npos);
  }
}

TEST_CASE("prepared again for another batch size, the weights are the same") {
  // prepare() lends the initializers' values to the prepared graph and takes them back.
  ModelBuilder builder;
  builder.input("x", {-1, 2}).output("y");
  builder.byte_initializer("w_q", {2, 3}, kInt8, bytes_of({1, -2, 3, -4, 5, -6}))
      .initializer("w_scale", {3}, {0.5f, 0.25f, 2.0f})
      .initializer("b", {3}, {0.0f, 1.0f, -1.0f})
      .node("DequantizeLinear", {"w_q", "w_scale"}, {"w"}, {test::int_attribute("axis", 1)})
      .node("Gemm", {"x", "w", "b"}, {"y"});
  const std::vector<uint8_t> bytes = builder.build();
  auto loaded = Engine::load(bytes.data(), bytes.size());
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
  Engine& engine = *loaded.value();
  // x = [1, 1]: y = column sums of the dequantized weights, plus the bias.
  const std::vector<float> expected = {(1 - 4) * 0.5f, (-2 + 5) * 0.25f + 1.0f, (3 - 6) * 2.0f - 1.0f};
  for (int64_t batch : {1, 3, 2}) {
    CAPTURE(batch);
    REQUIRE(engine.prepare({{batch, 2}}).ok());
    std::fill(engine.input_data(0), engine.input_data(0) + 2 * batch, 1.0f);
    REQUIRE(engine.run().ok());
    const TensorView y = engine.output(0);
    REQUIRE(y.shape == Shape{batch, 3});
    for (int64_t row = 0; row < batch; ++row) {
      for (int col = 0; col < 3; ++col) CHECK(y.floats[row * 3 + col] == doctest::Approx(expected[col]));
    }
  }
  // A prepare that fails gives the weights back too.
  CHECK_FALSE(engine.prepare({{2, 5}}).ok());
  REQUIRE(engine.prepare({{1, 2}}).ok());
  std::fill(engine.input_data(0), engine.input_data(0) + 2, 1.0f);
  REQUIRE(engine.run().ok());
  CHECK(engine.output(0).floats[2] == doctest::Approx(expected[2]));
}
