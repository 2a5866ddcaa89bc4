#include "kernels/winograd.h"

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "kernels/gemm.h"
#include "kernels/simd.h"

namespace digits::kernels {
namespace {

int round_up4(int value) { return (value + 3) / 4 * 4; }

// The shape of the work for output tiles of kTile x kTile: channels and tiles in fours.
template <int kTile>
struct Layout {
  static constexpr int kSide = kTile + 2;          // input tile side
  static constexpr int kPoints = kSide * kSide;    // transformed points per tile
  int tiles_y, tiles_x, tiles, tiles4;
  int channels4;                // input channels rounded up to 4
  int padded_height, padded_width;
  size_t image_floats;          // input as [channels4/4][padded_height][padded_width][4]
  size_t transformed_floats;    // kPoints packed matrices [tiles4/4][channels4][4]
  size_t products_floats;       // kPoints matrices [tiles4][out_channels]

  explicit Layout(const Conv2dParams& p) {
    tiles_y = (p.out_height + kTile - 1) / kTile;
    tiles_x = (p.out_width + kTile - 1) / kTile;
    tiles = tiles_y * tiles_x;
    tiles4 = round_up4(tiles);
    channels4 = round_up4(p.in_channels);
    padded_height = kTile * tiles_y + 2;
    padded_width = kTile * tiles_x + 2;
    image_floats = static_cast<size_t>(channels4) * padded_height * padded_width;
    transformed_floats = static_cast<size_t>(kPoints) * tiles4 * channels4;
    products_floats = static_cast<size_t>(kPoints) * tiles4 * p.out_channels;
  }
};

// ---- The transforms, per column then per row: V = B^T d B, U = G g G^T, Y = A^T m A.
// (Written for one tile size; the templates keep the layout general.)

// F(4x4, 3x3): B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1].
inline void input_1d(const v4f* d, int stride, v4f* out, int out_stride, std::integral_constant<int, 4>) {
  const v4f d0 = d[0], d1 = d[stride], d2 = d[2 * stride], d3 = d[3 * stride], d4 = d[4 * stride], d5 = d[5 * stride];
  const v4f four = splat4(4.0f), two = splat4(2.0f), five = splat4(5.0f);
  const v4f a = d4 - four * d2, b = four * d1 - d3, c = d4 - d2, e = two * (d3 - d1);
  out[0] = four * d0 - five * d2 + d4;
  out[out_stride] = a - b;
  out[2 * out_stride] = a + b;
  out[3 * out_stride] = c + e;
  out[4 * out_stride] = c - e;
  out[5 * out_stride] = four * d1 - five * d3 + d5;
}

// F(4x4, 3x3): A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1].
inline void output_1d(const v4f* m, int stride, v4f* y, int y_stride, std::integral_constant<int, 4>) {
  const v4f s12 = m[stride] + m[2 * stride], d12 = m[stride] - m[2 * stride];
  const v4f s34 = m[3 * stride] + m[4 * stride], d34 = m[3 * stride] - m[4 * stride];
  y[0] = m[0] + s12 + s34;
  y[y_stride] = d12 + splat4(2.0f) * d34;
  y[2 * y_stride] = s12 + splat4(4.0f) * s34;
  y[3 * y_stride] = d12 + splat4(8.0f) * d34 + m[5 * stride];
}

// G g for one column of a 3x3 filter, in double (done once, at prepare).
// G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1].
void weight_1d(const double* g, int stride, double* out, int out_stride, std::integral_constant<int, 4>) {
  const double g0 = g[0], g1 = g[stride], g2 = g[2 * stride];
  out[0] = g0 / 4;
  out[out_stride] = -(g0 + g1 + g2) / 6;
  out[2 * out_stride] = -(g0 - g1 + g2) / 6;
  out[3 * out_stride] = g0 / 24 + g1 / 12 + g2 / 6;
  out[4 * out_stride] = g0 / 24 - g1 / 12 + g2 / 6;
  out[5 * out_stride] = g2;
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

// Channels interleaved by fours, zero-padded around: every input tile then reads whole
// vectors of 4 channels with no bounds checks.
template <int kTile>
void interleave_input(const Conv2dParams& p, const Layout<kTile>& l, const float* input, float* image) {
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

// Transforms every tile, writing each point's matrix in the GEMM's packed-rows layout
// (panels of 4 tiles, channel-major inside a panel).
template <int kTile>
void transform_input(const Layout<kTile>& l, const float* image, float* transformed) {
  constexpr int kSide = Layout<kTile>::kSide, kPoints = Layout<kTile>::kPoints;
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
        const float* origin =
            image + group * group_floats + (static_cast<size_t>(kTile * tile_y) * l.padded_width + kTile * tile_x) * 4;
        v4f d[kPoints], w[kPoints];
        for (int r = 0; r < kSide; ++r) {
          for (int c = 0; c < kSide; ++c) d[r * kSide + c] = load4(origin + (r * l.padded_width + c) * 4);
        }
        for (int c = 0; c < kSide; ++c) input_1d(d + c, kSide, w + c, kSide, std::integral_constant<int, kTile>{});
        for (int r = 0; r < kSide; ++r) {
          input_1d(w + r * kSide, 1, tiles[j] + r * kSide, 1, std::integral_constant<int, kTile>{});
        }
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

// Y = A^T m A per tile and 4 output channels; then bias, the fused activation, and the
// outputs that fall inside the image.
template <int kTile>
void transform_output(const Conv2dParams& p, const Layout<kTile>& l, const float* products, const float* bias,
                      float* output) {
  constexpr int kSide = Layout<kTile>::kSide, kPoints = Layout<kTile>::kPoints;
  const size_t point_floats = static_cast<size_t>(l.tiles4) * p.out_channels;
  const size_t plane = static_cast<size_t>(p.out_height) * p.out_width;
  for (int tile = 0; tile < l.tiles; ++tile) {
    const int out_y = kTile * (tile / l.tiles_x), out_x = kTile * (tile % l.tiles_x);
    for (int oc = 0; oc < p.out_channels; oc += 4) {
      v4f m[kPoints], s[kTile * kSide], y[kTile * kTile];
      for (int point = 0; point < kPoints; ++point) {
        m[point] = load4(products + point * point_floats + static_cast<size_t>(tile) * p.out_channels + oc);
      }
      for (int c = 0; c < kSide; ++c) output_1d(m + c, kSide, s + c, kSide, std::integral_constant<int, kTile>{});
      for (int r = 0; r < kTile; ++r) {
        output_1d(s + r * kSide, 1, y + r * kTile, 1, std::integral_constant<int, kTile>{});
      }
      const v4f b = bias != nullptr ? load4(bias + oc) : v4f{};
      for (int dy = 0; dy < kTile && out_y + dy < p.out_height; ++dy) {
        for (int dx = 0; dx < kTile && out_x + dx < p.out_width; ++dx) {
          float lanes[4];
          store4(lanes, p.activation.apply(y[dy * kTile + dx] + b));
          float* at = output + static_cast<size_t>(oc) * plane + static_cast<size_t>(out_y + dy) * p.out_width + out_x + dx;
          for (int lane = 0; lane < 4; ++lane) at[lane * plane] = lanes[lane];
        }
      }
    }
  }
}

template <int kTile>
void pack_weights(const Conv2dParams& p, const float* weights, float* packed) {
  constexpr int kSide = Layout<kTile>::kSide;
  const int channels4 = round_up4(p.in_channels);
  std::fill(packed, packed + static_cast<size_t>(kSide * kSide) * channels4 * p.out_channels, 0.0f);
  for (int oc = 0; oc < p.out_channels; ++oc) {
    for (int ic = 0; ic < p.in_channels; ++ic) {
      double g[9], gg[kSide * 3], u[kSide * kSide];
      for (int i = 0; i < 9; ++i) g[i] = weights[(static_cast<size_t>(oc) * p.in_channels + ic) * 9 + i];
      for (int c = 0; c < 3; ++c) weight_1d(g + c, 3, gg + c, 3, std::integral_constant<int, kTile>{});  // G g
      for (int r = 0; r < kSide; ++r) weight_1d(gg + r * 3, 1, u + r * kSide, 1, std::integral_constant<int, kTile>{});
      for (int point = 0; point < kSide * kSide; ++point) {
        packed[(static_cast<size_t>(point) * channels4 + ic) * p.out_channels + oc] = static_cast<float>(u[point]);
      }
    }
  }
}

template <int kTile>
void convolve(const Conv2dParams& p, const float* input, const float* packed_weights, const float* bias,
              float* scratch, float* output) {
  const Layout<kTile> l(p);
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
    for (int point = 0; point < Layout<kTile>::kPoints; ++point) {
      gemm_packed_lhs_f32(gemm, transformed + static_cast<size_t>(point) * l.tiles4 * l.channels4,
                          packed_weights + static_cast<size_t>(point) * l.channels4 * p.out_channels, nullptr,
                          products + static_cast<size_t>(point) * l.tiles4 * p.out_channels);
    }
    transform_output(p, l, products, bias, output + static_cast<size_t>(n) * p.out_channels * p.out_height * p.out_width);
  }
}

constexpr int kOutputTile = 4;

}  // namespace

bool winograd_pays(const Conv2dParams& p) {
  const Layout<kOutputTile> l(p);
  const int64_t winograd = static_cast<int64_t>(l.tiles4) * Layout<kOutputTile>::kPoints;
  const int64_t direct = int64_t{9} * p.out_height * p.out_width;
  return 3 * winograd <= 2 * direct;
}

size_t winograd_packed_weights_size_f32(const Conv2dParams& p) {
  return static_cast<size_t>(Layout<kOutputTile>::kPoints) * round_up4(p.in_channels) * p.out_channels;
}

void pack_winograd_weights_f32(const Conv2dParams& p, const float* weights, float* packed) {
  pack_weights<kOutputTile>(p, weights, packed);
}

size_t winograd_scratch_size_f32(const Conv2dParams& p) {
  const Layout<kOutputTile> l(p);
  return l.image_floats + l.transformed_floats + l.products_floats;
}

void conv2d_winograd_nchw_f32(const Conv2dParams& p, const float* input, const float* packed_weights,
                              const float* bias, float* scratch, float* output) {
  convolve<kOutputTile>(p, input, packed_weights, bias, scratch, output);
}

}  // namespace digits::kernels
