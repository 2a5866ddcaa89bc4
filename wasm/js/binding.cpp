// The WebAssembly boundary: C functions over Classifier, converting types and
// copying results into caller-provided memory. No state and no logic live here.
#include <emscripten/emscripten.h>

#include <algorithm>
#include <cstring>

#include "digits/classifier.h"

namespace {

void copy_message(const std::string& message, char* out, size_t capacity) {
  if (capacity == 0) return;
  const size_t length = std::min(message.size(), capacity - 1);
  std::memcpy(out, message.data(), length);
  out[length] = '\0';
}

// digit 0-9; -1 nothing drawn (reason in message); -2 error (message).
int write_answer(const digits::Result<digits::Classification>& answer, float* probabilities, uint8_t* image,
                 char* message, size_t capacity) {
  if (!answer.ok()) {
    copy_message(answer.status().message(), message, capacity);
    return -2;
  }
  const digits::Classification& a = answer.value();
  if (a.nothing_drawn) {
    copy_message(a.reason, message, capacity);
    return -1;
  }
  std::copy(a.probabilities.begin(), a.probabilities.end(), probabilities);
  std::copy(a.image.begin(), a.image.end(), image);
  return a.digit;
}

}  // namespace

extern "C" {

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

// Writes "model_version\nmnist_test_accuracy" into out, and norm_mean, norm_std into norm.
EMSCRIPTEN_KEEPALIVE void digits_classifier_info(const digits::Classifier* classifier, char* out, size_t capacity,
                                                 float* norm) {
  const digits::ModelInfo& info = classifier->info();
  copy_message(info.version + "\n" + info.mnist_test_accuracy, out, capacity);
  norm[0] = info.norm_mean;
  norm[1] = info.norm_std;
}

EMSCRIPTEN_KEEPALIVE int digits_classify_canvas(digits::Classifier* classifier, const uint8_t* rgba, size_t length,
                                                int width, int height, float* probabilities, uint8_t* image,
                                                char* message, size_t capacity) {
  return write_answer(classifier->classify_canvas(rgba, length, width, height), probabilities, image, message,
                      capacity);
}

// Metadata only, for engines that run the graph themselves: 0, or -2 with the reason.
EMSCRIPTEN_KEEPALIVE int digits_model_info(const uint8_t* model, size_t size, char* out, size_t capacity,
                                           float* norm) {
  auto parsed = digits::onnx::parse_model(model, size);
  auto info = parsed.ok() ? digits::read_model_info(parsed.value()) : digits::Result<digits::ModelInfo>(parsed.status());
  if (!info.ok()) {
    copy_message(info.status().message(), out, capacity);
    return -2;
  }
  copy_message(info.value().version + "\n" + info.value().mnist_test_accuracy, out, capacity);
  norm[0] = info.value().norm_mean;
  norm[1] = info.value().norm_std;
  return 0;
}

// Preprocessing alone: the 28x28 image and the normalised model input. 0, -1 nothing
// drawn (reason in message), -2 error (message).
EMSCRIPTEN_KEEPALIVE int digits_preprocess(const uint8_t* rgba, size_t length, int width, int height, float mean,
                                           float std_dev, uint8_t* image, float* input, char* message,
                                           size_t capacity) {
  auto out = digits::preprocess_canvas(rgba, length, width, height);
  if (!out.ok()) {
    copy_message(out.status().message(), message, capacity);
    return -2;
  }
  if (out.value().nothing_drawn) {
    copy_message(out.value().reason, message, capacity);
    return -1;
  }
  std::copy(out.value().image.begin(), out.value().image.end(), image);
  digits::normalise_image(image, mean, std_dev, input);
  return 0;
}

EMSCRIPTEN_KEEPALIVE int digits_classify_image(digits::Classifier* classifier, const uint8_t* pixels,
                                               float* probabilities, uint8_t* image, char* message, size_t capacity) {
  return write_answer(classifier->classify_image(pixels), probabilities, image, message, capacity);
}

}  // extern "C"
