// The flowkit version this header belongs to.
#pragma once

#define FLOWKIT_VERSION_MAJOR 0
#define FLOWKIT_VERSION_MINOR 1
#define FLOWKIT_VERSION_PATCH 0

namespace flowkit {
// "0.1.0": the version of the linked library (may differ from the header's if mismatched).
const char* Version();
}  // namespace flowkit
