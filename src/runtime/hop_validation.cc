#include "runtime/hop_validation.h"

#include <fmt/format.h>

namespace flowkit::runtime {
namespace {

Status CheckKey(std::string_view what, const std::string& key, size_t max_key_bytes) {
  if (key.empty()) return Status::InvalidArgument(fmt::format("runtime commit: empty {}", what));
  if (key.size() > max_key_bytes) {
    return Status::InvalidArgument(fmt::format(
        "runtime commit: {} of {} bytes is longer than this runtime's limit of {} bytes", what,
        key.size(), max_key_bytes));
  }
  return Status::OK();
}

}  // namespace

Status ValidateHop(const HopCommit& hop, size_t max_key_bytes) {
  for (const std::string& id : hop.acked)
    FLOWKIT_RETURN_IF_ERROR(CheckKey("acknowledged work id", id, max_key_bytes));
  for (const QueuedWork& work : hop.enqueued) {
    FLOWKIT_RETURN_IF_ERROR(CheckKey("queued work id", work.id, max_key_bytes));
    // The flow id is a key of LMDB's per-flow index; empty means "no flow" and is not indexed.
    if (work.flow_id.size() > max_key_bytes)
      FLOWKIT_RETURN_IF_ERROR(CheckKey("flow id", work.flow_id, max_key_bytes));
  }
  for (const StateWrite& write : hop.state)
    FLOWKIT_RETURN_IF_ERROR(CheckKey("state key", write.key, max_key_bytes));
  return Status::OK();
}

}  // namespace flowkit::runtime
