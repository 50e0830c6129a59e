// The component test harness: run one component in isolation, without an engine.
//
//   flowkit::ComponentRegistry registry;
//   ASSERT_TRUE(flowkit::RegisterBuiltinComponents(registry).ok());
//   auto h = flowkit::testing::ComponentHarness::Create(registry, "appmixer.utils.controls.Counter",
//                                                      {.properties = Json::MakeObject({{"count", 5}})});
//   ASSERT_TRUE((*h)->Start().ok());
//   ASSERT_TRUE((*h)->Receive("item", Json::MakeObject({{"x", 1}})).ok());
//   EXPECT_EQ((*h)->sent().at(0).port, "out");
//
// The harness is the component's Context: inputs go through the in-port schema (coercion and
// validation, as in the engine), sends are recorded instead of routed, state lives in memory,
// time comes from a ManualClock, and timers fire when the clock is advanced past them. A call
// that fails discards its sends, state changes and timers, as the engine's transactional hop
// does.
//
// Threading: single-threaded; use one harness per test.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/clock.h"
#include "flowkit/component.h"
#include "flowkit/http_client.h"
#include "flowkit/javascript.h"
#include "flowkit/json.h"
#include "flowkit/people_tasks.h"
#include "flowkit/registry.h"
#include "flowkit/status.h"
#include "flowkit/storage.h"

namespace flowkit::testing {

struct HarnessOptions {
  Json properties = Json::MakeObject();
  Json auth = Json::MakeObject();
  Json config = Json::MakeObject();
  Json state = Json::MakeObject();       // initial component state
  Json flow_state = Json::MakeObject();  // initial flow state
  // The flow around the component ({componentId: node}); default: a descriptor holding just this
  // component, with no links.
  Json flow_descriptor = Json::Undefined();
  std::string flow_id = "test-flow";
  std::string flow_name = "Test flow";
  std::string user_id = "test-user";
  std::string component_id = "test-component";
  int64_t start_time_ms = 1700000000000;  // 2023-11-14T22:13:20Z
  std::string webhook_base_url = "http://localhost:2200";
  JavaScriptLimits javascript = {};  // for Context::EvalJavaScript
  // What Context::RefreshAuth() does with the rejected auth(): the new secrets (which become
  // auth()) or an error. Null: kUnauthenticated.
  std::function<Result<Json>(const Json& rejected)> refresh_auth;
  // What Context::http() answers; null = DefaultHttpClient().
  std::shared_ptr<HttpClient> http_client;
  // What Context::people_tasks() answers; null = UnavailablePeopleTasks().
  std::shared_ptr<PeopleTaskService> people_tasks;
};

// An in-memory PeopleTaskService for tests (of components, and of flows on a real Engine).
// Tests decide tasks and let them fall due; each outcome goes once to the task's registered
// receiver through the delivery function (wire it to ComponentHarness::Webhook or to
// Engine::SubmitWebhook), with the task JSON as the request data.
//
// Threading: thread-safe; the delivery function runs on the thread calling Decide or MarkDue,
// with no lock held.
class MemoryPeopleTasks final : public PeopleTaskService {
 public:
  using Delivery = std::function<Status(const PeopleTaskOwner& receiver, const Json& task)>;
  // `clock` (null = SystemClock()) must outlive the service.
  explicit MemoryPeopleTasks(const Clock* clock = nullptr);
  ~MemoryPeopleTasks() override;

  void SetDelivery(Delivery delivery);

  Result<Json> Create(const PeopleTaskOwner& owner, const NewPeopleTask& task) override;
  Result<Json> Get(const PeopleTaskOwner& owner, std::string_view task_id) override;
  Status Unregister(const PeopleTaskOwner& owner, std::string_view task_id) override;

  // The approver's decision ("approved" | "rejected"); then the outcome is delivered if the task
  // has a receiver. kNotFound, kInvalidArgument, kFailedPrecondition (already decided).
  Status Decide(std::string_view task_id, std::string_view decision);
  // Every pending task whose decisionBy is at or before `now_ms` becomes "due" and its outcome
  // is delivered; returns their ids.
  std::vector<std::string> MarkDue(int64_t now_ms);
  // Every task (no secrets), in creation order.
  std::vector<Json> tasks() const;
  // Whether task `task_id` still has a receiver.
  bool registered(std::string_view task_id) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A run the component started in another flow (Context::TriggerComponent).
struct TriggeredRun {
  std::string flow_id;
  std::string component_id;
  Json data;
  std::string correlation_id;
};

// One message the component sent.
struct SentMessage {
  std::string port;
  Json content;
  Json scope = Json::Undefined();  // the explicit scope passed with SendOptions, else Undefined
};

struct WebhookResponse {
  Json body;
  int status = 200;
  Json headers;
};

struct ReceiveOptions {
  std::string correlation_id = "test-correlation";
  Json original_content = Json::Undefined();  // Undefined = same as content
  Json scope = Json::MakeObject();  // Appmixer-form scope of the run
  std::string source_component = "upstream";
  std::string source_port = "out";
};

class ComponentHarness {
 public:
  // kNotFound for an unknown type, kFailedPrecondition for a manifest-only type.
  static Result<std::unique_ptr<ComponentHarness>> Create(const ComponentRegistry& registry,
                                                          std::string_view type,
                                                          HarnessOptions options = {});
  ~ComponentHarness();

  // Lifecycle calls.
  Status Start();
  Status Stop();
  Status Tick();
  // Delivers one message on `port` (content goes through the in-port schema first).
  Status Receive(std::string_view port, Json content, const ReceiveOptions& options = {});
  // Delivers several ports at once, as a fire pattern would: port → messages.
  Status ReceiveMany(const std::map<std::string, std::vector<Json>>& inputs,
                     const ReceiveOptions& options = {});
  // Delivers an HTTP request {method, headers, query, data} to the webhook input; the
  // response, if the component answered, is in last_response().
  Status Webhook(Json request, const ReceiveOptions& options = {});
  Status Signal(Json content);
  // Delivers an error-feed record (what the engine sends ComponentOptions::error_feed types when
  // a component of the flow fails; EngineOptions::on_component_error describes it).
  Status ComponentError(Json record, const ReceiveOptions& options = {});

  // Moves the clock forward and delivers every timeout that falls due, in time order; returns
  // the first failure (later timeouts stay pending).
  Status AdvanceClock(int64_t ms);
  ManualClock& clock();
  // Timers not yet fired: id → due time (ms).
  std::map<std::string, int64_t> pending_timeouts() const;

  // What happened.
  const std::vector<SentMessage>& sent() const;
  std::vector<SentMessage> SentOn(std::string_view port) const;
  void ClearSent();
  const std::vector<Json>& signals_sent() const;
  // Runs started with TriggerComponent (the harness accepts any flow and component id).
  const std::vector<TriggeredRun>& triggered() const;
  const std::vector<Json>& logs() const;
  // Data stores the component watches (Context::WatchStore), as calls left them.
  const std::set<std::string>& watched_stores() const;
  const std::optional<WebhookResponse>& last_response() const;
  bool stop_flow_requested() const;

  // State, as committed by successful calls.
  Json& state();
  Json& flow_state();
  DataStore& stores();
  FileStore& files();

 private:
  struct Impl;
  explicit ComponentHarness(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowkit::testing
