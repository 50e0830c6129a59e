#include "app/flow_service.h"

#include <set>
#include <vector>

namespace flowkit::server {

Json FlowDocument(const FlowRecord& record) {
  Json doc = Json::MakeObject();
  doc.Set("flowId", Json(record.flow_id));
  doc.Set("name", Json(record.name));
  doc.Set("userId", Json(record.user_id));
  doc.Set("customFields", record.custom_fields);
  doc.Set("flow", record.descriptor);
  return doc;
}

Result<std::shared_ptr<const Flow>> FlowService::Parse(const FlowRecord& record, Diagnostics* diagnostics) const {
  return Flow::FromJson(FlowDocument(record), *services_.components, *services_.modifiers, diagnostics);
}

Status FlowService::CheckDescriptor(const Json& descriptor) const {
  if (!descriptor.IsObject()) return Status::InvalidArgument("/flow: the flow must be an object of components");
  FlowRecord record;
  record.descriptor = descriptor;
  Diagnostics diagnostics;
  Result<std::shared_ptr<const Flow>> parsed = Parse(record, &diagnostics);
  if (parsed.ok()) return Status::OK();
  if (diagnostics.has_errors()) return diagnostics.ToStatus();
  return parsed.status();
}

Status FlowService::Start(std::string_view flow_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Result<FlowRecord> record = services_.catalog->flows().Get(flow_id);
  if (!record.ok()) return record.status();
  return StartLocked(*record);
}

Status FlowService::StartLocked(const FlowRecord& record) {
  Engine& engine = *services_.engine;
  Result<FlowStage> stage = engine.Stage(record.flow_id);
  if (stage.ok() && *stage == FlowStage::kRunning) {
    return services_.catalog->flows().SetStage(record.flow_id, "running");
  }
  Diagnostics diagnostics;
  Result<std::shared_ptr<const Flow>> flow = Parse(record, &diagnostics);
  if (!flow.ok()) return diagnostics.has_errors() ? diagnostics.ToStatus() : flow.status();
  auto known = loaded_mtime_.find(record.flow_id);
  bool current = stage.ok() && known != loaded_mtime_.end() && known->second == record.mtime_ms;
  if (stage.ok() && !current) {
    // A stopped copy of an older version of the document: load the stored one.
    if (Status s = engine.UnloadFlow(record.flow_id); !s.ok()) return s;
  }
  if (!current) {
    Result<std::string> loaded = engine.LoadFlow(*flow, record.flow_id, record.user_id);
    if (!loaded.ok()) return loaded.status();
    loaded_mtime_[record.flow_id] = record.mtime_ms;
  }
  if (Status s = engine.StartFlow(record.flow_id); !s.ok()) return s;
  if (Status s = services_.catalog->flows().SetStage(record.flow_id, "running"); !s.ok()) {
    (void)engine.StopFlow(record.flow_id);
    return s;
  }
  services_.log->Info("flow started", Json::MakeObject({{"flowId", Json(record.flow_id)}, {"userId", Json(record.user_id)}}));
  return Status::OK();
}

Status FlowService::Stop(std::string_view flow_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return StopLocked(flow_id, false);
}

Status FlowService::StopLocked(std::string_view flow_id, bool unload) {
  Engine& engine = *services_.engine;
  Result<FlowStage> stage = engine.Stage(flow_id);
  if (stage.ok()) {
    if (*stage == FlowStage::kRunning) {
      if (Status s = engine.StopFlow(flow_id); !s.ok()) return s;
    }
    if (unload) {
      if (Status s = engine.UnloadFlow(flow_id); !s.ok()) return s;
      if (auto it = loaded_mtime_.find(flow_id); it != loaded_mtime_.end()) loaded_mtime_.erase(it);
    }
  }
  Status s = services_.catalog->flows().SetStage(flow_id, "stopped");
  if (s.ok()) services_.log->Info("flow stopped", Json::MakeObject({{"flowId", Json(std::string(flow_id))}}));
  return s;
}

Status FlowService::Delete(std::string_view flow_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = StopLocked(flow_id, true); !s.ok() && s.code() != StatusCode::kNotFound) return s;
  return services_.catalog->flows().Delete(flow_id);
}

void FlowService::Reconcile() {
  std::lock_guard<std::mutex> lock(mu_);
  Engine& engine = *services_.engine;
  FlowCatalog& catalog = services_.catalog->flows();
  std::set<std::string> loaded;
  for (const std::string& id : engine.FlowIds()) {
    Result<FlowRecord> record = catalog.Get(id);
    if (!record.ok() || record->stage != "running") {
      // Deleted or stopped while the server was down (or stopped before a crash finished it).
      if (!record.ok()) {
        if (Result<FlowStage> st = engine.Stage(id); st.ok() && *st == FlowStage::kRunning) (void)engine.StopFlow(id);
        (void)engine.UnloadFlow(id);
      } else {
        (void)StopLocked(id, false);
        loaded_mtime_[id] = record->mtime_ms;
      }
      continue;
    }
    loaded.insert(id);
    loaded_mtime_[id] = record->mtime_ms;
  }
  FlowQuery query;
  query.all_users = true;
  query.filter = Json::MakeObject({{"stage", Json("running")}});
  Result<std::vector<FlowRecord>> running = catalog.List(query);
  if (!running.ok()) {
    services_.log->Error("cannot list running flows", Json::MakeObject({{"error", Json(running.status().ToString())}}));
    return;
  }
  for (const FlowRecord& record : *running) {
    if (loaded.count(record.flow_id) != 0) {
      if (Result<FlowStage> stage = engine.Stage(record.flow_id); stage.ok() && *stage == FlowStage::kRunning) continue;
    }
    if (Status s = StartLocked(record); !s.ok()) {
      services_.log->Error("flow cannot start; marked stopped",
                           Json::MakeObject({{"flowId", Json(record.flow_id)}, {"error", Json(s.ToString())}}));
      (void)catalog.SetStage(record.flow_id, "stopped");
    }
  }
}

}  // namespace flowkit::server
