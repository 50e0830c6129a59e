// Condition and Switch5: route an empty message by the expression language of expression.h.
#include <string>

#include "components/controls/controls.h"
#include "components/controls/expression.h"
#include "components/input_util.h"
#include "util/js.h"

namespace flowkit::components::controls {
namespace {

class Condition final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& expression = in->Content().Get("expression");
    if (!js::Truthy(expression)) return ctx.Send("false", Json::MakeObject());
    ctx.Log(Json::MakeObject({{"step", "expressions"}, {"expressions", expression.Get("AND")}}));
    FLOWKIT_ASSIGN_OR_RETURN(bool holds, EvaluateExpression(expression, ctx.clock().NowMillis()));
    return ctx.Send(holds ? "true" : "false", Json::MakeObject());
  }
};

class Switch5 final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    const int64_t now_ms = ctx.clock().NowMillis();
    // Appmixer's loop runs to expression9 although only out1..out5 exist; a true expression6..9
    // fails on Send (no such out-port) rather than being dropped without a trace.
    for (int n = 1; n <= 9; ++n) {
      const Json& expression = content.Get("expression" + std::to_string(n));
      if (!js::Truthy(expression)) continue;
      FLOWKIT_ASSIGN_OR_RETURN(bool holds, EvaluateExpression(expression, now_ms));
      if (holds) return ctx.Send("out" + std::to_string(n), Json::MakeObject());
    }
    return ctx.Send("else", Json::MakeObject());
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewCondition() { return std::make_unique<Condition>(); }
std::unique_ptr<Behaviour> NewSwitch5() { return std::make_unique<Switch5>(); }

}  // namespace flowkit::components::controls
