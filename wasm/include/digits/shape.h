// Tensor shapes: dimensions, element counts, and "[1,1,28,28]" for messages.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace digits {

using Shape = std::vector<int64_t>;

inline int64_t element_count(const Shape& shape) {
  int64_t count = 1;
  for (int64_t dim : shape) count *= dim;
  return count;
}

inline std::string shape_string(const Shape& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? "," : "") + std::to_string(shape[i]);
  return text + "]";
}

}  // namespace digits
