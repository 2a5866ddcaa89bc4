// Pooling over NCHW float tensors.
#pragma once

#include "kernels/window.h"

namespace digits::kernels {

struct Pool2dParams : Window2d {
  int planes = 0;  // batch * channels
  // AveragePool: divide by the taps inside the padded input (true) or inside the input (false).
  bool count_include_pad = false;
};

// Taps that fall in the padding are skipped; a window with no tap inside the input gives -inf.
void max_pool2d_nchw_f32(const Pool2dParams& params, const float* input, float* output);
void average_pool2d_nchw_f32(const Pool2dParams& params, const float* input, float* output);
void global_average_pool_nchw_f32(int planes, int plane_size, const float* input, float* output);

}  // namespace digits::kernels
