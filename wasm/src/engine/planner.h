// Memory planning: one arena for every run-time tensor and workspace, laid out once.
#pragma once

#include <cstddef>
#include <vector>

namespace digits::engine {

struct BufferRequest {
  size_t floats = 0;
  int first_step = 0;  // written by this step (or before the first, for graph inputs)
  int last_step = 0;   // last read by this step
};

// Places each request at an offset (in floats, a multiple of 16, so every buffer starts
// on a 64-byte boundary of the arena) such that requests alive at the same step never
// overlap. Greedy by size, largest first, each at the lowest offset that fits, as
// TensorFlow Lite's arena planner does. Returns the arena size in floats.
size_t plan_buffers(const std::vector<BufferRequest>& requests, std::vector<size_t>& offsets);

}  // namespace digits::engine
