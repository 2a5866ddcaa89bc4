#include "kernels/elementwise.h"

#include <cmath>

#include "kernels/simd.h"

namespace digits::kernels {

void clamp_f32(size_t count, const float* input, const Activation& activation, float* output) {
  size_t i = 0;
  for (; i + 4 <= count; i += 4) store4(output + i, activation.apply(load4(input + i)));
  for (; i < count; ++i) output[i] = activation.apply(input[i]);
}

void sigmoid_f32(size_t count, const float* input, float* output) {
  for (size_t i = 0; i < count; ++i) {
    // Written so that neither branch overflows exp for large |x|.
    const float x = input[i];
    if (x >= 0) {
      output[i] = 1.0f / (1.0f + std::exp(-x));
    } else {
      const float e = std::exp(x);
      output[i] = e / (1.0f + e);
    }
  }
}

void scale_shift_nchw_f32(int batch, int channels, int plane_size, const float* scale, const float* shift,
                          const float* input, float* output) {
  for (int n = 0; n < batch; ++n) {
    for (int c = 0; c < channels; ++c) {
      const v4f s = splat4(scale[c]), t = splat4(shift[c]);
      int i = 0;
      for (; i + 4 <= plane_size; i += 4) store4(output + i, load4(input + i) * s + t);
      for (; i < plane_size; ++i) output[i] = input[i] * scale[c] + shift[c];
      input += plane_size;
      output += plane_size;
    }
  }
}

namespace {

// The innermost dimension, where the strides decide how to vectorise.
void add_row(int64_t size, const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out) {
  int64_t i = 0;
  if (a_stride == 1 && b_stride == 1) {
    for (; i + 4 <= size; i += 4) store4(out + i, load4(a + i) + load4(b + i));
  } else if (a_stride == 1 && b_stride == 0) {
    const v4f value = splat4(b[0]);
    for (; i + 4 <= size; i += 4) store4(out + i, load4(a + i) + value);
  } else if (a_stride == 0 && b_stride == 1) {
    const v4f value = splat4(a[0]);
    for (; i + 4 <= size; i += 4) store4(out + i, value + load4(b + i));
  }
  for (; i < size; ++i) out[i] = a[i * a_stride] + b[i * b_stride];
}

void add_dimension(const BroadcastParams& p, int dim, const float* a, const float* b, float*& out) {
  const int64_t size = p.dims[dim];
  if (dim == p.rank - 1) {
    add_row(size, a, p.a_strides[dim], b, p.b_strides[dim], out);
    out += size;
    return;
  }
  for (int64_t i = 0; i < size; ++i) {
    add_dimension(p, dim + 1, a + i * p.a_strides[dim], b + i * p.b_strides[dim], out);
  }
}

}  // namespace

void add_broadcast_f32(const BroadcastParams& params, const float* a, const float* b, float* output) {
  if (params.rank == 0) {
    output[0] = a[0] + b[0];
    return;
  }
  add_dimension(params, 0, a, b, output);
}

namespace {

// Calls lane(in, out) at the start of every run of axis_size values along the axis; the
// values of one run lie `inner` apart.
template <typename Lane>
void for_each_lane(int64_t outer, int64_t axis_size, int64_t inner, const float* input, float* output, Lane lane) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < inner; ++j) lane(input + o * axis_size * inner + j, output + o * axis_size * inner + j);
  }
}

// Subtracting the largest value first keeps exp() from overflowing.
float lane_max(const float* in, int64_t size, int64_t stride) {
  float largest = -INFINITY;
  for (int64_t i = 0; i < size; ++i) largest = std::fmax(largest, in[i * stride]);
  return largest;
}

}  // namespace

void softmax_f32(int64_t outer, int64_t axis_size, int64_t inner, const float* input, float* output) {
  for_each_lane(outer, axis_size, inner, input, output, [&](const float* in, float* out) {
    const float largest = lane_max(in, axis_size, inner);
    float sum = 0.0f;
    for (int64_t i = 0; i < axis_size; ++i) {
      out[i * inner] = std::exp(in[i * inner] - largest);
      sum += out[i * inner];
    }
    const float inverse = 1.0f / sum;
    for (int64_t i = 0; i < axis_size; ++i) out[i * inner] *= inverse;
  });
}

void log_softmax_f32(int64_t outer, int64_t axis_size, int64_t inner, const float* input, float* output) {
  for_each_lane(outer, axis_size, inner, input, output, [&](const float* in, float* out) {
    const float largest = lane_max(in, axis_size, inner);
    float sum = 0.0f;
    for (int64_t i = 0; i < axis_size; ++i) sum += std::exp(in[i * inner] - largest);
    const float log_sum = std::log(sum) + largest;
    for (int64_t i = 0; i < axis_size; ++i) out[i * inner] = in[i * inner] - log_sum;
  });
}

}  // namespace digits::kernels
