// Four-lane float vectors through the GCC/Clang vector extension: one source that
// compiles to SSE natively and to WebAssembly SIMD128 under -msimd128.
#pragma once

#include <cstring>

namespace digits::kernels {

typedef float v4f __attribute__((vector_size(16)));

inline v4f load4(const float* p) {
  v4f v;
  std::memcpy(&v, p, sizeof(v));  // unaligned load
  return v;
}

inline void store4(float* p, v4f v) { std::memcpy(p, &v, sizeof(v)); }

// A scalar in every lane; from memory this becomes one v128.load32_splat in WebAssembly.
inline v4f splat4(float x) { return v4f{x, x, x, x}; }

inline v4f max4(v4f a, v4f b) { return a > b ? a : b; }
inline v4f min4(v4f a, v4f b) { return a < b ? a : b; }

}  // namespace digits::kernels
