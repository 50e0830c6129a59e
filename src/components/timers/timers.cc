#include "components/timers/timers.h"

#include <array>

#include "components/builtin_registry.h"

namespace flowkit::components {

Status RegisterTimersComponents(ComponentRegistry& registry) {
  const std::array<BuiltinComponent, 4> table = {{
      {"appmixer.utils.timers.Wait", timers::NewWait, {}},
      {"appmixer.utils.timers.Timer", timers::NewTimer, {}},
      {"appmixer.utils.timers.Scheduler", timers::NewScheduler, {}},
      {"appmixer.utils.timers.SchedulerTrigger", timers::NewSchedulerTrigger, {}},
  }};
  return RegisterBuiltinTable(registry, table);
}

}  // namespace flowkit::components
