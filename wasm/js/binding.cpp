// The WebAssembly boundary: C functions over Classifier (the built-in engine) and
// Answerer (the answer path alone, for a runtime that runs the graph itself), converting
// types and copying results into caller-provided memory. No state and no logic live here.
//
// Results cross as the fixed-layout structs below; digits.mjs reads them at the offsets
// the static_asserts pin down.
#include <emscripten/emscripten.h>
#include <malloc.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "digits/classifier.h"

namespace {

struct StringView {
  const char* data;
  uint32_t size;
};

struct ContractView {
  float norm_mean;
  float norm_std;
  int32_t scores_are_probabilities;
  int32_t embedding_size;
  StringView version;
  StringView mnist_test_accuracy;
  StringView input_name;
  StringView scores_name;
  StringView embedding_name;
};
static_assert(sizeof(void*) != 4 || (offsetof(ContractView, version) == 16 && sizeof(ContractView) == 56),
              "digits.mjs reads ContractView at these offsets");

struct AnswerView {
  float probabilities[digits::kDigits];
  int32_t digit;
  int32_t model_digit;
  int32_t personal;
  float model_confidence;
  uint8_t image[digits::kImagePixels];
};
static_assert(offsetof(AnswerView, digit) == 40 && offsetof(AnswerView, image) == 56,
              "digits.mjs reads AnswerView at these offsets");

constexpr int kNothingDrawn = -1;
constexpr int kFailed = -2;

StringView view(const std::string& text) { return {text.data(), static_cast<uint32_t>(text.size())}; }

void copy_message(const std::string& message, char* out, size_t capacity) {
  if (capacity == 0) return;
  const size_t length = std::min(message.size(), capacity - 1);
  std::memcpy(out, message.data(), length);
  out[length] = '\0';
}

// 0 answered; kNothingDrawn (reason in message); kFailed (message).
int write_answer(const digits::Result<digits::Classification>& answer, AnswerView* out, char* message,
                 size_t capacity) {
  if (!answer.ok()) {
    copy_message(answer.status().message(), message, capacity);
    return kFailed;
  }
  const digits::Classification& a = answer.value();
  if (a.nothing_drawn) {
    copy_message(a.reason, message, capacity);
    return kNothingDrawn;
  }
  std::copy(a.probabilities.begin(), a.probabilities.end(), out->probabilities);
  out->digit = a.digit;
  out->model_digit = a.model_digit;
  out->personal = a.personal ? 1 : 0;
  out->model_confidence = a.model_confidence;
  std::copy(a.image.begin(), a.image.end(), out->image);
  return 0;
}

// The count, or kFailed with the reason in message.
int write_count(const digits::Result<size_t>& count, char* message, size_t capacity) {
  if (count.ok()) return static_cast<int>(count.value());
  copy_message(count.status().message(), message, capacity);
  return kFailed;
}

}  // namespace

extern "C" {

// ---- the built-in engine

// Returns a classifier, or null with the reason in message.
EMSCRIPTEN_KEEPALIVE digits::Classifier* digits_classifier_create(const uint8_t* model, size_t size, char* message,
                                                                   size_t capacity) {
  auto classifier = digits::Classifier::load(model, size);
  if (!classifier.ok()) {
    copy_message(classifier.status().message(), message, capacity);
    return nullptr;
  }
  return classifier.take().release();
}

EMSCRIPTEN_KEEPALIVE void digits_classifier_destroy(digits::Classifier* classifier) { delete classifier; }

EMSCRIPTEN_KEEPALIVE digits::Answerer* digits_classifier_answerer(digits::Classifier* classifier) {
  return &classifier->answerer();
}

EMSCRIPTEN_KEEPALIVE int digits_classify_canvas(digits::Classifier* classifier, const uint8_t* rgba, size_t length,
                                                int width, int height, AnswerView* out, char* message,
                                                size_t capacity) {
  return write_answer(classifier->classify_canvas(rgba, length, width, height), out, message, capacity);
}

EMSCRIPTEN_KEEPALIVE int digits_classify_image(digits::Classifier* classifier, const uint8_t* pixels,
                                               AnswerView* out, char* message, size_t capacity) {
  return write_answer(classifier->classify_image(pixels), out, message, capacity);
}

// Learns the image as digit, or with unlearn set withdraws it.
EMSCRIPTEN_KEEPALIVE int digits_classifier_lesson(digits::Classifier* classifier, const uint8_t* image, int digit,
                                                  int unlearn, char* message, size_t capacity) {
  return write_count(unlearn ? classifier->unlearn(image, digit) : classifier->learn(image, digit), message, capacity);
}

// ---- the answer path alone, for a runtime that runs the graph itself

// Returns an answerer for the model's contract, or null with the reason in message.
EMSCRIPTEN_KEEPALIVE digits::Answerer* digits_answerer_create(const uint8_t* model, size_t size, char* message,
                                                               size_t capacity) {
  auto parsed = digits::onnx::parse_model(model, size);
  auto contract = parsed.ok() ? digits::read_model_contract(parsed.value())
                              : digits::Result<digits::ModelContract>(parsed.status());
  if (!contract.ok()) {
    copy_message(contract.status().message(), message, capacity);
    return nullptr;
  }
  return new digits::Answerer(contract.take());
}

EMSCRIPTEN_KEEPALIVE void digits_answerer_destroy(digits::Answerer* answerer) { delete answerer; }

// The strings stay valid while the answerer lives.
EMSCRIPTEN_KEEPALIVE void digits_contract(const digits::Answerer* answerer, ContractView* out) {
  const digits::ModelContract& c = answerer->contract();
  *out = ContractView{c.norm_mean,        c.norm_std,           c.scores_are_probabilities ? 1 : 0,
                      c.embedding_size,   view(c.version),      view(c.mnist_test_accuracy),
                      view(c.input_name), view(c.scores_name),  view(c.embedding_name)};
}

EMSCRIPTEN_KEEPALIVE int digits_answer(const digits::Answerer* answerer, const float* scores, size_t score_count,
                                       const float* embedding, size_t embedding_count, const uint8_t* image,
                                       AnswerView* out, char* message, size_t capacity) {
  return write_answer(answerer->answer(scores, score_count, embedding, embedding_count, image), out, message,
                      capacity);
}

EMSCRIPTEN_KEEPALIVE int digits_answerer_lesson(digits::Answerer* answerer, const float* embedding,
                                                size_t embedding_count, int digit, int unlearn, char* message,
                                                size_t capacity) {
  return write_count(unlearn ? answerer->unlearn(embedding, embedding_count, digit)
                             : answerer->learn(embedding, embedding_count, digit),
                     message, capacity);
}

EMSCRIPTEN_KEEPALIVE void digits_answerer_forget(digits::Answerer* answerer) { answerer->forget(); }

EMSCRIPTEN_KEEPALIVE int digits_answerer_learned_count(const digits::Answerer* answerer) {
  return static_cast<int>(answerer->learned_count());
}

EMSCRIPTEN_KEEPALIVE void digits_answerer_enable_memory(digits::Answerer* answerer, int enabled) {
  answerer->set_memory_enabled(enabled != 0);
}

// ---- preprocessing, shared by both

// The 28x28 image and the normalised model input. 0, kNothingDrawn (reason in message),
// kFailed (message).
EMSCRIPTEN_KEEPALIVE int digits_preprocess(const uint8_t* rgba, size_t length, int width, int height, float mean,
                                           float std_dev, uint8_t* image, float* input, char* message,
                                           size_t capacity) {
  auto out = digits::preprocess_canvas(rgba, length, width, height);
  if (!out.ok()) {
    copy_message(out.status().message(), message, capacity);
    return kFailed;
  }
  if (out.value().nothing_drawn) {
    copy_message(out.value().reason, message, capacity);
    return kNothingDrawn;
  }
  std::copy(out.value().image.begin(), out.value().image.end(), image);
  digits::normalise_image(image, mean, std_dev, input);
  return 0;
}

EMSCRIPTEN_KEEPALIVE void digits_normalise(const uint8_t* image, float mean, float std_dev, float* input) {
  digits::normalise_image(image, mean, std_dev, input);
}

// Bytes the allocator has handed out and not had back: what a leak would grow.
EMSCRIPTEN_KEEPALIVE size_t digits_heap_in_use() { return mallinfo().uordblks; }

}  // extern "C"
