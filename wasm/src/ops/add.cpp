// Add with multidirectional broadcasting.
#include "kernels/elementwise.h"
#include "ops/broadcast.h"
#include "ops/ops.h"

namespace digits::engine {
namespace {

class AddOp final : public Op {
 public:
  Status prepare(PrepareContext& c) override {
    DIGITS_TRY(c.require_inputs(2, 2));
    DIGITS_TRY(c.require_float(0));
    DIGITS_TRY(c.require_float(1));
    Shape out;
    DIGITS_TRY(multidirectional_broadcast(c.input(0).shape, c.input(1).shape, out));
    DIGITS_TRY(add_broadcast_params(c.input(0).shape, c.input(1).shape, out, params_));
    empty_ = element_count(out) == 0;
    return c.define_output(0, out);
  }
  void run(const RunBuffers& b) const override {
    if (!empty_) kernels::add_broadcast_f32(params_, b.inputs[0], b.inputs[1], b.outputs[0]);
  }

 private:
  kernels::BroadcastParams params_;
  bool empty_ = false;
};

}  // namespace

std::unique_ptr<Op> make_add() { return std::make_unique<AddOp>(); }

}  // namespace digits::engine
