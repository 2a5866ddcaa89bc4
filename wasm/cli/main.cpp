// digits: classify drawings, evaluate a model, run ONNX conformance cases, benchmark.
#include <CLI/CLI.hpp>

#include "commands.h"

#ifndef DIGITS_DEFAULT_MODEL
#define DIGITS_DEFAULT_MODEL "model/mnist.onnx"
#endif
#ifndef DIGITS_DEFAULT_TEST_IMAGES
#define DIGITS_DEFAULT_TEST_IMAGES "tests/fixtures/mnist/t10k-images-idx3-ubyte.gz"
#endif

int main(int argc, char** argv) {
  using namespace digits::cli;
  CLI::App app{"digits: the handwritten-digit engine on the command line"};
  app.require_subcommand(1);

  ClassifyOptions classify_options;
  classify_options.model = DIGITS_DEFAULT_MODEL;
  CLI::App* classify_command = app.add_subcommand("classify", "Classify drawings in PNG files");
  classify_command->add_option("--model", classify_options.model, "ONNX model")->capture_default_str();
  classify_command->add_flag("--json", classify_options.json, "One JSON object per file");
  classify_command->add_option("files", classify_options.files, "PNG files")->required();

  EvalOptions eval_options;
  eval_options.model = DIGITS_DEFAULT_MODEL;
  CLI::App* eval_command = app.add_subcommand("eval", "Accuracy and confusion matrix on IDX images and labels");
  eval_command->add_option("--model", eval_options.model, "ONNX model")->capture_default_str();
  eval_command->add_option("--images", eval_options.images, "IDX images (.gz or plain)")->required();
  eval_command->add_option("--labels", eval_options.labels, "IDX labels (.gz or plain)")->required();
  eval_command->add_option("--reference", eval_options.reference,
                           "float32 [N][10] probabilities (.gz or plain) to compare with");
  eval_command->add_option("--min-accuracy", eval_options.min_accuracy, "Exit 1 below this accuracy (0-1)");
  eval_command->add_option("--max-difference", eval_options.max_difference,
                           "Exit 1 if a probability differs from --reference by more");
  eval_command->add_option("--write-probabilities", eval_options.write_probabilities,
                           "Write the probabilities as float32 [N][10]");
  eval_command->add_option("--learn", eval_options.learn,
                           "Teach the personal memory the first N images as their labels, then classify the rest");
  eval_command->add_flag("--json", eval_options.json, "Print the report as JSON");

  std::vector<std::string> case_dirs;
  CLI::App* test_command = app.add_subcommand("onnx-test", "Run ONNX backend node test cases (folders)");
  test_command->add_option("cases", case_dirs, "Case folders holding model.onnx and test_data_set_*")->required();

  BenchOptions bench_options;
  bench_options.model = DIGITS_DEFAULT_MODEL;
  bench_options.images = DIGITS_DEFAULT_TEST_IMAGES;
  CLI::App* bench_command = app.add_subcommand("bench", "Model load time and per-inference latency, batch 1");
  bench_command->add_option("--model", bench_options.model, "ONNX model")->capture_default_str();
  bench_command->add_option("--images", bench_options.images, "IDX images to feed")->capture_default_str();
  bench_command->add_option("--runs", bench_options.runs, "Timed inferences")->capture_default_str();
  bench_command->add_flag("--json", bench_options.json, "Print the figures as JSON");

  CLI11_PARSE(app, argc, argv);
  if (classify_command->parsed()) return classify(classify_options);
  if (eval_command->parsed()) return eval(eval_options);
  if (test_command->parsed()) return onnx_test(case_dirs);
  return bench(bench_options);
}
