#include "ops/window.h"

#include <algorithm>
#include <limits>

namespace digits::engine {
namespace {

struct Axis {
  int64_t in = 1, kernel = 1, stride = 1, dilation = 1, pad_begin = 0, pad_end = 0, out = 1;
};

Status resolve_axis(Axis& axis, const std::string& auto_pad, bool ceil_mode) {
  if (axis.kernel < 1 || axis.stride < 1 || axis.dilation < 1) {
    return Status::error("kernel_shape, strides and dilations must be positive");
  }
  if (axis.pad_begin < 0 || axis.pad_end < 0) return Status::error("pads must not be negative");
  const int64_t span = (axis.kernel - 1) * axis.dilation + 1;
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    axis.out = (axis.in + axis.stride - 1) / axis.stride;
    const int64_t total = std::max<int64_t>(0, (axis.out - 1) * axis.stride + span - axis.in);
    axis.pad_begin = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    axis.pad_end = total - axis.pad_begin;
    return Status::success();
  }
  if (auto_pad == "VALID") axis.pad_begin = axis.pad_end = 0;
  const int64_t room = axis.in + axis.pad_begin + axis.pad_end - span;
  if (room < 0) {
    return Status::error("a window of " + std::to_string(span) + " does not fit an input of " +
                         std::to_string(axis.in) + " with its padding");
  }
  axis.out = (ceil_mode ? (room + axis.stride - 1) / axis.stride : room / axis.stride) + 1;
  // A window may not start in the end padding: ceil_mode only adds partial windows.
  if (ceil_mode && (axis.out - 1) * axis.stride >= axis.in + axis.pad_begin) --axis.out;
  return Status::success();
}

bool fits_int(int64_t value) { return value >= 0 && value <= std::numeric_limits<int>::max() / 4; }

// The kernels take the geometry as ints.
Status to_window(const Axis (&axes)[2], Window2d& window) {
  for (const Axis& axis : axes) {
    for (int64_t value : {axis.in, axis.kernel, axis.stride, axis.dilation, axis.pad_begin, axis.pad_end, axis.out}) {
      if (!fits_int(value)) return Status::error("window attributes out of range");
    }
  }
  const auto narrow = [](int64_t value) { return static_cast<int>(value); };
  const Axis& y = axes[0];
  const Axis& x = axes[1];
  window = Window2d{.in_height = narrow(y.in),        .in_width = narrow(x.in),
                    .kernel_height = narrow(y.kernel), .kernel_width = narrow(x.kernel),
                    .stride_y = narrow(y.stride),      .stride_x = narrow(x.stride),
                    .dilation_y = narrow(y.dilation),  .dilation_x = narrow(x.dilation),
                    .pad_top = narrow(y.pad_begin),    .pad_left = narrow(x.pad_begin),
                    .pad_bottom = narrow(y.pad_end),   .pad_right = narrow(x.pad_end),
                    .out_height = narrow(y.out),       .out_width = narrow(x.out)};
  return Status::success();
}

}  // namespace

Status resolve_window(const PrepareContext& context, const Shape& input_shape, const std::vector<int64_t>& kernel,
                      bool allow_ceil_mode, Window2d& window) {
  const size_t spatial = input_shape.size() < 2 ? 0 : input_shape.size() - 2;
  if (spatial != 1 && spatial != 2) {
    return Status::error("input " + shape_string(input_shape) + " has " + std::to_string(spatial) +
                         " spatial dimensions; 1 and 2 are supported");
  }
  if (kernel.size() != spatial) return Status::error("kernel_shape must have one value per spatial dimension");

  std::vector<int64_t> strides, dilations, pads;
  bool has_pads = false;
  DIGITS_TRY(context.ints_attribute("strides", strides));
  DIGITS_TRY(context.ints_attribute("dilations", dilations));
  DIGITS_TRY(context.ints_attribute("pads", pads, &has_pads));
  std::string auto_pad;
  DIGITS_TRY(context.string_attribute("auto_pad", "NOTSET", auto_pad));
  int64_t ceil_mode = 0;
  if (allow_ceil_mode) DIGITS_TRY(context.int_attribute("ceil_mode", 0, ceil_mode));
  if (auto_pad != "NOTSET" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER" && auto_pad != "VALID") {
    return Status::error("unknown auto_pad '" + auto_pad + "'");
  }
  if (!strides.empty() && strides.size() != spatial) return Status::error("strides must have one value per spatial dimension");
  if (!dilations.empty() && dilations.size() != spatial) {
    return Status::error("dilations must have one value per spatial dimension");
  }
  if (has_pads && pads.size() != 2 * spatial) return Status::error("pads must have two values per spatial dimension");
  if (has_pads && auto_pad != "NOTSET") {
    bool all_zero = true;
    for (int64_t pad : pads) all_zero = all_zero && pad == 0;
    if (!all_zero) return Status::error("pads and auto_pad cannot both be given");
  }

  Axis axes[2];
  const size_t first = 2 - spatial;  // 1-D windows use only the width axis
  for (size_t i = 0; i < spatial; ++i) {
    Axis& axis = axes[first + i];
    axis.in = input_shape[2 + i];
    axis.kernel = kernel[i];
    if (!strides.empty()) axis.stride = strides[i];
    if (!dilations.empty()) axis.dilation = dilations[i];
    if (has_pads) {
      axis.pad_begin = pads[i];
      axis.pad_end = pads[i + spatial];
    }
    DIGITS_TRY(resolve_axis(axis, auto_pad, ceil_mode != 0));
  }
  return to_window(axes, window);
}

Shape window_output_shape(const Shape& input_shape, int64_t channels, const Window2d& window) {
  Shape shape{input_shape[0], channels};
  if (input_shape.size() == 4) shape.push_back(window.out_height);
  shape.push_back(window.out_width);
  return shape;
}

}  // namespace digits::engine
