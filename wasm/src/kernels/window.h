// Where a sliding window falls on one NCHW plane: the geometry convolution and pooling share.
#pragma once

namespace digits::kernels {

struct Window2d {
  int in_height = 1, in_width = 1;
  int kernel_height = 1, kernel_width = 1;
  int stride_y = 1, stride_x = 1;
  int dilation_y = 1, dilation_x = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int out_height = 1, out_width = 1;
};

}  // namespace digits::kernels
