#include "kernels/pool.h"

#include <limits>

namespace digits::kernels {
namespace {

// Calls visit(value) for every tap of the window at (out_y, out_x) that lies inside the
// input; returns how many taps lie inside the padded input.
template <typename Visit>
int visit_window(const Pool2dParams& p, const float* plane, int out_y, int out_x, Visit visit) {
  int padded_taps = 0;
  for (int filter_y = 0; filter_y < p.kernel_height; ++filter_y) {
    const int in_y = out_y * p.stride_y - p.pad_top + filter_y * p.dilation_y;
    const bool y_in_padded = in_y >= -p.pad_top && in_y < p.in_height + p.pad_bottom;
    for (int filter_x = 0; filter_x < p.kernel_width; ++filter_x) {
      const int in_x = out_x * p.stride_x - p.pad_left + filter_x * p.dilation_x;
      if (y_in_padded && in_x >= -p.pad_left && in_x < p.in_width + p.pad_right) ++padded_taps;
      if (in_y >= 0 && in_y < p.in_height && in_x >= 0 && in_x < p.in_width) visit(plane[in_y * p.in_width + in_x]);
    }
  }
  return padded_taps;
}

template <typename Reduce>
void pool2d(const Pool2dParams& p, const float* input, float* output, Reduce reduce) {
  const int plane_size = p.in_height * p.in_width;
  for (int plane = 0; plane < p.planes; ++plane) {
    const float* in_plane = input + static_cast<long>(plane) * plane_size;
    for (int out_y = 0; out_y < p.out_height; ++out_y) {
      for (int out_x = 0; out_x < p.out_width; ++out_x) *output++ = reduce(in_plane, out_y, out_x);
    }
  }
}

}  // namespace

void max_pool2d_nchw_f32(const Pool2dParams& p, const float* input, float* output) {
  pool2d(p, input, output, [&](const float* plane, int out_y, int out_x) {
    float best = -std::numeric_limits<float>::infinity();
    visit_window(p, plane, out_y, out_x, [&](float value) { best = value > best ? value : best; });
    return best;
  });
}

void average_pool2d_nchw_f32(const Pool2dParams& p, const float* input, float* output) {
  pool2d(p, input, output, [&](const float* plane, int out_y, int out_x) {
    float sum = 0.0f;
    int inside = 0;
    const int padded = visit_window(p, plane, out_y, out_x, [&](float value) {
      sum += value;
      ++inside;
    });
    const int divisor = p.count_include_pad ? padded : inside;
    return divisor > 0 ? sum / static_cast<float>(divisor) : 0.0f;
  });
}

void global_average_pool_nchw_f32(int planes, int plane_size, const float* input, float* output) {
  for (int plane = 0; plane < planes; ++plane) {
    double sum = 0.0;  // planes can be large; keep the mean exact to float precision
    for (int i = 0; i < plane_size; ++i) sum += input[i];
    output[plane] = static_cast<float>(sum / plane_size);
    input += plane_size;
  }
}

}  // namespace digits::kernels
