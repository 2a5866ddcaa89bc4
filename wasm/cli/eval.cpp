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

namespace {

// The reference probabilities, count x 10 float32, or none when no file is given.
Result<std::vector<float>> read_reference(const std::string& path, size_t count) {
  std::vector<float> reference;
  if (path.empty()) return reference;
  Result<std::vector<uint8_t>> bytes = read_file(path);
  if (!bytes.ok()) return bytes.status();
  if (bytes.value().size() != count * kDigits * sizeof(float)) {
    return Status::error(path + ": expected " + std::to_string(count) + " x 10 float32 values");
  }
  reference.resize(count * kDigits);
  std::memcpy(reference.data(), bytes.value().data(), bytes.value().size());
  return reference;
}

Status write_floats(const std::string& path, const std::vector<float>& values) {
  FILE* out = std::fopen(path.c_str(), "wb");
  const bool written = out != nullptr && std::fwrite(values.data(), sizeof(float), values.size(), out) == values.size();
  if (out) std::fclose(out);
  return written ? Status::success() : Status::error(path + ": cannot write");
}

Status check_label(int label, const std::string& labels_path) {
  if (label < kDigits) return Status::success();
  return Status::error(labels_path + ": label " + std::to_string(label) + " is not a digit");
}

// Teaches the personal memory images [0, count) as their labels.
Status learn_first(Classifier& classifier, const IdxArray& images, const IdxArray& labels, size_t count,
                   const std::string& labels_path) {
  for (size_t i = 0; i < count; ++i) {
    DIGITS_TRY(check_label(labels.values[i], labels_path));
    Result<size_t> learned = classifier.learn(images.values.data() + i * kImagePixels, labels.values[i]);
    if (!learned.ok()) return learned.status();
  }
  return Status::success();
}

// Classifies images [first, first + r.count), counting into r; the probabilities, in
// order, into probabilities.
Status classify_all(Classifier& classifier, const IdxArray& images, const IdxArray& labels, size_t first,
                    const std::vector<float>& reference, const std::string& labels_path, Report& r,
                    std::vector<float>& probabilities) {
  for (size_t i = first; i < first + r.count; ++i) {
    Result<Classification> answer = classifier.classify_image(images.values.data() + i * kImagePixels);
    if (!answer.ok()) return answer.status();
    const Classification& a = answer.value();
    const int label = labels.values[i];
    DIGITS_TRY(check_label(label, labels_path));
    ++r.confusion[label][a.digit];
    r.correct += a.digit == label;
    probabilities.insert(probabilities.end(), a.probabilities.begin(), a.probabilities.end());
    if (reference.empty()) continue;
    const float* ref = reference.data() + i * kDigits;
    for (int d = 0; d < kDigits; ++d) {
      r.max_difference = std::max(r.max_difference, static_cast<double>(std::fabs(ref[d] - a.probabilities[d])));
    }
    r.same_digit += static_cast<int>(std::max_element(ref, ref + kDigits) - ref) == a.digit;
  }
  return Status::success();
}

// 1 when the figures miss what the options require, saying which on stderr.
int check_floors(const EvalOptions& options, const Report& r, bool has_reference) {
  int status = 0;
  const double accuracy = static_cast<double>(r.correct) / r.count;
  if (accuracy < options.min_accuracy) {
    std::fprintf(stderr, "digits: accuracy %.4f is below the required %.4f\n", accuracy, options.min_accuracy);
    status = 1;
  }
  if (options.max_difference >= 0 && has_reference && r.max_difference > options.max_difference) {
    std::fprintf(stderr, "digits: probabilities differ from the reference by %.3g, more than %.3g\n", r.max_difference,
                 options.max_difference);
    status = 1;
  }
  return status;
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
  Result<std::vector<float>> reference = read_reference(options.reference, count);
  if (!reference.ok()) return report(reference.status());

  if (options.learn >= count) return report(Status::error("--learn must leave images to classify"));
  const Status learned = learn_first(*classifier.value(), images.value(), labels.value(), options.learn, options.labels);
  if (!learned.ok()) return report(learned);

  Report r;
  r.count = count - options.learn;
  std::vector<float> probabilities;
  const Status classified = classify_all(*classifier.value(), images.value(), labels.value(), options.learn,
                                         reference.value(), options.labels, r, probabilities);
  if (!classified.ok()) return report(classified);
  if (!options.write_probabilities.empty()) {
    const Status written = write_floats(options.write_probabilities, probabilities);
    if (!written.ok()) return report(written);
  }
  const bool has_reference = !reference.value().empty();
  options.json ? print_json(r, has_reference) : print_text(r, has_reference);
  return check_floors(options, r, has_reference);
}

}  // namespace digits::cli
