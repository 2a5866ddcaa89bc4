// The subcommands of `digits`; each returns the process exit status.
#pragma once

#include <string>
#include <vector>

namespace digits::cli {

struct ClassifyOptions {
  std::string model;
  bool json = false;
  std::vector<std::string> files;
};
int classify(const ClassifyOptions& options);

struct EvalOptions {
  std::string model;
  std::string images;
  std::string labels;
  std::string reference;      // float32 probabilities [N][10] to compare with, optional
  double min_accuracy = 0.0;  // fail below this
  double max_difference = -1; // fail if any probability differs from the reference by more
  std::string write_probabilities;
  size_t learn = 0;           // the first images teach a personal memory; the rest are classified
  bool json = false;
};
int eval(const EvalOptions& options);

int onnx_test(const std::vector<std::string>& case_dirs);

struct BenchOptions {
  std::string model;
  std::string images;
  int runs = 2000;
  bool json = false;
};
int bench(const BenchOptions& options);

}  // namespace digits::cli
