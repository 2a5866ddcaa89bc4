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

// How one step uses values (ids into the graph's values; -1 for an absent one).
struct StepUse {
  std::vector<int> inputs;
  std::vector<int> outputs;
  std::vector<int> aliases;  // per output: the input it views, or -1
};

// When each value's memory is needed. Values computed at load (constant) need none.
struct Lifetimes {
  std::vector<int> alias_root;  // per value: the value whose memory it uses (itself, or what it views)
  std::vector<int> first;       // per value owning memory: the step writing it (0 for graph inputs), else -1
  std::vector<int> last;        // per value owning memory: the last step reading it or any view of it
};

// Lifetimes over `steps` in order. A view lives in its source's buffer, so that buffer
// lives until the last read of any value viewing it; graph inputs and outputs live
// through the whole run (last = steps.size()).
Lifetimes compute_lifetimes(const std::vector<StepUse>& steps, const std::vector<bool>& constant,
                            const std::vector<int>& graph_inputs, const std::vector<int>& graph_outputs);

// Places each request at an offset (in floats, a multiple of 16, so every buffer starts
// on a 64-byte boundary of the arena) such that requests alive at the same step never
// overlap. Greedy by size, largest first, each at the lowest offset that fits, as
// TensorFlow Lite's arena planner does. Returns the arena size in floats.
size_t plan_buffers(const std::vector<BufferRequest>& requests, std::vector<size_t>& offsets);

}  // namespace digits::engine
