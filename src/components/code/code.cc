// flowkit.utils.code.*: components that run user code. Appmixer's connectors have no such
// component (code runs there only through g_javascript and context.evalJavaScript), so the type
// is flowkit's own, named in Appmixer's vendor.service.module.Component style.
#include <array>
#include <memory>

#include "components/builtin_registry.h"
#include "components/input_util.h"

namespace flowkit::components {
namespace {

// JavaScript: `code` (a function body) runs in the sandbox with the message as $data; its
// result goes to `out`. Undefined sends nothing, so the code can also filter. Sandbox errors
// fail the message (a time limit is retried like any timeout, script errors are not).
class JavaScript final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& code = ctx.properties().Get("code");
    if (!code.IsString()) return Status::InvalidArgument("property 'code' must be text");
    FLOWKIT_ASSIGN_OR_RETURN(Json result, ctx.EvalJavaScript(code.StringView(), in->Content()));
    if (result.IsUndefined()) return Status::OK();
    return ctx.Send("out", std::move(result));
  }
};

std::unique_ptr<Behaviour> NewJavaScript() { return std::make_unique<JavaScript>(); }

}  // namespace

Status RegisterCodeComponents(ComponentRegistry& registry) {
  const std::array<BuiltinComponent, 1> table = {{
      {"flowkit.utils.code.JavaScript", NewJavaScript, {}},
  }};
  return RegisterBuiltinTable(registry, table);
}

}  // namespace flowkit::components
