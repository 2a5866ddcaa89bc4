#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "digits/engine.h"
#include "onnx_builder.h"

using namespace digits;
using test::ModelBuilder;

namespace {

std::unique_ptr<Engine> load(const ModelBuilder& builder) {
  const std::vector<uint8_t> bytes = builder.build();
  auto engine = Engine::load(bytes.data(), bytes.size());
  REQUIRE_MESSAGE(engine.ok(), engine.status().message());
  return engine.take();
}

std::string load_error(const ModelBuilder& builder) {
  const std::vector<uint8_t> bytes = builder.build();
  auto engine = Engine::load(bytes.data(), bytes.size());
  return engine.ok() ? "" : engine.status().message();
}

std::vector<float> random_values(size_t count, std::mt19937& random) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(count);
  for (float& v : values) v = uniform(random);
  return values;
}

std::vector<float> run(Engine& engine, const std::vector<std::vector<float>>& inputs) {
  for (size_t i = 0; i < inputs.size(); ++i) std::copy(inputs[i].begin(), inputs[i].end(), engine.input_data(i));
  REQUIRE(engine.run().ok());
  const TensorView out = engine.output(0);
  return std::vector<float>(out.floats, out.floats + element_count(out.shape));
}

// Direct definition of ONNX Conv (NCHW, one image), for comparison.
std::vector<float> reference_conv(const std::vector<float>& x, int c, int h, int w, const std::vector<float>& weights,
                                  int m, int kh, int kw, const std::vector<float>& bias, int stride, int dilation,
                                  int pad, int groups, int oh, int ow) {
  std::vector<float> y(static_cast<size_t>(m) * oh * ow);
  const int cg = c / groups, mg = m / groups;
  for (int oc = 0; oc < m; ++oc) {
    const int g = oc / mg;
    for (int oy = 0; oy < oh; ++oy) {
      for (int ox = 0; ox < ow; ++ox) {
        double sum = bias[oc];
        for (int ic = 0; ic < cg; ++ic) {
          for (int ky = 0; ky < kh; ++ky) {
            for (int kx = 0; kx < kw; ++kx) {
              const int iy = oy * stride - pad + ky * dilation, ix = ox * stride - pad + kx * dilation;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              sum += x[((g * cg + ic) * h + iy) * w + ix] * weights[((oc * cg + ic) * kh + ky) * kw + kx];
            }
          }
        }
        y[(oc * oh + oy) * ow + ox] = static_cast<float>(sum);
      }
    }
  }
  return y;
}

}  // namespace

TEST_CASE("unsupported operators, domains and opsets are named") {
  ModelBuilder lstm;
  lstm.input("x", {1, 3}).output("y").node("Relu", {"x"}, {"r"}).node("LSTM", {"r"}, {"y"});
  CHECK(load_error(lstm) == "unsupported operator LSTM at node 1");

  ModelBuilder custom;
  custom.input("x", {1, 3}).output("y").node("FusedConv", {"x"}, {"y"}, {}, "com.microsoft");
  CHECK(load_error(custom) == "unsupported operator com.microsoft.FusedConv at node 0");

  ModelBuilder old(5);
  old.input("x", {1, 3}).output("y").node("Relu", {"x"}, {"y"});
  CHECK(load_error(old) == "unsupported opset 5 (the engine supports 7 to 25)");
}

TEST_CASE("graphs that do not fit together fail at prepare, naming the node") {
  ModelBuilder dangling;
  dangling.input("x", {1, 3}).output("y").node("Add", {"x", "missing"}, {"y"});
  auto engine = load(dangling);
  CHECK(engine->prepare().message() == "node 0 (Add 'Add_0'): input 'missing' is not produced by any earlier node");

  ModelBuilder mismatched;
  mismatched.input("a", {2, 3}).input("b", {4, 5}).output("y").node("MatMul", {"a", "b"}, {"y"});
  engine = load(mismatched);
  CHECK(engine->prepare().message() == "node 0 (MatMul 'MatMul_0'): A [2,3] and B [4,5] do not multiply");

  ModelBuilder runtime_shape;
  runtime_shape.input("x", {2, 3}).input("s", {2}, 7).output("y").node("Reshape", {"x", "s"}, {"y"});
  engine = load(runtime_shape);
  CHECK(engine->prepare({{2, 3}, {2}}).message().find("run-time inputs must be float32") != std::string::npos);
  onnx::Tensor shape;
  shape.type = onnx::DataType::int64;
  shape.dims = {2};
  shape.ints = {3, -1};
  shape.has_values = true;
  REQUIRE(engine->set_constant_input(1, shape).ok());
  REQUIRE(engine->prepare({{2, 3}, {2}}).ok());
  CHECK(engine->output(0).shape == Shape{3, 2});
}

TEST_CASE("input shapes are checked against the declaration; run needs prepare") {
  ModelBuilder builder;
  builder.input("x", {-1, 3}).output("y").node("Relu", {"x"}, {"y"});
  auto engine = load(builder);
  CHECK(engine->run().message() == "run() before a successful prepare()");
  CHECK(engine->prepare({{1, 4}}).message() == "input 'x' has shape [1,4] but the model declares [N,3]");
  REQUIRE(engine->prepare({{5, 3}}).ok());
  CHECK(run(*engine, {{-1, 2, -3, 4, -5, 6, 0, 1, 2, 3, 4, 5, -6, -7, 8}})[1] == 2.0f);
}

TEST_CASE("Conv matches its definition across groups, strides, dilations and padding") {
  std::mt19937 random(7);
  struct Case { int c, h, w, m, k, stride, dilation, pad, groups; };
  for (const Case& t : {Case{1, 28, 28, 32, 3, 1, 1, 0, 1}, Case{32, 13, 13, 64, 3, 1, 1, 0, 1},
                        Case{4, 9, 7, 6, 3, 2, 1, 1, 2}, Case{6, 10, 10, 6, 3, 1, 2, 2, 6},
                        Case{3, 5, 8, 5, 1, 1, 1, 0, 1}, Case{2, 11, 11, 7, 5, 3, 1, 2, 1},
                        // Winograd F(4x4, 3x3) (and too small for it): odd sizes, padding, channels not in fours
                        Case{8, 7, 9, 12, 3, 1, 1, 1, 1}, Case{10, 6, 5, 8, 3, 1, 1, 0, 1},
                        Case{16, 2, 2, 4, 3, 1, 1, 1, 1}, Case{12, 15, 13, 8, 3, 1, 1, 1, 1},
                        Case{64, 5, 5, 64, 3, 1, 1, 1, 1}}) {
    CAPTURE(t.c);
    CAPTURE(t.groups);
    const int span = (t.k - 1) * t.dilation + 1;
    const int oh = (t.h + 2 * t.pad - span) / t.stride + 1, ow = (t.w + 2 * t.pad - span) / t.stride + 1;
    const auto weights = random_values(static_cast<size_t>(t.m) * (t.c / t.groups) * t.k * t.k, random);
    const auto bias = random_values(t.m, random);
    const auto x = random_values(static_cast<size_t>(t.c) * t.h * t.w, random);
    ModelBuilder builder;
    builder.input("x", {1, t.c, t.h, t.w})
        .output("y")
        .initializer("w", {t.m, t.c / t.groups, t.k, t.k}, weights)
        .initializer("b", {t.m}, bias)
        .node("Conv", {"x", "w", "b"}, {"y"},
              {test::ints_attribute("strides", {t.stride, t.stride}),
               test::ints_attribute("dilations", {t.dilation, t.dilation}),
               test::ints_attribute("pads", {t.pad, t.pad, t.pad, t.pad}), test::int_attribute("group", t.groups)});
    auto engine = load(builder);
    REQUIRE(engine->prepare().ok());
    CHECK(engine->output(0).shape == Shape{1, t.m, oh, ow});
    const auto actual = run(*engine, {x});
    const auto expected = reference_conv(x, t.c, t.h, t.w, weights, t.m, t.k, t.k, bias, t.stride, t.dilation, t.pad,
                                         t.groups, oh, ow);
    REQUIRE(actual.size() == expected.size());
    for (size_t i = 0; i < actual.size(); ++i) CHECK(actual[i] == doctest::Approx(expected[i]).epsilon(1e-4));
  }
}

TEST_CASE("a Relu after a Conv is fused and gives the same values") {
  std::mt19937 random(11);
  const auto weights = random_values(8 * 2 * 9, random);
  const auto x = random_values(2 * 6 * 6, random);
  auto build = [&](bool with_relu) {
    ModelBuilder builder;
    builder.input("x", {1, 2, 6, 6}).output("y").initializer("w", {8, 2, 3, 3}, weights);
    if (with_relu) {
      builder.node("Conv", {"x", "w"}, {"c"}).node("Relu", {"c"}, {"y"});
    } else {
      builder.node("Conv", {"x", "w"}, {"y"});
    }
    return builder;
  };
  auto fused = load(build(true));
  auto plain = load(build(false));
  REQUIRE(fused->prepare().ok());
  REQUIRE(plain->prepare().ok());
  const auto with_relu = run(*fused, {x});
  const auto without = run(*plain, {x});
  for (size_t i = 0; i < without.size(); ++i) CHECK(with_relu[i] == std::max(0.0f, without[i]));
}

TEST_CASE("Gemm with transposes, alpha, beta and a broadcast C") {
  std::mt19937 random(3);
  const int m = 3, k = 5, n = 4;
  const auto a = random_values(m * k, random), b = random_values(k * n, random), c = random_values(m, random);
  // A given as [k, m] with transA, B as [n, k] with transB, C as [m, 1].
  std::vector<float> a_t(k * m), b_t(n * k);
  for (int i = 0; i < m; ++i) for (int j = 0; j < k; ++j) a_t[j * m + i] = a[i * k + j];
  for (int i = 0; i < k; ++i) for (int j = 0; j < n; ++j) b_t[j * k + i] = b[i * n + j];
  for (bool constant_b : {false, true}) {
    ModelBuilder builder;
    builder.input("a", {k, m}).output("y").initializer("c", {m, 1}, c);
    if (constant_b) {
      builder.initializer("b", {n, k}, b_t);
    } else {
      builder.input("b", {n, k});
    }
    builder.node("Gemm", {"a", "b", "c"}, {"y"},
                 {test::int_attribute("transA", 1), test::int_attribute("transB", 1),
                  test::float_attribute("alpha", 0.5f), test::float_attribute("beta", 2.0f)});
    auto engine = load(builder);
    REQUIRE(engine->prepare().ok());
    const auto y = constant_b ? run(*engine, {a_t}) : run(*engine, {a_t, b_t});
    for (int i = 0; i < m; ++i) {
      for (int j = 0; j < n; ++j) {
        double expected = 2.0 * c[i];
        for (int d = 0; d < k; ++d) expected += 0.5 * a[i * k + d] * b[d * n + j];
        CHECK(y[i * n + j] == doctest::Approx(expected).epsilon(1e-5));
      }
    }
  }
}

TEST_CASE("the memory plan reuses buffers of values no longer needed") {
  ModelBuilder chain;
  chain.input("x", {1, 1000}).output("y");
  std::string previous = "x";
  for (int i = 0; i < 6; ++i) {
    const std::string next = i == 5 ? "y" : "v" + std::to_string(i);
    chain.node(i % 2 ? "Sigmoid" : "Relu", {previous}, {next});
    previous = next;
  }
  auto engine = load(chain);
  REQUIRE(engine->prepare().ok());
  // input, output and at most two intermediates alive at once, not seven buffers
  CHECK(engine->arena_bytes() <= 4 * 1008 * sizeof(float));
  std::vector<float> x(1000);
  for (int i = 0; i < 1000; ++i) x[i] = static_cast<float>(i % 7) - 3.0f;
  const auto y = run(*engine, {x});
  // Relu then sigmoid: sigmoid(relu(sigmoid(relu(...))))
  auto step = [](float v, int i) { return i % 2 ? 1.0f / (1.0f + std::exp(-v)) : std::max(0.0f, v); };
  for (int i = 0; i < 1000; i += 97) {
    float expected = x[i];
    for (int s = 0; s < 6; ++s) expected = step(expected, s);
    CHECK(y[i] == doctest::Approx(expected).epsilon(1e-6));
  }
}

TEST_CASE("nodes with only constant inputs are folded at prepare") {
  ModelBuilder builder;
  builder.input("x", {1, 2})
      .output("y")
      .initializer("a", {2}, {1.0f, -2.0f})
      .initializer("b", {2}, {0.5f, 0.5f})
      .node("Add", {"a", "b"}, {"ab"})
      .node("Relu", {"ab"}, {"bias"})
      .node("Add", {"x", "bias"}, {"y"});
  auto engine = load(builder);
  REQUIRE(engine->prepare().ok());
  const auto y = run(*engine, {{10.0f, 20.0f}});
  CHECK(y == std::vector<float>{11.5f, 20.0f});
}

TEST_CASE("the work of a run is counted, and a graph that would run for minutes is refused at prepare") {
  std::mt19937 random(3);
  ModelBuilder conv;
  conv.input("x", {1, 2, 5, 5}).output("y").initializer("w", {3, 2, 3, 3}, random_values(54, random));
  conv.node("Conv", {"x", "w"}, {"y"});
  auto engine = load(conv);
  REQUIRE(engine->prepare().ok());
  // 27 outputs of 2x3x3 multiply-adds each, and the 50 + 54 values read and 27 written
  CHECK(engine->operations_per_run() == 27 * 18 + 50 + 54 + 27);

  // A file of a few hundred bytes: a 999x999 window at each of a million positions.
  ModelBuilder pool;
  pool.input("x", {1, 1, 1000, 1000}).output("y");
  pool.node("MaxPool", {"x"}, {"y"},
            {test::ints_attribute("kernel_shape", {999, 999}), test::ints_attribute("pads", {499, 499, 499, 499})});
  engine = load(pool);
  CHECK(engine->prepare().message() ==
        "node 0 (MaxPool 'MaxPool_0'): the model needs more than 4294 million operations, more than the engine runs");

  // The same from constants alone would hang prepare itself, which folds them: refused first.
  ModelBuilder folded;
  folded.input("x", {1}).output("y").initializer("c", {1, 1, 2, 2}, {1, 2, 3, 4});
  folded.node("MaxPool", {"c"}, {"p"},
              {test::ints_attribute("kernel_shape", {50000, 50000}),
               test::ints_attribute("pads", {25499, 25499, 25499, 25499})});
  folded.node("Add", {"x", "p"}, {"y"});
  engine = load(folded);
  CHECK(engine->prepare().message().find("million operations, more than the engine runs") != std::string::npos);
}
