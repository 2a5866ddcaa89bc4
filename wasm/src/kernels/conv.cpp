#include "kernels/conv.h"

#include <algorithm>

#include "kernels/gemm.h"

namespace digits::kernels {
namespace {

bool is_pointwise(const Conv2dParams& p) {
  return p.kernel_height == 1 && p.kernel_width == 1 && p.stride_y == 1 && p.stride_x == 1 && p.pad_top == 0 &&
         p.pad_left == 0 && p.out_height == p.in_height && p.out_width == p.in_width;
}

int reduction_size(const Conv2dParams& p) { return p.in_channels / p.groups * p.kernel_height * p.kernel_width; }

// First output column whose input column is >= 0, and first whose input column is >= width.
void valid_columns(int in_x_origin, int stride_x, int in_width, int out_width, int& first, int& end) {
  first = in_x_origin >= 0 ? 0 : (-in_x_origin + stride_x - 1) / stride_x;
  end = in_width - in_x_origin <= 0 ? 0 : (in_width - in_x_origin + stride_x - 1) / stride_x;
  first = std::min(first, out_width);
  end = std::clamp(end, first, out_width);
}

// columns[(c, filter_y, filter_x)][out_y * out_width + out_x] = input value under that tap, or 0 in the padding.
void im2col_nchw_f32(const Conv2dParams& p, const float* input, int channels, float* columns) {
  const int out_size = p.out_height * p.out_width;
  for (int c = 0; c < channels; ++c) {
    const float* plane = input + static_cast<size_t>(c) * p.in_height * p.in_width;
    for (int filter_y = 0; filter_y < p.kernel_height; ++filter_y) {
      for (int filter_x = 0; filter_x < p.kernel_width; ++filter_x) {
        const int in_x_origin = filter_x * p.dilation_x - p.pad_left;
        int first = 0, end = 0;
        valid_columns(in_x_origin, p.stride_x, p.in_width, p.out_width, first, end);
        for (int out_y = 0; out_y < p.out_height; ++out_y) {
          float* row = columns + out_y * p.out_width;
          const int in_y = out_y * p.stride_y - p.pad_top + filter_y * p.dilation_y;
          if (in_y < 0 || in_y >= p.in_height) {
            std::fill(row, row + p.out_width, 0.0f);
            continue;
          }
          const float* source = plane + static_cast<size_t>(in_y) * p.in_width;
          std::fill(row, row + first, 0.0f);
          for (int out_x = first; out_x < end; ++out_x) row[out_x] = source[in_x_origin + out_x * p.stride_x];
          std::fill(row + end, row + p.out_width, 0.0f);
        }
        columns += out_size;
      }
    }
  }
}

}  // namespace

size_t conv2d_columns_size_f32(const Conv2dParams& p) {
  if (is_pointwise(p)) return 0;
  return static_cast<size_t>(reduction_size(p)) * p.out_height * p.out_width;
}

size_t conv2d_packed_weights_size_f32(const Conv2dParams& p) {
  return p.groups * packed_lhs_size_f32(p.out_channels / p.groups, reduction_size(p));
}

void pack_conv2d_weights_f32(const Conv2dParams& p, const float* weights, float* packed) {
  const int group_rows = p.out_channels / p.groups;
  const int k = reduction_size(p);
  for (int g = 0; g < p.groups; ++g) {
    pack_lhs_f32(group_rows, k, weights + static_cast<size_t>(g) * group_rows * k, k, packed);
    packed += packed_lhs_size_f32(group_rows, k);
  }
}

void conv2d_nchw_f32(const Conv2dParams& p, const float* input, const float* packed_weights, const float* bias,
                     float* columns, float* output) {
  const int group_channels = p.in_channels / p.groups;
  const int group_rows = p.out_channels / p.groups;
  const int out_size = p.out_height * p.out_width;
  const size_t in_plane = static_cast<size_t>(p.in_height) * p.in_width;
  GemmParams gemm;
  gemm.m = group_rows;
  gemm.n = out_size;
  gemm.k = reduction_size(p);
  gemm.ldc = out_size;
  gemm.activation = p.activation;
  const size_t group_weights = packed_lhs_size_f32(group_rows, gemm.k);
  for (int n = 0; n < p.batch; ++n) {
    for (int g = 0; g < p.groups; ++g) {
      const float* group_input = input + (static_cast<size_t>(n) * p.in_channels + g * group_channels) * in_plane;
      const float* b = group_input;
      gemm.ldb = static_cast<int>(in_plane);
      if (!is_pointwise(p)) {
        im2col_nchw_f32(p, group_input, group_channels, columns);
        b = columns;
        gemm.ldb = out_size;
      }
      float* group_output = output + (static_cast<size_t>(n) * p.out_channels + g * group_rows) * out_size;
      gemm_packed_lhs_f32(gemm, packed_weights + g * group_weights, b, bias != nullptr ? bias + g * group_rows : nullptr,
                          group_output);
    }
  }
}

}  // namespace digits::kernels
