// The memory plan: when each value needs memory, and buffers that never overlap while alive.
#include <doctest/doctest.h>

#include "engine/planner.h"

using digits::engine::BufferRequest;
using digits::engine::compute_lifetimes;
using digits::engine::plan_buffers;
using digits::engine::StepUse;

TEST_CASE("lifetimes: a view lives in its source, graph inputs and outputs through the run, constants nowhere") {
  // Values: 0 input, 1 weight (constant), 2 conv out, 3 reshape of 2 (a view), 4 relu out, 5 graph output.
  const std::vector<StepUse> steps = {
      {{0, 1}, {2}, {-1}},   // 0: conv(input, weight)
      {{2}, {3}, {0}},       // 1: reshape, a view of 2
      {{3}, {4}, {-1}},      // 2: relu
      {{4, 1}, {5}, {-1}},   // 3: gemm(relu, weight)
  };
  const std::vector<bool> constant = {false, true, false, false, false, false};
  const auto lives = compute_lifetimes(steps, constant, {0}, {5});
  CHECK(lives.alias_root == std::vector<int>{0, 1, 2, 2, 4, 5});
  CHECK(lives.first == std::vector<int>{0, -1, 0, -1, 2, 3});
  CHECK(lives.last[0] == 4);  // a graph input: the whole run
  CHECK(lives.last[2] == 2);  // read through its view by step 2
  CHECK(lives.last[4] == 3);
  CHECK(lives.last[5] == 4);  // a graph output: the whole run
  CHECK(lives.last[1] == -1);
}

TEST_CASE("buffers alive at the same step never overlap; others share") {
  const std::vector<BufferRequest> requests = {{100, 0, 1}, {50, 1, 2}, {100, 2, 3}, {10, 3, 3}};
  std::vector<size_t> offsets;
  const size_t total = plan_buffers(requests, offsets);
  for (size_t a = 0; a < requests.size(); ++a) {
    CHECK(offsets[a] % 16 == 0);
    for (size_t b = a + 1; b < requests.size(); ++b) {
      const bool together = requests[a].first_step <= requests[b].last_step &&
                            requests[b].first_step <= requests[a].last_step;
      const bool apart = offsets[a] + requests[a].floats <= offsets[b] || offsets[b] + requests[b].floats <= offsets[a];
      if (together) CHECK(apart);
    }
  }
  CHECK(total < 100 + 50 + 100 + 10);  // the first and third share memory
}
