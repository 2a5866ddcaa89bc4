// 3x3 convolution by Winograd's minimal filtering F(4x4, 3x3) (Lavin & Gray, 2015):
// each 4x4 block of outputs costs 36 multiplications per channel pair instead of 144,
// in exchange for cheap additions before and after. The parameters are Conv2dParams
// with a 3x3 kernel, stride 1, dilation 1, one group and output channels in fours;
// Conv picks it where it applies and pays.
#pragma once

#include <cstddef>

#include "kernels/conv.h"

namespace digits::kernels {

// Whether the multiplications Winograd computes (36 per 4x4 tile, tiles taken in fours by
// its GEMM, so the edges of small maps are paid in full) are at most two thirds of the
// direct 9 per output, the margin that pays for its transforms. A 5x5 map (4 tiles, 64%
// of the direct count) took a third less time than im2col for 64 -> 64 channels.
bool winograd_pays(const Conv2dParams& params);

size_t winograd_packed_weights_size_f32(const Conv2dParams& params);
// weights: [out_channels][in_channels][3][3] -> the 36 transformed [in][out] matrices.
void pack_winograd_weights_f32(const Conv2dParams& params, const float* weights, float* packed);
size_t winograd_scratch_size_f32(const Conv2dParams& params);
// bias may be null.
void conv2d_winograd_nchw_f32(const Conv2dParams& params, const float* input, const float* packed_weights,
                                  const float* bias, float* scratch, float* output);

}  // namespace digits::kernels
