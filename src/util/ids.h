// Random identifiers.
#pragma once

#include <string>

namespace flowkit::internal {

// A random RFC 4122 version-4 UUID in lower-case text ("1b4e28ba-2fa1-4d2e-9b3a-...").
// Thread-safe; randomness from libsodium.
std::string NewUuid4();

// Uniform random double in [0, 1). Thread-safe.
double RandomUnit();

}  // namespace flowkit::internal
