// Checks shared by every runtime adapter before a hop is accepted, so that all adapters refuse
// the same malformed hops with the same message (and the conformance suite can say so).
#pragma once

#include <cstddef>
#include <limits>

#include "flowkit/runtime.h"

namespace flowkit::runtime {

// OK when every acknowledged id, enqueued id and state key is non-empty and at most
// `max_key_bytes` long (an adapter's own key limit; LMDB's is 511 bytes); kInvalidArgument
// naming the offending field otherwise. Nothing else about a hop is checked.
Status ValidateHop(const HopCommit& hop, size_t max_key_bytes = std::numeric_limits<size_t>::max());

}  // namespace flowkit::runtime
