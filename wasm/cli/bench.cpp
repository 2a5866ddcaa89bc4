#include <algorithm>
#include <cstdio>
#include <vector>

#include "commands.h"
#include "files.h"
#include "load.h"

namespace digits::cli {
namespace {

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const size_t index = std::min(values.size() - 1, static_cast<size_t>(p * (values.size() - 1) + 0.5));
  return values[index];
}

}  // namespace

int bench(const BenchOptions& options) {
  if (options.runs < 1) return report(Status::error("--runs must be at least 1"));
  Result<std::vector<uint8_t>> bytes = read_file(options.model);
  if (!bytes.ok()) return report(bytes.status());
  Result<IdxArray> images = read_idx(options.images);
  if (!images.ok()) return report(images.status());
  const size_t count = images.value().values.size() / kImagePixels;
  if (count == 0) return report(Status::error(options.images + ": no images"));

  // Load (parse, check, prepare) and the first inference, as a page would see them.
  const double load_start = now_ms();
  Result<std::unique_ptr<Classifier>> classifier = Classifier::load(bytes.value().data(), bytes.value().size());
  if (!classifier.ok()) return report(classifier.status());
  const double load_ms = now_ms() - load_start;
  const double first_start = now_ms();
  Result<Classification> first = classifier.value()->classify_image(images.value().values.data());
  if (!first.ok()) return report(first.status());
  const double first_ms = now_ms() - first_start;

  for (int i = 0; i < 50; ++i) {  // warm caches and branch predictors
    (void)classifier.value()->classify_image(images.value().values.data() + (i % count) * kImagePixels);
  }
  std::vector<double> latencies;
  latencies.reserve(options.runs);
  for (int i = 0; i < options.runs; ++i) {
    const uint8_t* image = images.value().values.data() + (i % count) * kImagePixels;
    const double start = now_ms();
    Result<Classification> answer = classifier.value()->classify_image(image);
    latencies.push_back(now_ms() - start);
    if (!answer.ok()) return report(answer.status());
  }
  const double median = percentile(latencies, 0.5), p99 = percentile(latencies, 0.99);
  const long long operations = classifier.value()->engine().operations_per_run();
  if (options.json) {
    std::printf("{\"engine\":\"native\",\"runs\":%d,\"operations\":%lld,\"load_ms\":%.3f,"
                "\"first_inference_ms\":%.3f,\"median_ms\":%.4f,\"p99_ms\":%.4f}\n",
                options.runs, operations, load_ms, first_ms, median, p99);
  } else {
    std::printf("native engine, batch 1, one thread, %d runs\n", options.runs);
    std::printf("  %.2f million operations per inference\n", operations / 1e6);
    std::printf("  model load %.2f ms, first inference %.3f ms\n", load_ms, first_ms);
    std::printf("  latency median %.4f ms, p99 %.4f ms\n", median, p99);
  }
  return 0;
}

}  // namespace digits::cli
