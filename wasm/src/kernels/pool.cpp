#include "kernels/pool.h"

#include <limits>

#include "kernels/simd.h"

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

// Output positions [first, end) along one axis whose whole window lies inside the input.
void interior(int out_size, int stride, int pad, int span, int in_size, int& first, int& end) {
  first = 0;
  while (first < out_size && first * stride - pad < 0) ++first;
  end = out_size;
  while (end > first && (end - 1) * stride - pad + span > in_size) --end;
}

// Calls edge(plane, out_y, out_x) where a window reaches into the padding, and
// inside(window_origin) where it does not: there every tap is in bounds, so the
// common case (no padding at all) runs without a check per tap.
template <typename Edge, typename Inside>
void pool2d(const Pool2dParams& p, const float* input, float* output, Edge edge, Inside inside) {
  const int plane_size = p.in_height * p.in_width;
  int y_first, y_end, x_first, x_end;
  interior(p.out_height, p.stride_y, p.pad_top, (p.kernel_height - 1) * p.dilation_y + 1, p.in_height, y_first, y_end);
  interior(p.out_width, p.stride_x, p.pad_left, (p.kernel_width - 1) * p.dilation_x + 1, p.in_width, x_first, x_end);
  for (int plane = 0; plane < p.planes; ++plane) {
    const float* in_plane = input + static_cast<long>(plane) * plane_size;
    for (int out_y = 0; out_y < p.out_height; ++out_y) {
      const bool row_inside = out_y >= y_first && out_y < y_end;
      const long row = static_cast<long>(out_y * p.stride_y - p.pad_top) * p.in_width - p.pad_left;
      for (int out_x = 0; out_x < p.out_width; ++out_x) {
        const bool inside_window = row_inside && out_x >= x_first && out_x < x_end;
        *output++ = inside_window ? inside(in_plane + row + out_x * p.stride_x) : edge(in_plane, out_y, out_x);
      }
    }
  }
}

}  // namespace

// The common 2x2 pooling with stride 2 and no padding, four outputs at a time. Vector
// max is branch-free: scalar compares on real images mispredict often enough to cost
// more than the arithmetic.
void max_pool2x2_stride2_f32(const Pool2dParams& p, const float* input, float* output) {
  for (int plane = 0; plane < p.planes; ++plane) {
    const float* in_plane = input + static_cast<long>(plane) * p.in_height * p.in_width;
    for (int out_y = 0; out_y < p.out_height; ++out_y) {
      const float* top = in_plane + 2 * out_y * p.in_width;
      const float* bottom = top + p.in_width;
      int out_x = 0;
      for (; out_x + 4 <= p.out_width; out_x += 4) {
        const v4f t0 = load4(top + 2 * out_x), t1 = load4(top + 2 * out_x + 4);
        const v4f b0 = load4(bottom + 2 * out_x), b1 = load4(bottom + 2 * out_x + 4);
        const v4f upper = max4(__builtin_shufflevector(t0, t1, 0, 2, 4, 6), __builtin_shufflevector(t0, t1, 1, 3, 5, 7));
        const v4f lower = max4(__builtin_shufflevector(b0, b1, 0, 2, 4, 6), __builtin_shufflevector(b0, b1, 1, 3, 5, 7));
        store4(output + out_x, max4(upper, lower));
      }
      for (; out_x < p.out_width; ++out_x) {
        const float* at = top + 2 * out_x;
        const float upper = at[0] > at[1] ? at[0] : at[1];
        const float lower = bottom[2 * out_x] > bottom[2 * out_x + 1] ? bottom[2 * out_x] : bottom[2 * out_x + 1];
        output[out_x] = upper > lower ? upper : lower;
      }
      output += p.out_width;
    }
  }
}

void max_pool2d_nchw_f32(const Pool2dParams& p, const float* input, float* output) {
  if (p.kernel_height == 2 && p.kernel_width == 2 && p.stride_y == 2 && p.stride_x == 2 && p.dilation_y == 1 &&
      p.dilation_x == 1 && p.pad_top == 0 && p.pad_left == 0 && 2 * p.out_height <= p.in_height &&
      2 * p.out_width <= p.in_width) {
    max_pool2x2_stride2_f32(p, input, output);
    return;
  }
  const auto edge = [&](const float* plane, int out_y, int out_x) {
    float best = -std::numeric_limits<float>::infinity();
    visit_window(p, plane, out_y, out_x, [&](float value) { best = value > best ? value : best; });
    return best;
  };
  pool2d(p, input, output, edge, [&](const float* at) {
    float best = -std::numeric_limits<float>::infinity();
    for (int filter_y = 0; filter_y < p.kernel_height; ++filter_y) {
      const float* row = at + filter_y * p.dilation_y * p.in_width;
      for (int filter_x = 0; filter_x < p.kernel_width; ++filter_x) {
        const float value = row[filter_x * p.dilation_x];
        best = value > best ? value : best;
      }
    }
    return best;
  });
}

void average_pool2d_nchw_f32(const Pool2dParams& p, const float* input, float* output) {
  const auto edge = [&](const float* plane, int out_y, int out_x) {
    float sum = 0.0f;
    int inside = 0;
    const int padded = visit_window(p, plane, out_y, out_x, [&](float value) {
      sum += value;
      ++inside;
    });
    const int divisor = p.count_include_pad ? padded : inside;
    return divisor > 0 ? sum / static_cast<float>(divisor) : 0.0f;
  };
  const float taps = static_cast<float>(p.kernel_height * p.kernel_width);
  pool2d(p, input, output, edge, [&](const float* at) {
    float sum = 0.0f;
    for (int filter_y = 0; filter_y < p.kernel_height; ++filter_y) {
      const float* row = at + filter_y * p.dilation_y * p.in_width;
      for (int filter_x = 0; filter_x < p.kernel_width; ++filter_x) sum += row[filter_x * p.dilation_x];
    }
    return sum / taps;
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
