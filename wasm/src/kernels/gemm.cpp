#include "kernels/gemm.h"

#include <cstring>

#include "kernels/simd.h"

namespace digits::kernels {
namespace {

constexpr int kPanelRows = 4;
constexpr int kPanelColumns = 16;

int round_up(int value, int multiple) { return (value + multiple - 1) / multiple * multiple; }

// One 4 x (4 * kVectors) tile of C. Rows past rows_valid are computed from A's zero
// padding and not stored. kPlain: no bias and no activation (Winograd's products), so
// the results are stored as they are.
template <int kVectors, bool kPlain>
void gemm_tile(int k, const float* a_panel, const float* b, int ldb, const float* bias, int rows_valid,
               const Activation& activation, float* c, int ldc) {
  v4f acc[kPanelRows][kVectors] = {};
  for (int depth = 0; depth < k; ++depth) {
    v4f b_row[kVectors];
    for (int v = 0; v < kVectors; ++v) b_row[v] = load4(b + 4 * v);
    for (int r = 0; r < kPanelRows; ++r) {
      const v4f a = splat4(a_panel[r]);
      for (int v = 0; v < kVectors; ++v) acc[r][v] += a * b_row[v];
    }
    a_panel += kPanelRows;
    b += ldb;
  }
  for (int r = 0; r < rows_valid; ++r) {
    if (kPlain) {
      for (int v = 0; v < kVectors; ++v) store4(c + r * ldc + 4 * v, acc[r][v]);
      continue;
    }
    const v4f row_bias = splat4(bias != nullptr ? bias[r] : 0.0f);
    for (int v = 0; v < kVectors; ++v) store4(c + r * ldc + 4 * v, activation.apply(acc[r][v] + row_bias));
  }
}

}

// The last n % 4 columns, one at a time.
void gemm_column(int k, const float* a_panel, const float* b, int ldb, const float* bias, int rows_valid,
                 const Activation& activation, float* c, int ldc) {
  float acc[kPanelRows] = {};
  for (int depth = 0; depth < k; ++depth) {
    for (int r = 0; r < kPanelRows; ++r) acc[r] += a_panel[r] * b[0];
    a_panel += kPanelRows;
    b += ldb;
  }
  for (int r = 0; r < rows_valid; ++r) c[r * ldc] = activation.apply(acc[r] + (bias != nullptr ? bias[r] : 0.0f));
}

template <bool kPlain>
void gemm_rows(const GemmParams& p, const float* a_panel, const float* b, const float* bias, int rows_valid,
               float* c_rows) {
  int col = 0;
  for (; col + 8 <= p.n; col += 8) {
    gemm_tile<2, kPlain>(p.k, a_panel, b + col, p.ldb, bias, rows_valid, p.activation, c_rows + col, p.ldc);
  }
  for (; col + 4 <= p.n; col += 4) {
    gemm_tile<1, kPlain>(p.k, a_panel, b + col, p.ldb, bias, rows_valid, p.activation, c_rows + col, p.ldc);
  }
  for (; col < p.n; ++col) {
    gemm_column(p.k, a_panel, b + col, p.ldb, bias, rows_valid, p.activation, c_rows + col, p.ldc);
  }

}  // namespace

size_t packed_lhs_size_f32(int m, int k) { return static_cast<size_t>(round_up(m, kPanelRows)) * k; }

void pack_lhs_f32(int m, int k, const float* a, int lda, float* packed) {
  for (int panel = 0; panel < m; panel += kPanelRows) {
    for (int depth = 0; depth < k; ++depth) {
      for (int r = 0; r < kPanelRows; ++r) {
        *packed++ = panel + r < m ? a[(panel + r) * lda + depth] : 0.0f;
      }
    }
  }
}

void gemm_packed_lhs_f32(const GemmParams& p, const float* packed_a, const float* b, const float* row_bias,
                         float* c) {
  for (int row = 0; row < p.m; row += kPanelRows) {
    const float* a_panel = packed_a + static_cast<size_t>(row) * p.k;
    const float* bias = row_bias != nullptr ? row_bias + row : nullptr;
    const int rows_valid = p.m - row < kPanelRows ? p.m - row : kPanelRows;
    float* c_rows = c + static_cast<size_t>(row) * p.ldc;
    if (bias == nullptr && p.activation.is_identity()) {
      gemm_rows<true>(p, a_panel, b, bias, rows_valid, c_rows);
    } else {
      gemm_rows<false>(p, a_panel, b, bias, rows_valid, c_rows);
    }
  }
}

size_t packed_rhs_size_f32(int k, int n) { return static_cast<size_t>(round_up(n, kPanelColumns)) * k; }

void pack_rhs_f32(int k, int n, const float* b, ptrdiff_t row_stride, ptrdiff_t col_stride, float scale,
                  float* packed) {
  for (int panel = 0; panel < n; panel += kPanelColumns) {
    for (int depth = 0; depth < k; ++depth) {
      for (int j = 0; j < kPanelColumns; ++j) {
        const int col = panel + j;
        *packed++ = col < n ? scale * b[depth * row_stride + col * col_stride] : 0.0f;
      }
    }
  }
}

void gemv_packed_rhs_f32(const GemvParams& p, const float* x, const float* packed_b, const float* column_bias,
                         float* y) {
  for (int panel = 0; panel < p.n; panel += kPanelColumns) {
    // Named accumulators rather than an array: V8 keeps them in registers.
    v4f acc0 = {}, acc1 = {}, acc2 = {}, acc3 = {};
    const float* b = packed_b + static_cast<size_t>(panel) * p.k;
    for (int depth = 0; depth < p.k; ++depth) {
      const v4f xk = splat4(x[depth]);
      acc0 += xk * load4(b);
      acc1 += xk * load4(b + 4);
      acc2 += xk * load4(b + 8);
      acc3 += xk * load4(b + 12);
      b += kPanelColumns;
    }
    float out[kPanelColumns];
    store4(out, acc0);
    store4(out + 4, acc1);
    store4(out + 8, acc2);
    store4(out + 12, acc3);
    for (int j = 0; j < kPanelColumns && panel + j < p.n; ++j) {
      const int col = panel + j;
      y[col] = p.activation.apply(out[j] + (column_bias != nullptr ? column_bias[col] : 0.0f));
    }
  }
}

void matmul_strided_f32(int m, int n, int k, float alpha, StridedMatrix a, StridedMatrix b, float* c,
                        ptrdiff_t ldc) {
  for (int row = 0; row < m; ++row) {
    float* c_row = c + row * ldc;
    for (int col = 0; col < n; ++col) c_row[col] = 0.0f;
    for (int depth = 0; depth < k; ++depth) {
      const float a_value = alpha * a.data[row * a.row_stride + depth * a.col_stride];
      const float* b_row = b.data + depth * b.row_stride;
      for (int col = 0; col < n; ++col) c_row[col] += a_value * b_row[col * b.col_stride];
    }
  }
}

}  // namespace digits::kernels
