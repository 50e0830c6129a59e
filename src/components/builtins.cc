#include "flowkit/builtins.h"

#include "components/builtin_registry.h"

namespace flowkit {

Status RegisterBuiltinComponents(ComponentRegistry& registry) {
  using RegisterGroup = Status (*)(ComponentRegistry&);
  static constexpr RegisterGroup kGroups[] = {
      components::RegisterControlsComponents, components::RegisterFiltersComponents,
      components::RegisterStorageComponents,  components::RegisterCsvComponents,
      components::RegisterTimersComponents,   components::RegisterTestComponents,
      components::RegisterHttpComponents,     components::RegisterSubflowsComponents,
      components::RegisterCodeComponents,     components::RegisterConvertersComponents,
      components::RegisterFilesComponents,    components::RegisterTasksComponents,
  };
  for (RegisterGroup group : kGroups) FLOWKIT_RETURN_IF_ERROR(group(registry));
  return Status::OK();
}

}  // namespace flowkit
