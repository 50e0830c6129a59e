#include "components/timers/timers.h"

#include <array>

#include "components/builtin_registry.h"

namespace flowkit::components {

Status RegisterTimersComponents(ComponentRegistry& registry) {
  const std::array<BuiltinComponent, 2> table = {{
      {"appmixer.utils.timers.Wait", timers::NewWait, {}},
      {"appmixer.utils.timers.Timer", timers::NewTimer, {}},
  }};
  return RegisterBuiltinTable(registry, table);
}

}  // namespace flowkit::components
