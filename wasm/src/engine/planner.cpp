#include "engine/planner.h"

#include <algorithm>
#include <numeric>

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
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return requests[a].floats > requests[b].floats; });

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
    std::sort(live.begin(), live.end(), [&](size_t a, size_t b) { return offsets[a] < offsets[b]; });
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
