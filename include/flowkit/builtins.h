// The built-in components: native C++ versions of Appmixer's core appmixer.utils.* components
// (same type names, ports, properties and behaviour), each with its manifest, and flowkit's own
// flowkit.utils.code.JavaScript (sandboxed code on each message; see javascript.h).
//
// Threading: call during set-up, before the registry is shared.
#pragma once

#include "flowkit/registry.h"
#include "flowkit/status.h"

namespace flowkit {

// Registers every built-in component type. kAlreadyExists when one of the names is taken.
Status RegisterBuiltinComponents(ComponentRegistry& registry);

}  // namespace flowkit
