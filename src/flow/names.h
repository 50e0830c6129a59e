// Component type names as flowkit accepts them (private to src/flow).
#pragma once

#include <string_view>

namespace flowkit::flow_internal {

// IsValidComponentTypeName (vendor.service.module.Component), or the three-part
// vendor.service.Component that 19 of Appmixer's own connector manifests use (services without
// a module directory, e.g. appmixer.googleContacts.CreateContact). Defined in manifest.cc.
bool IsAcceptedComponentTypeName(std::string_view name);

}  // namespace flowkit::flow_internal
