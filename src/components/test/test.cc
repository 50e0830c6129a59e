#include <array>

#include "components/builtin_registry.h"
#include "components/test/e2e.h"
#include "flowkit/json.h"
#include "util/js.h"

namespace flowkit::components {
namespace e2e {

Status RegisterSignalReceiver(Context& ctx) {
  Json receiver = Json::MakeObject(
      {{"componentId", ctx.component_id()}, {"componentType", ctx.component_type()}});
  Result<bool> added = ctx.flow_state().AddToSet(kSignalReceiversKey, std::move(receiver));
  return added.ok() ? Status::OK() : added.status();
}

std::string NowIso(const Context& ctx) { return js::FormatIso(ctx.clock().NowMillis()); }

}  // namespace e2e

Status RegisterTestComponents(ComponentRegistry& registry) {
  const std::array<BuiltinComponent, 7> table = {{
      {"appmixer.utils.test.BeforeAll", e2e::NewBeforeAll, {}},
      {"appmixer.utils.test.AfterAll", e2e::NewAfterAll, {}},
      // Assert keeps nothing between calls, so deliveries may run side by side.
      {"appmixer.utils.test.Assert", e2e::NewAssert, {.concurrent = true}},
      {"appmixer.utils.test.ProcessE2EResults", e2e::NewProcessE2EResults, {}},
      {"appmixer.utils.test.CallCount", e2e::NewCallCount, {}},
      {"appmixer.utils.test.Join", e2e::NewJoin, {}},
      {"appmixer.utils.test.Tick", e2e::NewTick, {}},
  }};
  return RegisterBuiltinTable(registry, table);
}

}  // namespace flowkit::components
