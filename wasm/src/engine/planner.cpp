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
