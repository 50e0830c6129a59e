// Helpers for registering built-in components: each group lists its types in a table and
// hands it to RegisterBuiltinTable, which pairs them with their embedded manifests.
#pragma once

#include <span>
#include <string_view>

#include "flowkit/component.h"
#include "flowkit/registry.h"
#include "flowkit/status.h"

namespace flowkit::components {

struct BuiltinComponent {
  std::string_view type;  // "appmixer.utils.controls.Counter"
  BehaviourFactory factory;
  ComponentOptions options;
};

// Registers each entry with the embedded manifest of the same name. kInternal when a manifest
// is missing or invalid (a build defect, reported with the manifest's path).
Status RegisterBuiltinTable(ComponentRegistry& registry, std::span<const BuiltinComponent> table);

// The embedded manifest of `type`, parsed once per process; nullptr when there is none.
const Manifest* FindEmbeddedManifest(std::string_view type);

// The component groups (one per folder under src/components/).
Status RegisterControlsComponents(ComponentRegistry& registry);
Status RegisterFiltersComponents(ComponentRegistry& registry);
Status RegisterStorageComponents(ComponentRegistry& registry);
Status RegisterCsvComponents(ComponentRegistry& registry);
Status RegisterTimersComponents(ComponentRegistry& registry);
Status RegisterTestComponents(ComponentRegistry& registry);
Status RegisterHttpComponents(ComponentRegistry& registry);
Status RegisterSubflowsComponents(ComponentRegistry& registry);
Status RegisterConvertersComponents(ComponentRegistry& registry);
Status RegisterCodeComponents(ComponentRegistry& registry);
Status RegisterFilesComponents(ComponentRegistry& registry);
Status RegisterTasksComponents(ComponentRegistry& registry);

}  // namespace flowkit::components
