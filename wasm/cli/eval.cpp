#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "commands.h"
#include "files.h"
#include "load.h"

namespace digits::cli {
namespace {

struct Report {
  size_t count = 0;
  size_t correct = 0;
  size_t confusion[kDigits][kDigits] = {};  // [true][predicted]
  // Against --reference: largest probability difference and agreement of the argmax.
  double max_difference = 0.0;
  size_t same_digit = 0;
};

void print_text(const Report& r, bool has_reference) {
  std::printf("images: %zu\naccuracy: %.4f%% (%zu errors)\n", r.count, 100.0 * r.correct / r.count,
              r.count - r.correct);
  std::printf("per digit:");
  for (int d = 0; d < kDigits; ++d) {
    size_t total = 0;
    for (int p = 0; p < kDigits; ++p) total += r.confusion[d][p];
    std::printf(" %d:%.2f%%", d, total ? 100.0 * r.confusion[d][d] / total : 0.0);
  }
  std::printf("\nconfusion matrix (rows: true digit, columns: predicted):\n     ");
  for (int p = 0; p < kDigits; ++p) std::printf("%6d", p);
  std::printf("\n");
  for (int d = 0; d < kDigits; ++d) {
    std::printf("%5d", d);
    for (int p = 0; p < kDigits; ++p) std::printf("%6zu", r.confusion[d][p]);
    std::printf("\n");
  }
  if (has_reference) {
    std::printf("reference: same digit for %zu of %zu (%.3f%%), largest probability difference %.3g\n", r.same_digit,
                r.count, 100.0 * r.same_digit / r.count, r.max_difference);
  }
}

void print_json(const Report& r, bool has_reference) {
  std::printf("{\"images\":%zu,\"accuracy\":%.6f,\"confusion\":[", r.count, static_cast<double>(r.correct) / r.count);
  for (int d = 0; d < kDigits; ++d) {
    std::printf("%s[", d ? "," : "");
    for (int p = 0; p < kDigits; ++p) std::printf("%s%zu", p ? "," : "", r.confusion[d][p]);
    std::printf("]");
  }
  std::printf("]");
  if (has_reference) {
    std::printf(",\"reference_agreement\":%.6f,\"max_difference\":%.3g", static_cast<double>(r.same_digit) / r.count,
                r.max_difference);
  }
  std::printf("}\n");
}

}  // namespace

int eval(const EvalOptions& options) {
  Result<std::unique_ptr<Classifier>> classifier = load_classifier(options.model);
  if (!classifier.ok()) return report(classifier.status());
  Result<IdxArray> images = read_idx(options.images);
  if (!images.ok()) return report(images.status());
  Result<IdxArray> labels = read_idx(options.labels);
  if (!labels.ok()) return report(labels.status());
  const std::vector<uint32_t>& dims = images.value().dims;
  if (dims.size() != 3 || dims[1] != kFieldSize || dims[2] != kFieldSize) {
    return report(Status::error(options.images + ": expected N 28x28 images"));
  }
  const size_t count = dims[0];
  if (labels.value().dims.size() != 1 || labels.value().dims[0] != count) {
    return report(Status::error(options.labels + ": expected one label per image"));
  }
  if (count == 0) return report(Status::error(options.images + ": no images"));

  std::vector<float> reference;
  if (!options.reference.empty()) {
    Result<std::vector<uint8_t>> bytes = read_file(options.reference);
    if (!bytes.ok()) return report(bytes.status());
    if (bytes.value().size() != count * kDigits * sizeof(float)) {
      return report(Status::error(options.reference + ": expected " + std::to_string(count) + " x 10 float32 values"));
    }
    reference.resize(count * kDigits);
    std::memcpy(reference.data(), bytes.value().data(), bytes.value().size());
  }

  Report r;
  r.count = count;
  std::vector<float> probabilities;
  for (size_t i = 0; i < count; ++i) {
    Result<Classification> answer =
        classifier.value()->classify_image(images.value().values.data() + i * kImagePixels);
    if (!answer.ok()) return report(answer.status());
    const Classification& a = answer.value();
    const int label = labels.value().values[i];
    if (label >= kDigits) return report(Status::error(options.labels + ": label " + std::to_string(label) + " is not a digit"));
    ++r.confusion[label][a.digit];
    r.correct += a.digit == label;
    probabilities.insert(probabilities.end(), a.probabilities.begin(), a.probabilities.end());
    if (!reference.empty()) {
      const float* ref = reference.data() + i * kDigits;
      for (int d = 0; d < kDigits; ++d) {
        r.max_difference = std::max(r.max_difference, static_cast<double>(std::fabs(ref[d] - a.probabilities[d])));
      }
      r.same_digit += static_cast<int>(std::max_element(ref, ref + kDigits) - ref) == a.digit;
    }
  }
  if (!options.write_probabilities.empty()) {
    FILE* out = std::fopen(options.write_probabilities.c_str(), "wb");
    if (out == nullptr || std::fwrite(probabilities.data(), sizeof(float), probabilities.size(), out) != probabilities.size()) {
      if (out) std::fclose(out);
      return report(Status::error(options.write_probabilities + ": cannot write"));
    }
    std::fclose(out);
  }
  options.json ? print_json(r, !reference.empty()) : print_text(r, !reference.empty());

  int status = 0;
  const double accuracy = static_cast<double>(r.correct) / r.count;
  if (accuracy < options.min_accuracy) {
    std::fprintf(stderr, "digits: accuracy %.4f is below the required %.4f\n", accuracy, options.min_accuracy);
    status = 1;
  }
  if (options.max_difference >= 0 && !reference.empty() && r.max_difference > options.max_difference) {
    std::fprintf(stderr, "digits: probabilities differ from the reference by %.3g, more than %.3g\n", r.max_difference,
                 options.max_difference);
    status = 1;
  }
  return status;
}

}  // namespace digits::cli
