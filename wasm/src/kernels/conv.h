// 2-D convolution over NCHW float tensors, as im2col followed by a packed GEMM.
#pragma once

#include <cstddef>

#include "kernels/activation.h"
#include "kernels/window.h"

namespace digits::kernels {

struct Conv2dParams : Window2d {
  int batch = 1;
  int in_channels = 0;
  int out_channels = 0;
  int groups = 1;
  Activation activation;
};

// Floats of im2col workspace conv2d_nchw_f32 needs (0 for unpadded unit-stride 1x1).
size_t conv2d_columns_size_f32(const Conv2dParams& params);
// Floats of packed weights.
size_t conv2d_packed_weights_size_f32(const Conv2dParams& params);
// weights: [out_channels][in_channels / groups][kernel_height][kernel_width].
void pack_conv2d_weights_f32(const Conv2dParams& params, const float* weights, float* packed);
// bias may be null; columns is the workspace sized by conv2d_columns_size_f32.
void conv2d_nchw_f32(const Conv2dParams& params, const float* input, const float* packed_weights,
                     const float* bias, float* columns, float* output);

}  // namespace digits::kernels
