#include "kernels/winograd.h"

#include <algorithm>
#include <cstring>

#include "kernels/gemm.h"
#include "kernels/simd.h"

namespace digits::kernels {
namespace {

constexpr int kPoints = 16;  // the 4x4 transformed tile

int round_up4(int value) { return (value + 3) / 4 * 4; }

// The shape of the work: 2x2 output tiles, channels in groups of 4, tiles in groups of 4.
struct Layout {
  int tiles_y, tiles_x, tiles, tiles4;
  int channels4;                // input channels rounded up to 4
  int padded_height, padded_width;
  size_t image_floats;          // input as [channels4/4][padded_height][padded_width][4]
  size_t transformed_floats;    // 16 packed matrices [tiles4/4][channels4][4]
  size_t products_floats;       // 16 matrices [tiles4][out_channels]
};

Layout layout_of(const WinogradParams& p) {
  Layout l;
  l.tiles_y = (p.out_height + 1) / 2;
  l.tiles_x = (p.out_width + 1) / 2;
  l.tiles = l.tiles_y * l.tiles_x;
  l.tiles4 = round_up4(l.tiles);
  l.channels4 = round_up4(p.in_channels);
  l.padded_height = 2 * l.tiles_y + 2;
  l.padded_width = 2 * l.tiles_x + 2;
  l.image_floats = static_cast<size_t>(l.channels4) * l.padded_height * l.padded_width;
  l.transformed_floats = static_cast<size_t>(kPoints) * l.tiles4 * l.channels4;
  l.products_floats = static_cast<size_t>(kPoints) * l.tiles4 * p.out_channels;
  return l;
}

// Lanes of four vectors transposed: out[i][j] = in[j][i].
void transpose4(const v4f in[4], v4f out[4]) {
  const v4f t0 = __builtin_shufflevector(in[0], in[1], 0, 4, 1, 5);
  const v4f t1 = __builtin_shufflevector(in[0], in[1], 2, 6, 3, 7);
  const v4f t2 = __builtin_shufflevector(in[2], in[3], 0, 4, 1, 5);
  const v4f t3 = __builtin_shufflevector(in[2], in[3], 2, 6, 3, 7);
  out[0] = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
  out[1] = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
  out[2] = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
  out[3] = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
}

// Channels interleaved by fours, zero-padded around: every 4x4 input tile then reads
// 16 aligned vectors of 4 channels with no bounds checks.
void interleave_input(const WinogradParams& p, const Layout& l, const float* input, float* image) {
  std::fill(image, image + l.image_floats, 0.0f);
  for (int c = 0; c < p.in_channels; ++c) {
    float* group = image + static_cast<size_t>(c / 4) * l.padded_height * l.padded_width * 4 + c % 4;
    for (int in_y = 0; in_y < p.in_height; ++in_y) {
      const int y = in_y + p.pad_top;
      if (y < 0 || y >= l.padded_height) continue;
      const float* row = input + (static_cast<size_t>(c) * p.in_height + in_y) * p.in_width;
      for (int in_x = 0; in_x < p.in_width; ++in_x) {
        const int x = in_x + p.pad_left;
        if (x >= 0 && x < l.padded_width) group[(static_cast<size_t>(y) * l.padded_width + x) * 4] = row[in_x];
      }
    }
  }
}

// V = B^T d B for one tile of 4 channels, B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1].
void input_tile(const float* origin, int row_stride, v4f v[kPoints]) {
  v4f d[4][4], w[4][4];
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) d[r][c] = load4(origin + (r * row_stride + c) * 4);
  }
  for (int c = 0; c < 4; ++c) {
    w[0][c] = d[0][c] - d[2][c];
    w[1][c] = d[1][c] + d[2][c];
    w[2][c] = d[2][c] - d[1][c];
    w[3][c] = d[1][c] - d[3][c];
  }
  for (int r = 0; r < 4; ++r) {
    v[r * 4 + 0] = w[r][0] - w[r][2];
    v[r * 4 + 1] = w[r][1] + w[r][2];
    v[r * 4 + 2] = w[r][2] - w[r][1];
    v[r * 4 + 3] = w[r][1] - w[r][3];
  }
}

// Transforms every tile, writing each point's matrix in the GEMM's packed-rows layout
// (panels of 4 tiles, channel-major inside a panel).
void transform_input(const Layout& l, const float* image, float* transformed) {
  const size_t group_floats = static_cast<size_t>(l.padded_height) * l.padded_width * 4;
  const size_t point_floats = static_cast<size_t>(l.tiles4) * l.channels4;
  for (int panel = 0; panel < l.tiles4; panel += 4) {
    for (int group = 0; group < l.channels4 / 4; ++group) {
      v4f tiles[4][kPoints];
      for (int j = 0; j < 4; ++j) {
        const int tile = panel + j;
        if (tile >= l.tiles) {
          for (v4f& value : tiles[j]) value = v4f{};
          continue;
        }
        const int tile_y = tile / l.tiles_x, tile_x = tile % l.tiles_x;
        const float* origin = image + group * group_floats + (static_cast<size_t>(2 * tile_y) * l.padded_width + 2 * tile_x) * 4;
        input_tile(origin, l.padded_width, tiles[j]);
      }
      for (int point = 0; point < kPoints; ++point) {
        const v4f by_tile[4] = {tiles[0][point], tiles[1][point], tiles[2][point], tiles[3][point]};
        v4f by_channel[4];
        transpose4(by_tile, by_channel);
        float* out = transformed + point * point_floats + static_cast<size_t>(panel) * l.channels4 + group * 16;
        for (int c = 0; c < 4; ++c) store4(out + c * 4, by_channel[c]);
      }
    }
  }
}

// Y = A^T m A per tile and 4 output channels, A^T = [1 1 1 0; 0 1 -1 -1]; then bias,
// the fused activation, and the 2x2 outputs that fall inside the image.
void transform_output(const WinogradParams& p, const Layout& l, const float* products, const float* bias,
                      float* output) {
  const size_t point_floats = static_cast<size_t>(l.tiles4) * p.out_channels;
  const size_t plane = static_cast<size_t>(p.out_height) * p.out_width;
  for (int tile = 0; tile < l.tiles; ++tile) {
    const int out_y = 2 * (tile / l.tiles_x), out_x = 2 * (tile % l.tiles_x);
    for (int oc = 0; oc < p.out_channels; oc += 4) {
      v4f m[kPoints];
      for (int point = 0; point < kPoints; ++point) {
        m[point] = load4(products + point * point_floats + static_cast<size_t>(tile) * p.out_channels + oc);
      }
      v4f s0[4], s1[4];
      for (int c = 0; c < 4; ++c) {
        s0[c] = m[c] + m[4 + c] + m[8 + c];
        s1[c] = m[4 + c] - m[8 + c] - m[12 + c];
      }
      const v4f b = bias != nullptr ? load4(bias + oc) : v4f{};
      v4f y[2][2];
      y[0][0] = p.activation.apply(s0[0] + s0[1] + s0[2] + b);
      y[0][1] = p.activation.apply(s0[1] - s0[2] - s0[3] + b);
      y[1][0] = p.activation.apply(s1[0] + s1[1] + s1[2] + b);
      y[1][1] = p.activation.apply(s1[1] - s1[2] - s1[3] + b);
      for (int dy = 0; dy < 2 && out_y + dy < p.out_height; ++dy) {
        for (int dx = 0; dx < 2 && out_x + dx < p.out_width; ++dx) {
          float lanes[4];
          store4(lanes, y[dy][dx]);
          float* at = output + static_cast<size_t>(oc) * plane + static_cast<size_t>(out_y + dy) * p.out_width + out_x + dx;
          for (int lane = 0; lane < 4; ++lane) at[lane * plane] = lanes[lane];
        }
      }
    }
  }
}

}  // namespace

size_t winograd_packed_weights_size_f32(const WinogradParams& p) {
  return static_cast<size_t>(kPoints) * round_up4(p.in_channels) * p.out_channels;
}

// U = G g G^T, G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1], stored as packed[point][in][out].
void pack_winograd_weights_f32(const WinogradParams& p, const float* weights, float* packed) {
  const int channels4 = round_up4(p.in_channels);
  std::fill(packed, packed + winograd_packed_weights_size_f32(p), 0.0f);
  for (int oc = 0; oc < p.out_channels; ++oc) {
    for (int ic = 0; ic < p.in_channels; ++ic) {
      const float* g = weights + (static_cast<size_t>(oc) * p.in_channels + ic) * 9;
      float gg[4][3];  // G g
      for (int c = 0; c < 3; ++c) {
        gg[0][c] = g[c];
        gg[1][c] = 0.5f * (g[c] + g[3 + c] + g[6 + c]);
        gg[2][c] = 0.5f * (g[c] - g[3 + c] + g[6 + c]);
        gg[3][c] = g[6 + c];
      }
      for (int r = 0; r < 4; ++r) {
        const float u[4] = {gg[r][0], 0.5f * (gg[r][0] + gg[r][1] + gg[r][2]), 0.5f * (gg[r][0] - gg[r][1] + gg[r][2]),
                            gg[r][2]};
        for (int c = 0; c < 4; ++c) {
          packed[(static_cast<size_t>(r * 4 + c) * channels4 + ic) * p.out_channels + oc] = u[c];
        }
      }
    }
  }
}

size_t winograd_scratch_size_f32(const WinogradParams& p) {
  const Layout l = layout_of(p);
  return l.image_floats + l.transformed_floats + l.products_floats;
}

void conv2d_winograd_f23_nchw_f32(const WinogradParams& p, const float* input, const float* packed_weights,
                                  const float* bias, float* scratch, float* output) {
  const Layout l = layout_of(p);
  float* image = scratch;
  float* transformed = image + l.image_floats;
  float* products = transformed + l.transformed_floats;
  GemmParams gemm;
  gemm.m = l.tiles;
  gemm.n = p.out_channels;
  gemm.k = l.channels4;
  gemm.ldb = p.out_channels;
  gemm.ldc = p.out_channels;
  for (int n = 0; n < p.batch; ++n) {
    const float* image_in = input + static_cast<size_t>(n) * p.in_channels * p.in_height * p.in_width;
    interleave_input(p, l, image_in, image);
    transform_input(l, image, transformed);
    // The multiplications: one product per transformed point, tiles x in times in x out.
    for (int point = 0; point < kPoints; ++point) {
      gemm_packed_lhs_f32(gemm, transformed + static_cast<size_t>(point) * l.tiles4 * l.channels4,
                          packed_weights + static_cast<size_t>(point) * l.channels4 * p.out_channels, nullptr,
                          products + static_cast<size_t>(point) * l.tiles4 * p.out_channels);
    }
    transform_output(p, l, products, bias, output + static_cast<size_t>(n) * p.out_channels * p.out_height * p.out_width);
  }
}

}  // namespace digits::kernels
