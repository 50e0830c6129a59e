// Fire patterns: when a component with several in-ports runs (Appmixer firePatterns).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/scope.h"
#include "flowkit/component.h"
#include "flowkit/manifest.h"

namespace flowkit::engine {

// One message waiting on an in-port.
struct PendingInput {
  std::string port;
  Message message;
  ScopeChain scope;
  std::string key;  // the delivery's runtime key, acknowledged when the batch it joins is done
};

// Whether `row` (one symbol per in-port) is satisfied by what waits: `waiting[i]` messages on
// port i, `arrived_from[i]` the distinct source components they came from and `connected[i]`
// the source components linked to port i.
bool PatternRowMatches(const std::vector<FireSymbol>& row, const std::vector<size_t>& waiting,
                       const std::vector<std::set<std::string>>& arrived_from,
                       const std::vector<std::set<std::string>>& connected);

// Messages of one component instance waiting for a pattern, per correlation id (one run's
// inputs never satisfy another run's pattern). Not thread-safe: owned by the instance's
// serialized calls.
class FireBuffer {
 public:
  // Adds `input`; when some row of `patterns` now matches, removes and returns every message
  // waiting for that correlation id (the batch delivered together), in port order.
  std::optional<std::vector<PendingInput>> Add(PendingInput input, const Manifest& manifest,
                                               const std::vector<std::set<std::string>>& connected);
  void Clear() { waiting_.clear(); }
  size_t size() const noexcept { return waiting_.size(); }

 private:
  std::map<std::string, std::vector<std::vector<PendingInput>>> waiting_;  // correlation → per port
};

}  // namespace flowkit::engine
