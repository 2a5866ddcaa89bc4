// libFuzzer target: any bytes as an ONNX model, then as a tensor. The engine must answer
// every input with a model or an error, never a crash, hang or out-of-bounds access.
#include <cstddef>
#include <cstdint>

#include "digits/classifier.h"
#include "digits/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto engine = digits::Engine::load(data, size);
  if (engine.ok() && engine.value()->prepare().ok()) {
    // Running is bounded by the planned memory; skip graphs too big to run quickly.
    if (engine.value()->arena_bytes() < (size_t{1} << 22)) (void)engine.value()->run();
  }
  (void)digits::Classifier::load(data, size);
  (void)digits::onnx::parse_tensor(data, size);
  return 0;
}
