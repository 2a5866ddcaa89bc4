// Matrix products. Row-major throughout; "packed" operands are laid out once, at
// prepare time, in the order the inner loops read them.
#pragma once

#include <cstddef>

#include "kernels/activation.h"

namespace digits::kernels {

// ---- C = act(A B + row_bias), A packed: the convolution's weights times im2col columns.

struct GemmParams {
  int m = 0;  // rows of A and C
  int n = 0;  // columns of B and C
  int k = 0;  // columns of A, rows of B
  int ldb = 0;
  int ldc = 0;
  Activation activation;
};

// Floats needed to pack an m x k left-hand matrix (rows padded to a multiple of 4).
size_t packed_lhs_size_f32(int m, int k);
// Packs A (m x k, row stride lda) into panels of 4 rows, k-major within a panel.
void pack_lhs_f32(int m, int k, const float* a, int lda, float* packed);
// row_bias may be null.
void gemm_packed_lhs_f32(const GemmParams& params, const float* packed_a, const float* b, const float* row_bias,
                         float* c);

// ---- y = act(x B + column_bias), B packed: dense layers at batch 1.

struct GemvParams {
  int n = 0;  // outputs
  int k = 0;  // inputs
  Activation activation;
};

// Floats needed to pack a k x n right-hand matrix (columns padded to a multiple of 16).
size_t packed_rhs_size_f32(int k, int n);
// Packs scale * B, where B(row, col) = b[row * row_stride + col * col_stride], into
// panels of 16 columns, so a transposed B (ONNX Gemm's transB) costs nothing at run time.
void pack_rhs_f32(int k, int n, const float* b, ptrdiff_t row_stride, ptrdiff_t col_stride, float scale,
                  float* packed);
// column_bias may be null.
void gemv_packed_rhs_f32(const GemvParams& params, const float* x, const float* packed_b, const float* column_bias,
                         float* y);

// ---- C = alpha A B for operands with arbitrary strides (MatMul, Gemm with run-time weights).

struct StridedMatrix {
  const float* data = nullptr;
  ptrdiff_t row_stride = 0;
  ptrdiff_t col_stride = 1;
};

void matmul_strided_f32(int m, int n, int k, float alpha, StridedMatrix a, StridedMatrix b, float* c,
                        ptrdiff_t ldc);

}  // namespace digits::kernels
