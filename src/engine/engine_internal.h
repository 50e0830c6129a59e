// The engine's private data: flows at run time, component instances and deliveries.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/fire_pattern.h"
#include "engine/scope.h"
#include "flowkit/component.h"
#include "flowkit/engine.h"
#include "flowkit/flow.h"

namespace flowkit::engine {

struct FlowRuntime;

// Values are journaled: append only.
enum class TaskKind : uint8_t { kMessage, kTimeout, kWebhook, kSignal, kTick, kError };

// One delivery to one component instance: a message on an in-port (its link's transform runs
// when it is delivered), a timeout, a webhook request, a signal, a tick or an error-feed record.
struct Task {
  TaskKind kind = TaskKind::kMessage;
  std::shared_ptr<FlowRuntime> flow;
  uint64_t epoch = 0;         // the flow run this task belongs to; older runs' tasks are dropped
  size_t instance = 0;        // index of the target in FlowRuntime::instances
  size_t link = SIZE_MAX;     // kMessage: index into Flow::links()
  std::string port;           // kMessage: target in-port
  std::shared_ptr<const Json> payload;  // sender's output / timeout content / request / signal
  ScopeChain scope;
  std::string correlation_id;
  std::string message_id;
  std::string timeout_id;
  std::string key;  // its key in the runtime journal; empty when not journaled (engine/journal.h)
  int attempt = 1;
  int64_t created_ms = 0;
  // When it first found its quota exhausted (0: not waiting); not kept by the runtime, so a
  // restart starts the maxWait count again.
  int64_t quota_wait_since_ms = 0;
  // Messages gathered by a fire pattern, delivered together; when set, `payload` is unused.
  std::shared_ptr<const std::vector<PendingInput>> batch;

  std::unique_ptr<Task> Clone() const { return std::make_unique<Task>(*this); }
};
using TaskPtr = std::unique_ptr<Task>;

struct Instance {
  const FlowNode* node = nullptr;
  const ComponentType* type = nullptr;
  std::unique_ptr<Behaviour> behaviour;
  bool concurrent = false;
  Json config;  // Context::config()
  std::string webhook_url;
  bool quota_limited = false;  // its manifest's quota selects rules of a registered manager

  // Serialization of calls (non-concurrent instances): one task runs, the rest wait here.
  std::mutex mu;
  bool busy = false;
  std::deque<TaskPtr> mailbox;

  // Component state. Non-concurrent: touched only by the task that holds `busy`.
  // Concurrent: guarded by `mu`.
  Json state = Json::MakeObject();
  FireBuffer fire_buffer;  // touched only by the task that holds `busy`
};

struct PendingWebhook {
  std::function<void(WebhookResponse)> respond;
};

struct FlowRuntime {
  std::string id;
  std::string user_id;
  std::shared_ptr<const Flow> flow;
  std::vector<std::unique_ptr<Instance>> instances;  // by node index

  std::mutex control_mu;  // serializes Start/Stop
  std::atomic<bool> running{false};
  std::atomic<uint64_t> epoch{0};
  std::atomic<int64_t> executing{0};  // tasks of this flow inside a behaviour call

  std::mutex flow_state_mu;
  Json flow_state = Json::MakeObject();

  std::mutex timers_mu;
  std::set<std::string> cancelled_timers;

  std::mutex webhooks_mu;
  std::map<std::string, PendingWebhook, std::less<>> webhooks;  // by correlation id

  size_t IndexOf(const FlowNode* node) const { return static_cast<size_t>(node - flow->nodes().data()); }
};

}  // namespace flowkit::engine
