#include "ops/ops.h"

namespace digits::engine {

const OpInfo* find_op(std::string_view op_type) {
  static const OpInfo kOps[] = {
      {"Conv", make_conv, true},
      {"MaxPool", make_max_pool, false},
      {"AveragePool", make_average_pool, false},
      {"GlobalAveragePool", make_global_average_pool, false},
      {"BatchNormalization", make_batch_normalization, false},
      {"Relu", make_relu, false},
      {"Clip", make_clip, false},
      {"Sigmoid", make_sigmoid, false},
      {"Add", make_add, false},
      {"Gemm", make_gemm, true},
      {"MatMul", make_mat_mul, false},
      {"Flatten", make_flatten, false},
      {"Reshape", make_reshape, false},
      {"Softmax", make_softmax, false},
      {"LogSoftmax", make_log_softmax, false},
      {"Dropout", make_dropout, false},
      {"Identity", make_identity, false},
      {"DequantizeLinear", make_dequantize_linear, false},
  };
  for (const OpInfo& info : kOps) {
    if (info.op_type == op_type) return &info;
  }
  return nullptr;
}

}  // namespace digits::engine
