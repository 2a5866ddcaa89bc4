// The answer path: raw outputs to the answer, the model contract, and the personal memory.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "digits/answer.h"
#include "digits/classifier.h"
#include "onnx_builder.h"

using namespace digits;

namespace {

constexpr int kDimensions = 8;

ModelContract contract(bool probabilities, int embedding_size = kDimensions) {
  ModelContract c;
  c.norm_mean = 0.1f;
  c.norm_std = 0.3f;
  c.scores_are_probabilities = probabilities;
  c.embedding_size = embedding_size;
  c.embedding_name = embedding_size ? "embedding" : "";
  return c;
}

// A unit vector along axis, with a little of the next axis so that neighbours differ.
std::vector<float> direction(int axis, float tilt = 0.0f) {
  std::vector<float> v(kDimensions, 0.0f);
  v[axis % kDimensions] = 1.0f;
  v[(axis + 1) % kDimensions] = tilt;
  return v;
}

// Model probabilities that are sure of `digit` at `confidence`, the rest spread evenly.
std::vector<float> sure_of(int digit, float confidence) {
  std::vector<float> p(kDigits, (1.0f - confidence) / (kDigits - 1));
  p[digit] = confidence;
  return p;
}

Classification answer(const Answerer& answerer, const std::vector<float>& scores, const std::vector<float>& features) {
  auto result = answerer.answer(scores.data(), scores.size(), features.data(), features.size(), nullptr);
  REQUIRE_MESSAGE(result.ok(), result.status().message());
  return result.value();
}

// A linear model over the flattened image with the given outputs declared.
test::ModelBuilder linear_model() {
  test::ModelBuilder builder;
  builder.input("input", {-1, 1, 28, 28})
      .initializer("w", {784, 10}, std::vector<float>(7840, 0.001f))
      .initializer("e", {784, kDimensions}, std::vector<float>(784 * kDimensions, 0.01f))
      .node("Flatten", {"input"}, {"flat"})
      .node("Gemm", {"flat", "w"}, {"scores"})
      .node("Gemm", {"flat", "e"}, {"embedding"})
      .metadata("norm_mean", "0.1")
      .metadata("norm_std", "0.3");
  return builder;
}

std::string load_error(const test::ModelBuilder& builder) {
  const std::vector<uint8_t> bytes = builder.build();
  auto classifier = Classifier::load(bytes.data(), bytes.size());
  return classifier.ok() ? "" : classifier.status().message();
}

}  // namespace

TEST_CASE("logits and the probabilities they stand for give the same answer") {
  const std::vector<float> logits = {0.5f, -1.0f, 3.0f, 0.0f, 0.0f, 1.0f, -2.0f, 0.25f, 2.0f, 0.0f};
  std::vector<float> probabilities(kDigits);
  float sum = 0.0f;
  for (int d = 0; d < kDigits; ++d) sum += probabilities[d] = std::exp(logits[d]);
  for (float& p : probabilities) p /= sum;
  const Answerer from_logits(contract(false, 0)), from_probabilities(contract(true, 0));
  auto a = from_logits.answer(logits.data(), kDigits, nullptr, 0, nullptr);
  auto b = from_probabilities.answer(probabilities.data(), kDigits, nullptr, 0, nullptr);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a.value().digit == 2);
  CHECK(b.value().digit == 2);
  for (int d = 0; d < kDigits; ++d) CHECK(a.value().probabilities[d] == doctest::Approx(b.value().probabilities[d]));
  CHECK(a.value().confidence == doctest::Approx(probabilities[2]));
  CHECK_FALSE(a.value().personal);
}

TEST_CASE("outputs the answer path cannot use are refused with a reason") {
  const Answerer answerer(contract(true));
  const std::vector<float> nine(9, 0.1f), features = direction(0);
  auto short_scores = answerer.answer(nine.data(), nine.size(), features.data(), features.size(), nullptr);
  CHECK(short_scores.status().message() == "the model gave 9 scores, a digit model gives 10");
  std::vector<float> scores = sure_of(1, 0.9f);
  auto no_embedding = answerer.answer(scores.data(), kDigits, nullptr, 0, nullptr);
  CHECK(no_embedding.status().message() == "the model's embedding has 8 values, got 0");
  scores[4] = std::numeric_limits<float>::quiet_NaN();
  auto not_a_number = answerer.answer(scores.data(), kDigits, features.data(), features.size(), nullptr);
  CHECK(not_a_number.status().message() == "the model gave a score that is not a number");
}

TEST_CASE("a correction changes the answer for the same drawing and its close neighbours only") {
  Answerer answerer(contract(true));
  const std::vector<float> model_says_three = sure_of(3, 0.8f);
  auto learned = answerer.learn(direction(0).data(), kDimensions, 9);
  REQUIRE(learned.ok());
  CHECK(learned.value() == 1);

  const Classification same = answer(answerer, model_says_three, direction(0));
  CHECK(same.digit == 9);
  CHECK(same.model_digit == 3);
  CHECK(same.model_confidence == doctest::Approx(0.8f));
  CHECK(same.personal);
  const Classification close = answer(answerer, model_says_three, direction(0, 0.1f));
  CHECK(close.digit == 9);
  const Classification unlike = answer(answerer, model_says_three, direction(4));
  CHECK(unlike.digit == 3);
  CHECK_FALSE(unlike.personal);
  for (float p : same.probabilities) CHECK(p >= 0.0f);
  float sum = 0.0f;
  for (float p : same.probabilities) sum += p;
  CHECK(sum == doctest::Approx(1.0f));

  answerer.set_memory_enabled(false);
  CHECK(answer(answerer, model_says_three, direction(0)).digit == 3);
  CHECK(answerer.learned_count() == 1);
  answerer.set_memory_enabled(true);
  answerer.forget();
  CHECK(answerer.learned_count() == 0);
  CHECK(answer(answerer, model_says_three, direction(0)).digit == 3);
}

TEST_CASE("a remembered drawing's say falls off with distance") {
  Answerer answerer(contract(true));
  REQUIRE(answerer.learn(direction(0).data(), kDimensions, 8).ok());
  // Nearly the same drawing (similarity 0.99): the person's word wins even over a sure model.
  CHECK(answer(answerer, sure_of(3, 0.999f), direction(0, 0.15f)).digit == 8);
  // Alike (similarity 0.8): it tips an unsure answer, not a sure one.
  CHECK(answer(answerer, sure_of(3, 0.5f), direction(0, 0.75f)).digit == 8);
  CHECK(answer(answerer, sure_of(3, 0.999f), direction(0, 0.75f)).digit == 3);
  // Unlike (similarity 0.6): no say at all.
  const Classification unlike = answer(answerer, sure_of(3, 0.5f), direction(0, 1.35f));
  CHECK(unlike.probabilities[3] == doctest::Approx(0.5f));
}

TEST_CASE("an answer the model is all but certain of takes two remembered drawings to change") {
  Answerer answerer(contract(true));
  REQUIRE(answerer.learn(direction(0).data(), kDimensions, 6).ok());  // a 6 drawn like the person's 5s
  // One near copy: the 5 the model is certain of stays a 5, and the memory is not named.
  const Classification certain = answer(answerer, sure_of(5, 0.99995f), direction(0, 0.05f));
  CHECK(certain.digit == 5);
  CHECK_FALSE(certain.personal);
  CHECK(certain.probabilities[5] == doctest::Approx(0.99995f));
  // Less than certain, the same single drawing still decides.
  CHECK(answer(answerer, sure_of(5, 0.999f), direction(0, 0.05f)).digit == 6);
  // A second such correction: the person means it.
  REQUIRE(answerer.learn(direction(0, 0.1f).data(), kDimensions, 6).ok());
  CHECK(answer(answerer, sure_of(5, 0.99995f), direction(0, 0.05f)).digit == 6);
}

TEST_CASE("a wrong correction is outvoted by the person's other drawings of that digit") {
  Answerer answerer(contract(true));
  REQUIRE(answerer.learn(direction(0).data(), kDimensions, 8).ok());  // a 3, taught as 8 by mistake
  for (float tilt : {0.05f, 0.1f, 0.15f}) REQUIRE(answerer.learn(direction(0, tilt).data(), kDimensions, 3).ok());
  CHECK(answer(answerer, sure_of(3, 0.6f), direction(0, 0.08f)).digit == 3);
}

TEST_CASE("learning refuses bad input and then changes nothing") {
  Answerer answerer(contract(true));
  const std::vector<float> features = direction(0);
  CHECK(answerer.learn(features.data(), kDimensions, 10).status().message() == "a digit to learn must be 0 to 9");
  CHECK(answerer.learn(features.data(), kDimensions, -1).status().message() == "a digit to learn must be 0 to 9");
  CHECK(answerer.learn(features.data(), 3, 1).status().message() == "the model's embedding has 8 values, got 3");
  const std::vector<float> zeros(kDimensions, 0.0f);
  CHECK(answerer.learn(zeros.data(), kDimensions, 1).status().message() ==
        "the drawing's features are empty or not finite");
  std::vector<float> infinite = direction(0);
  infinite[2] = std::numeric_limits<float>::infinity();
  CHECK_FALSE(answerer.learn(infinite.data(), kDimensions, 1).ok());
  CHECK(answerer.learned_count() == 0);

  Answerer without(contract(true, 0));
  CHECK(without.learn(nullptr, 0, 1).status().message() ==
        "this model has no embedding output, so it cannot learn a person's handwriting");
}

TEST_CASE("the memory keeps at most 200 drawings of a digit, dropping the oldest") {
  Answerer answerer(contract(true));
  for (size_t i = 0; i < PersonalMemory::kMaxPerDigit + 5; ++i) {
    REQUIRE(answerer.learn(direction(static_cast<int>(i)).data(), kDimensions, 4).ok());
  }
  CHECK(answerer.learned_count() == PersonalMemory::kMaxPerDigit);
  REQUIRE(answerer.learn(direction(0).data(), kDimensions, 5).ok());
  CHECK(answerer.learned_count() == PersonalMemory::kMaxPerDigit + 1);
}

TEST_CASE("unlearning withdraws that drawing alone, and refuses what was not learned") {
  Answerer answerer(contract(true));
  REQUIRE(answerer.learn(direction(0).data(), kDimensions, 8).ok());         // a 3 taught as 8 by mistake
  REQUIRE(answerer.learn(direction(0, 0.2f).data(), kDimensions, 8).ok());   // an 8 like it (similarity 0.98)
  REQUIRE(answerer.learn(direction(1).data(), kDimensions, 2).ok());
  // The same features as another digit, or a drawing not quite the same: nothing goes.
  CHECK(answerer.unlearn(direction(0).data(), kDimensions, 3).status().message() ==
        "no drawing remembered as 3 is this one");
  CHECK(answerer.unlearn(direction(0, 0.1f).data(), kDimensions, 2).status().message() ==
        "no drawing remembered as 2 is this one");
  CHECK(answerer.unlearn(direction(0).data(), kDimensions, 10).status().message() ==
        "a digit to unlearn must be 0 to 9");
  CHECK(answerer.unlearn(direction(0).data(), 3, 8).status().message() == "the model's embedding has 8 values, got 3");
  CHECK(answerer.learned_count() == 3);
  // The mistaken lesson goes; its neighbour, learned as 8 too, stays.
  const Result<size_t> left = answerer.unlearn(direction(0).data(), kDimensions, 8);
  REQUIRE_MESSAGE(left.ok(), left.status().message());
  CHECK(left.value() == 2);
  CHECK(answerer.unlearn(direction(0).data(), kDimensions, 8).status().message() ==
        "no drawing remembered as 8 is this one");
  const Result<size_t> neighbour = answerer.unlearn(direction(0, 0.2f).data(), kDimensions, 8);
  CHECK(neighbour.ok());
  CHECK(answer(answerer, sure_of(3, 0.5f), direction(0)).digit == 3);
  CHECK(answerer.learned_count() == 1);

  Answerer without(contract(true, 0));
  CHECK(without.unlearn(nullptr, 0, 1).status().message() ==
        "this model has no embedding output, so it cannot learn a person's handwriting");
}

TEST_CASE("unlearning then learning as another digit leaves the memory as learning that digit alone") {
  Answerer changed(contract(true)), direct(contract(true));
  for (int i = 0; i < 6; ++i) {
    REQUIRE(changed.learn(direction(i).data(), kDimensions, i % 3).ok());
    REQUIRE(direct.learn(direction(i).data(), kDimensions, i == 2 ? 7 : i % 3).ok());
  }
  REQUIRE(changed.unlearn(direction(2).data(), kDimensions, 2).ok());
  REQUIRE(changed.learn(direction(2).data(), kDimensions, 7).ok());
  CHECK(changed.learned_count() == direct.learned_count());
  for (int i = 0; i < 6; ++i) {
    const Classification a = answer(changed, sure_of(1, 0.4f), direction(i, 0.05f));
    const Classification b = answer(direct, sure_of(1, 0.4f), direction(i, 0.05f));
    CHECK(a.digit == b.digit);
    CHECK(a.probabilities == b.probabilities);
  }
}

TEST_CASE("the model contract: an embedding output is used, other outputs are refused") {
  test::ModelBuilder good = linear_model();
  good.output("scores", {-1, 10}).output("embedding", {-1, kDimensions});
  const std::vector<uint8_t> bytes = good.build();
  auto classifier = Classifier::load(bytes.data(), bytes.size());
  REQUIRE_MESSAGE(classifier.ok(), classifier.status().message());
  CHECK(classifier.value()->contract().embedding_size == kDimensions);
  CHECK(classifier.value()->contract().embedding_name == "embedding");
  CHECK(classifier.value()->contract().input_name == "input");
  CHECK_FALSE(classifier.value()->contract().scores_are_probabilities);
  std::vector<uint8_t> image(784, 0);
  image[400] = 255;
  REQUIRE(classifier.value()->learn(image.data(), 7).ok());
  CHECK(classifier.value()->answerer().learned_count() == 1);
  CHECK(classifier.value()->learn(image.data(), 11).status().message() == "a digit to learn must be 0 to 9");
  CHECK(classifier.value()->unlearn(image.data(), 11).status().message() == "a digit to unlearn must be 0 to 9");
  CHECK_FALSE(classifier.value()->unlearn(image.data(), 6).ok());
  REQUIRE(classifier.value()->unlearn(image.data(), 7).ok());
  CHECK(classifier.value()->answerer().learned_count() == 0);

  test::ModelBuilder wrong_rank = linear_model();
  wrong_rank.output("scores", {-1, 10}).output("embedding", {-1, 2, 4});
  CHECK(load_error(wrong_rank) ==
        "the model's second output must be a float32 [N, D] embedding named 'embedding', D at most 1024");

  test::ModelBuilder wrong_scores = linear_model();
  wrong_scores.output("embedding", {-1, kDimensions}).output("scores", {-1, 10});
  CHECK(load_error(wrong_scores) == "the model's first output must be 10 values per image, it declares 8");

  test::ModelBuilder three = linear_model();
  three.output("scores", {-1, 10}).output("embedding", {-1, kDimensions}).output("flat", {-1, 784});
  CHECK(load_error(three) == "a digit model gives at most two outputs: scores and an embedding");
}
