// Gemm (Y = alpha A' B' + beta C) and MatMul (numpy semantics).
#include <vector>

#include "kernels/elementwise.h"
#include "kernels/gemm.h"
#include "ops/broadcast.h"
#include "ops/ops.h"
#include "zeroed_vector.h"

namespace digits::engine {
namespace {

class GemmOp final : public Op {
 public:
  Status prepare(PrepareContext& c) override {
    DIGITS_TRY(c.require_inputs(2, 3));
    DIGITS_TRY(c.require_float(0));
    DIGITS_TRY(c.require_float(1));
    int64_t trans_a = 0, trans_b = 0;
    DIGITS_TRY(c.float_attribute("alpha", 1.0f, alpha_));
    DIGITS_TRY(c.float_attribute("beta", 1.0f, beta_));
    DIGITS_TRY(c.int_attribute("transA", 0, trans_a));
    DIGITS_TRY(c.int_attribute("transB", 0, trans_b));
    const Shape& a = c.input(0).shape;
    const Shape& b = c.input(1).shape;
    if (a.size() != 2 || b.size() != 2) {
      return Status::error("A " + shape_string(a) + " and B " + shape_string(b) + " must be matrices");
    }
    m_ = static_cast<int>(trans_a ? a[1] : a[0]);
    k_ = static_cast<int>(trans_a ? a[0] : a[1]);
    n_ = static_cast<int>(trans_b ? b[0] : b[1]);
    if ((trans_b ? b[1] : b[0]) != k_) {
      return Status::error("A " + shape_string(a) + " and B " + shape_string(b) + " do not multiply" +
                           (trans_a || trans_b ? " with the given transA/transB" : ""));
    }
    a_ = {nullptr, trans_a ? 1 : k_, trans_a ? m_ : 1};
    b_ = {nullptr, trans_b ? 1 : n_, trans_b ? k_ : 1};

    has_c_ = c.has_input(2);
    if (has_c_) {
      DIGITS_TRY(c.require_float(2));
      std::vector<int64_t> strides;
      DIGITS_TRY(broadcast_strides(c.input(2).shape, {m_, n_}, strides));
      c_strides_[0] = strides[0];
      c_strides_[1] = strides[1];
    }
    activation_ = c.fused_activation();
    c.count_operations(saturating_product({m_, n_, k_}));

    // The common case, a dense layer with constant weights: pack alpha B' once, and
    // turn a row-broadcast C into a per-column bias.
    const bool c_per_column = !has_c_ || (c.input(2).constant && c_strides_[0] == 0);
    packed_ = c.input(1).constant && c_per_column && !trans_a;
    if (packed_) {
      packed_b_ = zeroed_vector<float>(kernels::packed_rhs_size_f32(k_, n_));
      kernels::pack_rhs_f32(k_, n_, c.input(1).floats.data(), b_.row_stride, b_.col_stride, alpha_, packed_b_.data());
      if (has_c_) {
        column_bias_.resize(n_);
        for (int col = 0; col < n_; ++col) column_bias_[col] = beta_ * c.input(2).floats[col * c_strides_[1]];
      }
    }
    return c.define_output(0, {m_, n_});
  }

  void run(const RunBuffers& b) const override {
    const float* a = b.inputs[0];
    float* y = b.outputs[0];
    if (packed_) {
      const kernels::GemvParams params{n_, k_, activation_};
      const float* bias = has_c_ ? column_bias_.data() : nullptr;
      for (int row = 0; row < m_; ++row) {
        kernels::gemv_packed_rhs_f32(params, a + row * a_.row_stride, packed_b_.data(), bias, y + row * n_);
      }
      return;
    }
    kernels::StridedMatrix a_matrix = a_, b_matrix = b_;
    a_matrix.data = a;
    b_matrix.data = b.inputs[1];
    kernels::matmul_strided_f32(m_, n_, k_, alpha_, a_matrix, b_matrix, y, n_);
    const float* c_values = has_c_ ? b.inputs[2] : nullptr;
    for (int row = 0; row < m_; ++row) {
      for (int col = 0; col < n_; ++col) {
        float value = y[row * n_ + col];
        if (c_values != nullptr) value += beta_ * c_values[row * c_strides_[0] + col * c_strides_[1]];
        y[row * n_ + col] = activation_.apply(value);
      }
    }
  }

 private:
  int m_ = 0, n_ = 0, k_ = 0;
  float alpha_ = 1.0f, beta_ = 1.0f;
  kernels::StridedMatrix a_, b_;
  bool has_c_ = false;
  int64_t c_strides_[2] = {0, 0};
  kernels::Activation activation_;
  bool packed_ = false;
  std::vector<float> packed_b_;
  std::vector<float> column_bias_;
};

class MatMulOp final : public Op {
 public:
  Status prepare(PrepareContext& c) override {
    DIGITS_TRY(c.require_inputs(2, 2));
    DIGITS_TRY(c.require_float(0));
    DIGITS_TRY(c.require_float(1));
    Shape a = c.input(0).shape, b = c.input(1).shape;
    if (a.empty() || b.empty()) return Status::error("MatMul needs inputs of rank 1 or more");
    const bool a_vector = a.size() == 1, b_vector = b.size() == 1;
    if (a_vector) a.insert(a.begin(), 1);
    if (b_vector) b.push_back(1);
    m_ = a[a.size() - 2];
    k_ = a[a.size() - 1];
    n_ = b[b.size() - 1];
    if (b[b.size() - 2] != k_) {
      return Status::error("A " + shape_string(c.input(0).shape) + " and B " + shape_string(c.input(1).shape) +
                           " do not multiply");
    }
    const Shape a_batch(a.begin(), a.end() - 2), b_batch(b.begin(), b.end() - 2);
    Shape batch;
    DIGITS_TRY(multidirectional_broadcast(a_batch, b_batch, batch));
    batch_offsets(a_batch, batch, m_ * k_, a_offsets_);
    batch_offsets(b_batch, batch, k_ * n_, b_offsets_);

    c.count_operations(saturating_product({element_count(batch), m_, n_, k_}));
    Shape y = batch;
    if (!a_vector) y.push_back(m_);
    if (!b_vector) y.push_back(n_);
    return c.define_output(0, y);
  }

  void run(const RunBuffers& b) const override {
    float* y = b.outputs[0];
    for (size_t i = 0; i < a_offsets_.size(); ++i) {
      const kernels::StridedMatrix a{b.inputs[0] + a_offsets_[i], static_cast<ptrdiff_t>(k_), 1};
      const kernels::StridedMatrix rhs{b.inputs[1] + b_offsets_[i], static_cast<ptrdiff_t>(n_), 1};
      kernels::matmul_strided_f32(static_cast<int>(m_), static_cast<int>(n_), static_cast<int>(k_), 1.0f, a, rhs,
                                  y + i * m_ * n_, n_);
    }
  }

 private:
  int64_t m_ = 0, n_ = 0, k_ = 0;
  std::vector<int64_t> a_offsets_, b_offsets_;  // start of each batch's matrix
};

}  // namespace

std::unique_ptr<Op> make_gemm() { return std::make_unique<GemmOp>(); }
std::unique_ptr<Op> make_mat_mul() { return std::make_unique<MatMulOp>(); }

}  // namespace digits::engine
