#include "engine/planner.h"

#include <algorithm>

namespace digits::engine {
namespace {

constexpr size_t kAlignFloats = 16;

size_t aligned(size_t floats) { return (floats + kAlignFloats - 1) / kAlignFloats * kAlignFloats; }

bool overlap_in_time(const BufferRequest& a, const BufferRequest& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}

}  // namespace

Lifetimes compute_lifetimes(const std::vector<StepUse>& steps, const std::vector<bool>& constant,
                            const std::vector<int>& graph_inputs, const std::vector<int>& graph_outputs) {
  const size_t count = constant.size();
  const int end = static_cast<int>(steps.size());
  Lifetimes lives{std::vector<int>(count), std::vector<int>(count, -1), std::vector<int>(count, -1)};
  for (size_t id = 0; id < count; ++id) lives.alias_root[id] = static_cast<int>(id);
  for (const StepUse& step : steps) {
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      const int out = step.outputs[i];
      if (out >= 0 && step.aliases[i] >= 0 && !constant[out]) {
        lives.alias_root[out] = lives.alias_root[step.inputs[step.aliases[i]]];
      }
    }
  }
  for (int id : graph_inputs) {
    if (!constant[id]) lives.first[id] = 0, lives.last[id] = end;
  }
  for (int s = 0; s < end; ++s) {
    for (int id : steps[s].outputs) {
      if (id >= 0 && !constant[id] && lives.alias_root[id] == id) lives.first[id] = s;
    }
    for (int id : steps[s].inputs) {
      if (id >= 0 && !constant[id]) lives.last[lives.alias_root[id]] = std::max(lives.last[lives.alias_root[id]], s);
    }
  }
  for (int id : graph_outputs) {
    if (!constant[id]) lives.last[lives.alias_root[id]] = end;
  }
  return lives;
}

size_t plan_buffers(const std::vector<BufferRequest>& requests, std::vector<size_t>& offsets) {
  offsets.assign(requests.size(), 0);
  // Largest first, ties in request order. Insertion sort: a graph has few buffers, and
  // std::stable_sort's merge code would weigh more in the .wasm than this whole planner.
  std::vector<size_t> order;
  for (size_t index = 0; index < requests.size(); ++index) {
    size_t at = order.size();
    while (at > 0 && requests[order[at - 1]].floats < requests[index].floats) --at;
    order.insert(order.begin() + static_cast<long>(at), index);
  }

  std::vector<size_t> placed;
  size_t total = 0;
  for (size_t index : order) {
    const BufferRequest& request = requests[index];
    const size_t size = aligned(request.floats);
    // Buffers alive at the same time, by offset; take the first gap large enough.
    std::vector<size_t> live;
    for (size_t other : placed) {
      if (overlap_in_time(request, requests[other])) live.push_back(other);
    }
    for (size_t i = 1; i < live.size(); ++i) {  // by offset
      for (size_t j = i; j > 0 && offsets[live[j - 1]] > offsets[live[j]]; --j) std::swap(live[j - 1], live[j]);
    }
    size_t offset = 0;
    for (size_t other : live) {
      if (offsets[other] >= offset + size) break;
      offset = std::max(offset, offsets[other] + aligned(requests[other].floats));
    }
    offsets[index] = offset;
    total = std::max(total, offset + size);
    placed.push_back(index);
  }
  return total;
}

}  // namespace digits::engine
