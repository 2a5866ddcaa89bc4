// Factories of the operators the engine implements; registry.cpp maps names to them.
#pragma once

#include <memory>

#include "engine/op.h"

namespace digits::engine {

std::unique_ptr<Op> make_conv();
std::unique_ptr<Op> make_max_pool();
std::unique_ptr<Op> make_average_pool();
std::unique_ptr<Op> make_global_average_pool();
std::unique_ptr<Op> make_batch_normalization();
std::unique_ptr<Op> make_relu();
std::unique_ptr<Op> make_clip();
std::unique_ptr<Op> make_sigmoid();
std::unique_ptr<Op> make_add();
std::unique_ptr<Op> make_gemm();
std::unique_ptr<Op> make_mat_mul();
std::unique_ptr<Op> make_flatten();
std::unique_ptr<Op> make_reshape();
std::unique_ptr<Op> make_softmax();
std::unique_ptr<Op> make_log_softmax();
std::unique_ptr<Op> make_dropout();
std::unique_ptr<Op> make_identity();
std::unique_ptr<Op> make_dequantize_linear();

}  // namespace digits::engine
