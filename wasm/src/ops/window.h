// Output size and padding of a sliding window (Conv, MaxPool, AveragePool) from the
// ONNX attributes kernel_shape, strides, dilations, pads, auto_pad and ceil_mode.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/op.h"
#include "kernels/window.h"

namespace digits::engine {

using Window2d = kernels::Window2d;

// input_shape is [N, C, spatial...] with one or two spatial dimensions (1-D windows are
// treated as 2-D ones of height 1). kernel is kernel_shape, from the attribute or from
// the weights. Fails on malformed attributes or a window that does not fit.
Status resolve_window(const PrepareContext& context, const Shape& input_shape, const std::vector<int64_t>& kernel,
                      bool allow_ceil_mode, Window2d& window);

// The output shape [N, channels, spatial...] in the input's rank.
Shape window_output_shape(const Shape& input_shape, int64_t channels, const Window2d& window);

}  // namespace digits::engine
