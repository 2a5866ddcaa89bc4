// Pooling over NCHW float tensors.
#pragma once

namespace digits::kernels {

struct Pool2dParams {
  int planes = 0;  // batch * channels
  int in_height = 0;
  int in_width = 0;
  int out_height = 0;
  int out_width = 0;
  int kernel_height = 1;
  int kernel_width = 1;
  int stride_y = 1;
  int stride_x = 1;
  int dilation_y = 1;
  int dilation_x = 1;
  int pad_top = 0;
  int pad_left = 0;
  int pad_bottom = 0;
  int pad_right = 0;
  // AveragePool: divide by the taps inside the padded input (true) or inside the input (false).
  bool count_include_pad = false;
};

// Taps that fall in the padding are skipped; a window with no tap inside the input gives -inf.
void max_pool2d_nchw_f32(const Pool2dParams& params, const float* input, float* output);
void average_pool2d_nchw_f32(const Pool2dParams& params, const float* input, float* output);
void global_average_pool_nchw_f32(int planes, int plane_size, const float* input, float* output);

}  // namespace digits::kernels
