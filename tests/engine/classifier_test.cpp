#include <doctest/doctest.h>

#include <tuple>

#include "digits/classifier.h"
#include "files.h"
#include "onnx_builder.h"
#include "paths.h"

using namespace digits;

namespace {

std::unique_ptr<Classifier> shipped() {
  auto bytes = cli::read_file(test::source_path("model/mnist.onnx"));
  REQUIRE(bytes.ok());
  auto classifier = Classifier::load(bytes.value().data(), bytes.value().size());
  REQUIRE_MESSAGE(classifier.ok(), classifier.status().message());
  return classifier.take();
}

std::string load_error(const test::ModelBuilder& builder) {
  const std::vector<uint8_t> bytes = builder.build();
  auto classifier = Classifier::load(bytes.data(), bytes.size());
  return classifier.ok() ? "" : classifier.status().message();
}

test::ModelBuilder tiny_model(std::vector<int64_t> input_dims) {
  test::ModelBuilder builder;
  builder.input("input", std::move(input_dims)).output("y").node("Flatten", {"input"}, {"y"});
  return builder;
}

}  // namespace

TEST_CASE("the shipped model loads with its metadata") {
  auto classifier = shipped();
  CHECK(classifier->contract().version.rfind("digitnet-", 0) == 0);
  CHECK(classifier->contract().norm_mean == doctest::Approx(0.1307).epsilon(0.01));
  CHECK(classifier->contract().norm_std == doctest::Approx(0.3081).epsilon(0.01));
}

TEST_CASE("models that are not digit classifiers are refused with a reason") {
  auto no_metadata = tiny_model({-1, 1, 28, 28});
  CHECK(load_error(no_metadata) == "the model's metadata has no norm_mean");

  auto wrong_input = tiny_model({1, 1, 32, 32});
  wrong_input.metadata("norm_mean", "0.1").metadata("norm_std", "0.3");
  CHECK(load_error(wrong_input) == "the model's input must be a float32 [N,1,28,28] image");

  auto wrong_output = tiny_model({1, 1, 28, 28});
  wrong_output.metadata("norm_mean", "0.1").metadata("norm_std", "0.3");
  CHECK(load_error(wrong_output) == "the model's output must be 10 float32 values per image, it is [1,784]");

  auto bad_number = tiny_model({1, 1, 28, 28});
  bad_number.metadata("norm_mean", "zero").metadata("norm_std", "0.3");
  CHECK(load_error(bad_number) == "the model's norm_mean 'zero' is not a number");
}

TEST_CASE("normalisation values are read as decimals, in any notation, or refused") {
  auto with_norm = [](const std::string& mean, const std::string& std_dev) {
    test::ModelBuilder builder;
    builder.input("input", {-1, 1, 28, 28})
        .output("scores")
        .initializer("w", {784, 10}, std::vector<float>(7840, 0.0f))
        .node("Flatten", {"input"}, {"flat"})
        .node("Gemm", {"flat", "w"}, {"scores"})
        .metadata("norm_mean", mean)
        .metadata("norm_std", std_dev);
    return builder.build();
  };
  for (const auto& [mean, std_dev, expected_mean] :
       std::vector<std::tuple<std::string, std::string, float>>{{"0.1307", "0.3081", 0.1307f},
                                                                {"1.307E-1", "3.081e-1", 0.1307f},
                                                                {"-0.5", "+2", -0.5f}}) {
    const auto bytes = with_norm(mean, std_dev);
    auto classifier = Classifier::load(bytes.data(), bytes.size());
    REQUIRE_MESSAGE(classifier.ok(), classifier.status().message());
    CHECK(classifier.value()->contract().norm_mean == doctest::Approx(expected_mean));
    // A model ending in scores, not Softmax: the classifier turns them into probabilities.
    std::vector<uint8_t> image(784, 0);
    auto answer = classifier.value()->classify_image(image.data());
    REQUIRE(answer.ok());
    CHECK(answer.value().confidence == doctest::Approx(0.1f));
  }
  for (const std::string bad : {"", "1e", ".", "0.1.2", "abc", "1e999", "0x10", "--1"}) {
    const auto bytes = with_norm(bad, "0.3");
    auto classifier = Classifier::load(bytes.data(), bytes.size());
    CHECK(classifier.status().message() == "the model's norm_mean '" + bad + "' is not a number");
  }
}

TEST_CASE("MNIST test images are classified as their labels") {
  auto classifier = shipped();
  auto images = cli::read_idx(test::source_path("tests/fixtures/mnist/t10k-images-idx3-ubyte.gz"));
  auto labels = cli::read_idx(test::source_path("tests/fixtures/mnist/t10k-labels-idx1-ubyte.gz"));
  REQUIRE(images.ok());
  REQUIRE(labels.ok());
  int correct = 0;
  for (int i = 0; i < 500; ++i) {
    auto answer = classifier->classify_image(images.value().values.data() + i * kImagePixels);
    REQUIRE(answer.ok());
    correct += answer.value().digit == labels.value().values[i];
    float sum = 0;
    for (float p : answer.value().probabilities) sum += p;
    CHECK(sum == doctest::Approx(1.0f).epsilon(1e-5));
    CHECK(answer.value().confidence == answer.value().probabilities[answer.value().digit]);
  }
  CHECK(correct >= 490);  // the shipped model reads 493 of these 500
}

TEST_CASE("drawn canvases are read as the digit they show, blank ones as nothing") {
  auto classifier = shipped();
  const std::pair<const char*, int> cases[] = {{"seven_large_middle", 7}, {"seven_small_corner", 7},
                                               {"two_blue_on_grey", 2}, {"one_on_transparent", 1},
                                               {"zero_red_on_transparent", 0}, {"vertical_bar", 1}};
  for (const auto& [name, digit] : cases) {
    CAPTURE(name);
    auto bytes = cli::read_file(test::source_path(std::string("model/fixtures/preprocess/") + name + ".png"));
    REQUIRE(bytes.ok());
    auto image = cli::decode_png(bytes.value());
    REQUIRE(image.ok());
    auto answer = classifier->classify_canvas(image.value().pixels.data(), image.value().pixels.size(),
                                              image.value().width, image.value().height);
    REQUIRE(answer.ok());
    REQUIRE_FALSE(answer.value().nothing_drawn);
    CHECK(answer.value().digit == digit);
  }
  std::vector<uint8_t> blank(64 * 64 * 4, 0);  // fully transparent
  auto answer = classifier->classify_canvas(blank.data(), blank.size(), 64, 64);
  REQUIRE(answer.ok());
  CHECK(answer.value().nothing_drawn);
  CHECK(answer.value().digit == -1);
}
