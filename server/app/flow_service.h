// Flow lifecycle between the catalog (what users stored) and the engine (what runs).
//
// The catalog's FlowRecord is the source of truth for a flow's document and stage; the engine
// holds a parsed copy of each running flow (kept in its runtime across restarts). Starting a
// flow parses the stored document, loads it (replacing an older copy) and starts it, then
// records the stage; stopping does the reverse. Reconcile() brings the two in step at start-up.
//
// Threading: thread-safe; calls for one flow are serialized.
#pragma once

#include <memory>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "app/services.h"
#include "flowkit/catalog.h"
#include "flowkit/diagnostics.h"
#include "flowkit/flow.h"

namespace flowkit::server {

class FlowService {
 public:
  explicit FlowService(Services& services) : services_(services) {}

  // Parses and validates a stored flow as the engine would run it. Problems go to
  // `diagnostics` with pointers relative to the flow document ("/flow/<id>/type").
  Result<std::shared_ptr<const Flow>> Parse(const FlowRecord& record, Diagnostics* diagnostics) const;
  // Validates a descriptor ({componentId: node}) sent by a client, before it is stored:
  // kInvalidArgument naming the first problem ("/flow/a/type: unknown component type 'x'").
  Status CheckDescriptor(const Json& descriptor) const;

  Status Start(std::string_view flow_id);
  Status Stop(std::string_view flow_id);
  // Stops the flow when running, then removes it from the catalog.
  Status Delete(std::string_view flow_id);
  // Makes the engine run exactly the flows the catalog marks running. Failures are logged, and
  // a flow that cannot start is marked stopped.
  void Reconcile();

 private:
  Status StartLocked(const FlowRecord& record);
  // Stops the flow; `unload` also forgets it in the engine (with its dead letters).
  Status StopLocked(std::string_view flow_id, bool unload);

  Services& services_;
  std::mutex mu_;  // one lifecycle change at a time: start/stop are rare and must not interleave
  // The catalog mtime of the document each flow was loaded from. A stopped flow stays loaded so
  // its dead letters can still be listed and retried after a restart of the flow; it is
  // reloaded only when the stored document changed since.
  std::map<std::string, int64_t, std::less<>> loaded_mtime_;
};

// The document Flow::FromJson reads, built from a catalog record.
Json FlowDocument(const FlowRecord& record);

}  // namespace flowkit::server
