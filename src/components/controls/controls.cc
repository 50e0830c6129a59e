#include "components/controls/controls.h"

#include "components/builtin_registry.h"

namespace flowkit::components {

Status RegisterControlsComponents(ComponentRegistry& registry) {
  // Stateless types may run concurrently; Counter, Each, JoinEach and Digest keep per-instance state
  // whose updates must count each message once, so their calls stay serialized.
  constexpr ComponentOptions kConcurrent{.concurrent = true};
  const BuiltinComponent table[] = {
      {"appmixer.utils.controls.OnStart", controls::NewOnStart, kConcurrent},
      {"appmixer.utils.controls.Condition", controls::NewCondition, kConcurrent},
      {"appmixer.utils.controls.Switch5", controls::NewSwitch5, kConcurrent},
      {"appmixer.utils.controls.Join", controls::NewJoin, kConcurrent},
      {"appmixer.utils.controls.SetVariable", controls::NewSetVariable, kConcurrent},
      {"appmixer.utils.controls.StopFlow", controls::NewStopFlow, kConcurrent},
      {"appmixer.utils.controls.Each", controls::NewEach, {}},
      {"appmixer.utils.controls.JoinEach", controls::NewJoinEach, {}},
      {"appmixer.utils.controls.Counter", controls::NewCounter, {}},
      {"appmixer.utils.controls.Digest", controls::NewDigest, {}},
      {"appmixer.utils.controls.OnError", controls::NewOnError, {.concurrent = true, .error_feed = true}},
  };
  return RegisterBuiltinTable(registry, table);
}

}  // namespace flowkit::components
