#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "conformance.h"

namespace digits::cli {

int onnx_test(const std::vector<std::string>& case_dirs) {
  int failed = 0;
  for (const std::string& dir : case_dirs) {
    const std::string name = std::filesystem::path(dir).lexically_normal().filename().string();
    const Status status = run_conformance_case(dir);
    if (status.ok()) {
      std::printf("PASS %s\n", name.empty() ? dir.c_str() : name.c_str());
    } else {
      std::printf("FAIL %s: %s\n", name.empty() ? dir.c_str() : name.c_str(), status.message().c_str());
      ++failed;
    }
  }
  std::printf("%zu passed, %d failed\n", case_dirs.size() - failed, failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace digits::cli
