#include <cstdio>

#include "commands.h"
#include "digits/classifier.h"
#include "files.h"
#include "load.h"

namespace digits::cli {
namespace {

void print_json(const std::string& file, const Classification& answer) {
  std::printf("{\"file\":\"%s\",", json_escape(file).c_str());
  if (answer.nothing_drawn) {
    std::printf("\"nothing_drawn\":true,\"reason\":\"%s\"}\n", json_escape(answer.reason).c_str());
    return;
  }
  std::printf("\"nothing_drawn\":false,\"digit\":%d,\"confidence\":%.6f,\"probabilities\":[", answer.digit,
              answer.confidence);
  for (int d = 0; d < kDigits; ++d) std::printf("%s%.6f", d ? "," : "", answer.probabilities[d]);
  std::printf("]}\n");
}

}  // namespace

int classify(const ClassifyOptions& options) {
  Result<std::unique_ptr<Classifier>> classifier = load_classifier(options.model);
  if (!classifier.ok()) return report(classifier.status());
  int failures = 0;
  for (const std::string& file : options.files) {
    Result<std::vector<uint8_t>> bytes = read_file(file);
    Result<RgbaImage> image = bytes.ok() ? decode_png(bytes.value()) : Result<RgbaImage>(bytes.status());
    Result<Classification> answer =
        image.ok() ? classifier.value()->classify_canvas(image.value().pixels.data(), image.value().pixels.size(),
                                                        image.value().width, image.value().height)
                   : Result<Classification>(image.status());
    if (!answer.ok()) {
      std::fprintf(stderr, "%s: %s\n", file.c_str(), answer.status().message().c_str());
      ++failures;
      continue;
    }
    if (options.json) {
      print_json(file, answer.value());
    } else if (answer.value().nothing_drawn) {
      std::printf("%s: nothing drawn (%s)\n", file.c_str(), answer.value().reason.c_str());
    } else {
      std::printf("%s: %d (%.1f%%)\n", file.c_str(), answer.value().digit, 100.0 * answer.value().confidence);
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace digits::cli
