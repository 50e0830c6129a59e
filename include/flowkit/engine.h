// Engine: runs started flows in the background.
//
//   auto engine = flowkit::Engine::Open({.components = registry, .modifiers = modifiers});
//   auto flow = flowkit::Flow::Parse(text, *registry, *modifiers);
//   auto id = (*engine)->LoadFlow(*flow);
//   (*engine)->StartFlow(*id);
//
// Messages move between components on a pool of worker threads: a component's output is fanned
// out to every link, each link's transform builds the next input, the in-port schema coerces and
// validates it, the fire pattern decides when the component runs. Failures are retried with
// exponential back-off and jitter; work that keeps failing (or fails with a final error) goes to
// the dead-letter store.
//
// Threading: every Engine method is thread-safe. Callbacks given in EngineOptions run on engine
// threads and must not call back into the engine synchronously except SubmitWebhook.
// Destroying the engine stops every flow and joins its threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/clock.h"
#include "flowkit/credentials.h"
#include "flowkit/flow.h"
#include "flowkit/http_client.h"
#include "flowkit/insights.h"
#include "flowkit/javascript.h"
#include "flowkit/json.h"
#include "flowkit/modifier.h"
#include "flowkit/people_tasks.h"
#include "flowkit/quota.h"
#include "flowkit/registry.h"
#include "flowkit/runtime.h"
#include "flowkit/status.h"
#include "flowkit/storage.h"

namespace flowkit {

struct RetryPolicy {
  int max_attempts = 30;            // Appmixer's default; 1 = never retry
  int64_t initial_delay_ms = 1000;  // delay before the first retry
  double multiplier = 2.0;
  int64_t max_delay_ms = 15 * 60 * 1000;
  double jitter = 0.2;  // each delay is scaled by a random factor in [1 - jitter, 1 + jitter]

  // The delay before attempt `attempt + 1` after `attempt` failed (attempt ≥ 1), without jitter.
  int64_t BaseDelay(int attempt) const;
};

// A message that kept failing, or failed with a final error.
struct DeadLetter {
  std::string id;
  std::string flow_id;
  std::string user_id;
  std::string component_id;
  std::string component_type;
  int attempts = 0;
  int64_t created_ms = 0;
  Status error;
  // Appmixer's unprocessed-message record: {messageId, flowId, componentId, created, err,
  // messages: {<inPort>: [{properties: {correlationId, sender, destination, ...}, content,
  // scope, originalContent}]}}.
  Json record;
};

enum class FlowStage : uint8_t { kStopped, kRunning };
std::string_view FlowStageName(FlowStage stage);  // "stopped" | "running"

// An HTTP request for a webhook component, and the answer a component gave.
struct WebhookRequest {
  std::string method = "POST";
  Json headers = Json::MakeObject();
  Json query = Json::MakeObject();
  Json data;  // the parsed body (or text)
  std::string hostname;
};

struct WebhookResponse {
  int status = 200;
  Json headers = Json::MakeObject();
  Json body;
};

struct EngineStats {
  uint64_t messages_sent = 0;      // outputs emitted by components
  uint64_t deliveries = 0;         // behaviour calls that completed (any kind)
  uint64_t errors = 0;             // behaviour calls that failed
  uint64_t retries = 0;
  uint64_t dead_letters = 0;
  uint64_t quota_waits = 0;        // calls put back to wait for their quota
  uint64_t in_flight = 0;          // queued or running deliveries
  uint64_t timers_pending = 0;
  size_t running_flows = 0;
};

struct EngineOptions {
  // Component types and modifiers; shared with the caller, never modified by the engine.
  std::shared_ptr<const ComponentRegistry> components;
  std::shared_ptr<const ModifierRegistry> modifiers;
  // Worker threads; 0 = the number of cores.
  size_t workers = 0;
  RetryPolicy retry;
  // Period of Tick calls for `tick: true` components (Appmixer: COMPONENT_POLLING_INTERVAL).
  int64_t tick_interval_ms = 60000;
  // Base of webhook URLs: <base>/flows/<flowId>/components/<componentId>.
  std::string webhook_base_url = "http://localhost:2200";
  // Default: SystemClock(). Timers and back-off follow this clock.
  const Clock* clock = nullptr;
  // The durable record of queued work, component/flow state, loaded flows and dead letters
  // (runtime.h). Null (the default) keeps everything in memory only. With a runtime, each hop
  // is committed as one HopCommit before its outputs move on, and Open restores what the
  // runtime holds: loaded flows (running ones resume without their Start being called again),
  // their state, queued work, timers and dead letters.
  std::shared_ptr<Runtime> runtime;
  // Data stores and files; default: an engine-owned memory store.
  std::shared_ptr<DocumentStore> documents;
  // The HTTP client components call other services with (Context::http()); shared with the
  // caller. Default: a client the engine makes from `http` and owns.
  std::shared_ptr<HttpClient> http_client;
  HttpClientOptions http;
  // Insights; default: none kept. Payloads larger than the limit are replaced by a preview.
  std::shared_ptr<InsightsSink> insights;
  InsightsLevel insights_level = InsightsLevel::kAll;
  size_t insights_max_payload_bytes = 16 * 1024;
  // Service/module configuration handed to components as Context::config(), by component type
  // prefix (e.g. "appmixer.utils.test" → {"syncTimeout": 5000}); the longest prefix wins.
  Json component_config = Json::MakeObject();
  // How long a webhook request waits for a Respond before answering 504.
  int64_t webhook_timeout_ms = 10000;
  // Time and memory limits of each JavaScript evaluation (g_javascript, Context::EvalJavaScript).
  JavaScriptLimits javascript = {};
  // System hooks (Appmixer's WEBHOOK_FLOW_COMPONENT_ERROR and the dead-letter webhook). They run
  // on engine threads: hand the event off, do not block. on_component_error runs for every failed
  // attempt of a call with {err: {message, code, attempt, final}, type: "component", severity,
  // gridTimestamp, flowId, flowName, userId, componentId, componentType, correlationId,
  // messageId, msg?, inputMessages: {port: [content]}} — also what error-feed components
  // (ComponentOptions::error_feed) of the flow receive, durably, as a kError call. `final`: no
  // retry follows (dead-lettered, not retryable, or a tick/signal).
  std::function<void(const Json& event)> on_component_error;
  std::function<void(const DeadLetter& letter)> on_dead_letter;
  // Account secrets for components whose manifest names auth.service (Context::auth()). Null:
  // such components see {} (credentials.h).
  std::shared_ptr<CredentialsProvider> credentials;
  // People tasks for components (Context::people_tasks(); people_tasks.h). Null: components
  // that create tasks fail with kFailedPrecondition.
  std::shared_ptr<PeopleTaskService> people_tasks;
  // Quota managers for manifests' `quota` blocks (quota.h). Null: the built-in appmixer.utils
  // rules (RegisterBuiltinQuotas); components naming a manager without rules are not limited.
  std::shared_ptr<const QuotaRegistry> quotas;
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> Open(EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Adds a validated flow in the stopped stage. `flow_id` empty = the flow's own id, else a new
  // UUID; `user_id` empty = the flow's userId. Returns the flow id. kAlreadyExists when loaded.
  Result<std::string> LoadFlow(std::shared_ptr<const Flow> flow, std::string_view flow_id = {},
                               std::string_view user_id = {});
  // Stops (if running) and forgets a flow.
  Status UnloadFlow(std::string_view flow_id);
  // Calls every component's Start; when one fails, the ones started are stopped again and the
  // flow stays stopped (the error is returned).
  Status StartFlow(std::string_view flow_id);
  // Drops the flow's queued work and timers, waits for running calls, calls every component's
  // Stop (failures are logged) and clears non-persistent component state.
  Status StopFlow(std::string_view flow_id);
  Result<FlowStage> Stage(std::string_view flow_id) const;
  std::vector<std::string> FlowIds() const;

  // Feeds an HTTP request to a webhook component of a running flow. `on_response` is called
  // exactly once: with the component's Respond, 202 right away when `enqueue_only`, or 504 after
  // webhook_timeout_ms. kNotFound when the flow is not loaded or not running or the component
  // does not exist; then `on_response` is not called.
  Status SubmitWebhook(std::string_view flow_id, std::string_view component_id, WebhookRequest request,
                       std::function<void(WebhookResponse)> on_response, bool enqueue_only = false);

  // Dead letters.
  std::vector<DeadLetter> DeadLetters(std::string_view flow_id = {}) const;
  // Puts the message back into its flow (attempts start again); the flow must be running.
  Status RetryDeadLetter(std::string_view id);
  Status DeleteDeadLetter(std::string_view id);

  // Blocks until nothing is queued or running and no timer falls due within `quiet_ms`, or until
  // `timeout_ms` passes; returns whether the engine became idle.
  bool WaitIdle(int64_t quiet_ms, int64_t timeout_ms);

  EngineStats Stats() const;
  DocumentStore& documents();

  struct Impl;  // implementation detail (src/engine/engine.cc)

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowkit
