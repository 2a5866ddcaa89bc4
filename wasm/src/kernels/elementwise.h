// Element-wise and per-channel kernels.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/activation.h"

namespace digits::kernels {

// Relu and Clip: out = activation.apply(in). in and out may be the same buffer.
void clamp_f32(size_t count, const float* input, const Activation& activation, float* output);
void sigmoid_f32(size_t count, const float* input, float* output);

// y = x * scale[c] + shift[c] over [batch][channels][plane_size]: inference batch norm.
void scale_shift_nchw_f32(int batch, int channels, int plane_size, const float* scale, const float* shift,
                          const float* input, float* output);

// Broadcast iteration over at most kMaxRank dimensions; a stride of 0 repeats a value.
inline constexpr int kMaxRank = 8;
struct BroadcastParams {
  int rank = 0;
  int64_t dims[kMaxRank] = {};
  int64_t a_strides[kMaxRank] = {};
  int64_t b_strides[kMaxRank] = {};
};
void add_broadcast_f32(const BroadcastParams& params, const float* a, const float* b, float* output);

// Softmax and LogSoftmax over the middle axis of [outer][axis_size][inner].
void softmax_f32(int64_t outer, int64_t axis_size, int64_t inner, const float* input, float* output);
void log_softmax_f32(int64_t outer, int64_t axis_size, int64_t inner, const float* input, float* output);

}  // namespace digits::kernels
