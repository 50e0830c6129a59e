#include "engine/journal.h"

#include <string>

namespace flowkit::engine {
namespace {

constexpr char kSep = '\x1f';

Json EncodeMessage(const Message& m) {
  Json out = Json::MakeObject({{"id", m.id}, {"cid", m.correlation_id}});
  if (!m.source_component.empty()) out.Set("src", m.source_component);
  if (!m.source_port.empty()) out.Set("srcp", m.source_port);
  if (m.content) out.Set("c", *m.content);
  if (m.original_content) out.Set("o", *m.original_content);
  if (!m.timeout_id.empty()) out.Set("tid", m.timeout_id);
  return out;
}

std::shared_ptr<const Json> SharedOrNull(const Json& body, std::string_view key) {
  const Json* v = body.Find(key);
  return v != nullptr ? std::make_shared<const Json>(*v) : nullptr;
}

Message DecodeMessage(const Json& j) {
  Message m;
  m.id = j["id"].AsString();
  m.correlation_id = j["cid"].AsString();
  m.source_component = j["src"].AsString();
  m.source_port = j["srcp"].AsString();
  m.content = SharedOrNull(j, "c");
  m.original_content = SharedOrNull(j, "o");
  m.timeout_id = j["tid"].AsString();
  return m;
}

}  // namespace

std::string TimerKey(std::string_view timeout_id) { return "t" + std::string(timeout_id); }

std::string ComponentStateKey(std::string_view flow_id, std::string_view component_id) {
  return ComponentStatePrefix(flow_id) + std::string(component_id);
}

std::string ComponentStatePrefix(std::string_view flow_id) { return "s:" + std::string(flow_id) + kSep; }
std::string FlowStateKey(std::string_view flow_id) { return "f:" + std::string(flow_id); }
std::string FlowRecordKey(std::string_view flow_id) { return std::string(kFlowRecordPrefix) + std::string(flow_id); }
std::string DeadLetterKey(std::string_view id) { return std::string(kDeadLetterPrefix) + std::string(id); }

std::string StoreWatchPrefix(std::string_view flow_id) {
  return std::string(kStoreWatchPrefix) + std::string(flow_id) + kSep;
}

std::string StoreWatchKey(std::string_view flow_id, std::string_view component_id, std::string_view store_id) {
  return StoreWatchPrefix(flow_id) + std::string(component_id) + kSep + std::string(store_id);
}

Json EncodeTask(const Task& task) {
  const FlowRuntime& flow = *task.flow;
  Json out = Json::MakeObject({{"k", static_cast<int64_t>(task.kind)},
                               {"c", flow.instances[task.instance]->node->id},
                               {"cid", task.correlation_id},
                               {"mid", task.message_id},
                               {"a", task.attempt},
                               {"t", task.created_ms}});
  if (task.kind == TaskKind::kMessage) {
    out.Set("l", static_cast<int64_t>(task.link));
    out.Set("p", task.port);
  }
  if (!task.timeout_id.empty()) out.Set("tid", task.timeout_id);
  if (task.payload) out.Set("pl", *task.payload);
  if (!task.scope.empty()) out.Set("sc", task.scope.ToHops());
  if (task.batch) {
    Json batch = Json::MakeArray();
    for (const PendingInput& in : *task.batch) {
      batch.Push(Json::MakeObject({{"p", in.port}, {"m", EncodeMessage(in.message)}, {"sc", in.scope.ToHops()}}));
    }
    out.Set("b", std::move(batch));
  }
  return out;
}

// EncodeTask(task).Dump(), written straight into text: the payload and every scope hop are
// serialized where they are instead of being copied into a tree first (the durable hot path).
std::string EncodeTaskText(const Task& task) {
  if (task.batch) return EncodeTask(task).Dump();  // rare: fire-pattern retries
  std::string out;
  out.reserve(256);
  auto key = [&](std::string_view k) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('"');
    out.append(k);
    out.append("\":");
  };
  auto str = [&](const std::string& v) { Json(v).DumpTo(&out); };
  out.push_back('{');
  key("k");
  out.append(std::to_string(static_cast<int>(task.kind)));
  key("c");
  str(task.flow->instances[task.instance]->node->id);
  key("cid");
  str(task.correlation_id);
  key("mid");
  str(task.message_id);
  key("a");
  out.append(std::to_string(task.attempt));
  key("t");
  out.append(std::to_string(task.created_ms));
  if (task.kind == TaskKind::kMessage) {
    key("l");
    out.append(std::to_string(task.link));
    key("p");
    str(task.port);
  }
  if (!task.timeout_id.empty()) {
    key("tid");
    str(task.timeout_id);
  }
  if (task.payload && !task.payload->IsUndefined()) {
    key("pl");
    task.payload->DumpTo(&out);
  }
  if (!task.scope.empty()) {
    key("sc");
    task.scope.AppendHopsText(&out);
  }
  out.push_back('}');
  return out;
}

Result<TaskPtr> DecodeTask(const Json& body, const std::shared_ptr<FlowRuntime>& flow) {
  if (!body.IsObject() || !body["k"].IsInteger() || !body["c"].IsString()) {
    return Status::Corruption("queued work of flow '" + flow->id + "' is not a delivery");
  }
  const int64_t kind = body["k"].AsInt();
  if (kind < 0 || kind > static_cast<int64_t>(TaskKind::kError)) {
    return Status::Corruption("queued work of flow '" + flow->id + "' has an unknown kind");
  }
  const FlowNode* node = flow->flow->FindNode(body["c"].StringView());
  if (node == nullptr) {
    return Status::NotFound("queued work names component '" + body["c"].AsString() + "', not in flow '" +
                            flow->id + "'");
  }
  auto task = std::make_unique<Task>();
  task->kind = static_cast<TaskKind>(kind);
  task->flow = flow;
  task->instance = flow->IndexOf(node);
  task->correlation_id = body["cid"].AsString();
  task->message_id = body["mid"].AsString();
  task->attempt = static_cast<int>(body["a"].AsInt(1));
  task->created_ms = body["t"].AsInt();
  task->timeout_id = body["tid"].AsString();
  task->payload = SharedOrNull(body, "pl");
  task->scope = ScopeChain::FromHops(body["sc"]);
  if (task->kind == TaskKind::kMessage) {
    const int64_t link = body["l"].AsInt(-1);
    if (link < 0 || static_cast<size_t>(link) >= flow->flow->links().size()) {
      return Status::NotFound("queued message names a link that flow '" + flow->id + "' does not have");
    }
    task->link = static_cast<size_t>(link);
    task->port = body["p"].AsString();
  }
  if (const Json* batch = body.Find("b"); batch != nullptr && batch->IsArray()) {
    auto inputs = std::make_shared<std::vector<PendingInput>>();
    for (const Json& in : batch->array()) {
      PendingInput p;
      p.port = in["p"].AsString();
      p.message = DecodeMessage(in["m"]);
      p.scope = ScopeChain::FromHops(in["sc"]);
      inputs->push_back(std::move(p));
    }
    task->batch = std::move(inputs);
  }
  return task;
}

}  // namespace flowkit::engine
