// appmixer.utils.tasks.RequestApproval: in the harness with an in-memory people-task service,
// then on an engine whose service delivers outcomes through Engine::SubmitWebhook.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "components/builtin_registry.h"
#include "flowkit/builtins.h"
#include "flowkit/engine.h"
#include "flowkit/flow.h"
#include "flowkit/modifier.h"
#include "flowkit/testing.h"

namespace flowkit {
namespace {

using testing::ComponentHarness;
using testing::HarnessOptions;
using testing::MemoryPeopleTasks;

constexpr std::string_view kType = "appmixer.utils.tasks.RequestApproval";

const ComponentRegistry& Registry() {
  static const ComponentRegistry* registry = [] {
    auto* r = new ComponentRegistry();
    Status s = components::RegisterTasksComponents(*r);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return r;
  }();
  return *registry;
}

Json TaskInput(std::string_view decision_by = "2030-01-02T03:04:05Z") {
  return Json::MakeObject({{"title", "Buy a laptop"},
                           {"description", "For the new hire"},
                           {"requester", "ann@example.com"},
                           {"approver", "boss@example.com"},
                           {"decisionBy", std::string(decision_by)}});
}

// A harness whose service hands every outcome to the harness's webhook input.
struct Approval {
  std::shared_ptr<MemoryPeopleTasks> service;
  std::unique_ptr<ComponentHarness> h;

  explicit Approval(bool connected = true) {
    HarnessOptions options;
    options.flow_id = "flow-1";
    options.component_id = "approval";
    options.user_id = "owner";
    if (connected) {
      service = std::make_shared<MemoryPeopleTasks>();
      options.people_tasks = service;
    }
    auto made = ComponentHarness::Create(Registry(), kType, std::move(options));
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    h = std::move(made).value();
    if (service) {
      ComponentHarness* harness = h.get();
      service->SetDelivery([harness](const PeopleTaskOwner& receiver, const Json& task) {
        EXPECT_EQ(receiver.flow_id, "flow-1");
        EXPECT_EQ(receiver.component_id, "approval");
        return harness->Webhook(Json::MakeObject({{"method", "POST"}, {"data", task}}));
      });
    }
  }

  std::string Create() {
    const size_t before = h->SentOn("created").size();
    Status s = h->Receive("task", TaskInput());
    EXPECT_TRUE(s.ok()) << s.ToString();
    auto created = h->SentOn("created");
    EXPECT_EQ(created.size(), before + 1);
    return created.size() == before + 1 ? created.back().content["id"].AsString() : std::string();
  }
};

TEST(TasksComponent, CreatesTheTaskAndEmitsItOnCreatedWithAnId) {
  Approval a;
  ASSERT_TRUE(a.h->Receive("task", TaskInput("2030-01-02T04:04:05+01:00")).ok());
  ASSERT_EQ(a.h->sent().size(), 1u);
  const Json& task = a.h->sent()[0].content;
  EXPECT_EQ(a.h->sent()[0].port, "created");
  std::string id = task["id"].AsString();
  ASSERT_FALSE(id.empty());
  EXPECT_FALSE(task.Contains("taskId")) << "renamed to id, as Appmixer's component does";
  EXPECT_EQ(task["title"].AsString(), "Buy a laptop");
  EXPECT_EQ(task["status"].AsString(), "pending");
  EXPECT_EQ(task["decisionBy"].AsString(), "2030-01-02T03:04:05.000Z") << "normalized to ISO UTC";
  EXPECT_FALSE(task["approverSecret"].AsString().empty());
  // The service holds it, registered to this component, and the component waits for it.
  ASSERT_EQ(a.service->tasks().size(), 1u);
  EXPECT_EQ(a.service->tasks()[0]["flowId"].AsString(), "flow-1");
  EXPECT_TRUE(a.service->registered(id));
  EXPECT_TRUE(a.h->state().Contains(id));
}

TEST(TasksComponent, EachOutcomeFiresThePortNamedByItsStatusOnce) {
  Approval a;
  std::string approved = a.Create();
  std::string rejected = a.Create();
  std::string due = a.Create();
  ASSERT_TRUE(a.service->Decide(approved, "approved").ok());
  ASSERT_TRUE(a.service->Decide(rejected, "rejected").ok());
  EXPECT_EQ(a.service->MarkDue(4102444800000), std::vector<std::string>{due});  // 2100-01-01
  auto on = [&](std::string_view port) { return a.h->SentOn(port); };
  ASSERT_EQ(on("approved").size(), 1u);
  EXPECT_EQ(on("approved")[0].content["id"].AsString(), approved);
  EXPECT_EQ(on("approved")[0].content["status"].AsString(), "approved");
  EXPECT_FALSE(on("approved")[0].content["decisionMade"].AsString().empty());
  ASSERT_EQ(on("rejected").size(), 1u);
  EXPECT_EQ(on("rejected")[0].content["id"].AsString(), rejected);
  ASSERT_EQ(on("due").size(), 1u);
  EXPECT_EQ(on("due")[0].content["id"].AsString(), due);
  ASSERT_TRUE(a.h->last_response().has_value());
  EXPECT_EQ(a.h->last_response()->body, Json::MakeObject({{"status", "success"}}));
  EXPECT_TRUE(a.h->state().empty()) << a.h->state().Dump();

  // A repeated delivery (at least once) reports nothing again.
  a.h->ClearSent();
  ASSERT_TRUE(a.h->Webhook(Json::MakeObject({{"data", Json::MakeObject({{"taskId", approved}, {"status", "approved"}})}}))
                  .ok());
  EXPECT_TRUE(a.h->sent().empty());
}

TEST(TasksComponent, AForgedWebhookCannotDecideTheTask) {
  Approval a;
  std::string id = a.Create();
  a.h->ClearSent();
  // Someone who knows the public webhook URL claims the pending task was approved.
  ASSERT_TRUE(a.h->Webhook(Json::MakeObject({{"method", "POST"},
                                             {"data", Json::MakeObject({{"taskId", id}, {"status", "approved"}})}}))
                  .ok());
  EXPECT_TRUE(a.h->sent().empty()) << "the task is read back from the service, which says pending";
  EXPECT_TRUE(a.h->state().Contains(id));
  ASSERT_TRUE(a.h->Webhook(Json::MakeObject({{"data", Json::MakeObject({{"taskId", "not-ours"}, {"status", "approved"}})}}))
                  .ok());
  EXPECT_TRUE(a.h->sent().empty());
  ASSERT_TRUE(a.service->Decide(id, "rejected").ok());
  EXPECT_EQ(a.h->SentOn("rejected").size(), 1u);
}

TEST(TasksComponent, AnInvalidDecisionByIsAFinalErrorAndCreatesNothing) {
  Approval a;
  Status s = a.h->Receive("task", TaskInput("next tuesday-ish"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'decisionBy'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("next tuesday-ish"), std::string::npos) << s.message();
  EXPECT_TRUE(a.h->sent().empty());
  EXPECT_TRUE(a.service->tasks().empty());
}

TEST(TasksComponent, StopUnregistersEveryTaskItWaitsFor) {
  Approval a;
  std::string first = a.Create();
  std::string second = a.Create();
  ASSERT_TRUE(a.service->Decide(first, "approved").ok());  // reported: no longer waited for
  ASSERT_TRUE(a.h->Stop().ok());
  EXPECT_FALSE(a.service->registered(second));
  a.h->ClearSent();
  ASSERT_TRUE(a.service->Decide(second, "approved").ok());
  EXPECT_TRUE(a.h->sent().empty());
}

TEST(TasksComponent, WithoutAServiceCreatingFailsNamingTheOption) {
  Approval a(/*connected=*/false);
  Status s = a.h->Receive("task", TaskInput());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("EngineOptions::people_tasks"), std::string::npos) << s.message();
}

// --- on the engine ----------------------------------------------------------------------------

struct Collected {
  std::mutex mu;
  std::vector<std::pair<std::string, Json>> items;  // (sink component, content)
};

class Kick final : public Behaviour {
 public:
  // Two tasks: one to decide, one still waited for when the flow stops.
  Status Start(Context& ctx) override {
    FLOWKIT_RETURN_IF_ERROR(ctx.Send("out", ctx.properties().Get("task")));
    return ctx.Send("out", ctx.properties().Get("task"));
  }
};

class Sink final : public Behaviour {
 public:
  explicit Sink(Collected* c) : c_(c) {}
  Status Receive(Context& ctx) override {
    std::lock_guard<std::mutex> lock(c_->mu);
    c_->items.emplace_back(ctx.component_id(), ctx.Input("in")->Content());
    return Status::OK();
  }

 private:
  Collected* c_;
};

TEST(TasksEngine, TheDecisionComesBackThroughTheEngineToTheApprovedPort) {
  auto modifiers = std::make_shared<ModifierRegistry>();
  ASSERT_TRUE(RegisterBuiltinModifiers(*modifiers).ok());
  auto registry = std::make_shared<ComponentRegistry>();
  ASSERT_TRUE(RegisterBuiltinComponents(*registry).ok());
  Collected collected;
  ASSERT_TRUE(registry->Register(*Manifest::Parse(R"({"name":"test.tasks.Kick","outPorts":["out"]})"),
                                 [] { return std::make_unique<Kick>(); }).ok());
  ASSERT_TRUE(registry->Register(*Manifest::Parse(R"({"name":"test.tasks.Sink","inPorts":["in"]})"),
                                 [&collected] { return std::make_unique<Sink>(&collected); }).ok());
  auto service = std::make_shared<MemoryPeopleTasks>();
  EngineOptions options;
  options.components = registry;
  options.modifiers = modifiers;
  options.workers = 2;
  options.retry.max_attempts = 1;
  options.people_tasks = service;
  auto engine = Engine::Open(std::move(options));
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  Engine* e = engine->get();
  service->SetDelivery([e](const PeopleTaskOwner& receiver, const Json& task) {
    WebhookRequest request;
    request.data = task;
    return e->SubmitWebhook(receiver.flow_id, receiver.component_id, std::move(request), nullptr, true);
  });
  Json kick_task = TaskInput();
  Result<Json> nodes = Json::Parse(R"({
    "kick": {"type":"test.tasks.Kick"},
    "approval": {"type":"appmixer.utils.tasks.RequestApproval","source":{"task":{"kick":["out"]}}},
    "created": {"type":"test.tasks.Sink","source":{"in":{"approval":["created"]}}},
    "approved": {"type":"test.tasks.Sink","source":{"in":{"approval":["approved"]}}},
    "rejected": {"type":"test.tasks.Sink","source":{"in":{"approval":["rejected"]}}}
  })");
  ASSERT_TRUE(nodes.ok());
  nodes->Set("kick", Json::MakeObject({{"type", "test.tasks.Kick"},
                                       {"config", Json::MakeObject({{"properties", Json::MakeObject({{"task", kick_task}})}})}}));
  Json document = Json::MakeObject({{"name", "approval"}, {"flow", *nodes}});
  auto flow = Flow::Parse(document.Dump(), *registry, *modifiers);
  ASSERT_TRUE(flow.ok()) << flow.status().ToString();
  ASSERT_TRUE(e->LoadFlow(*flow, "flow-1", "owner").ok());
  ASSERT_TRUE(e->StartFlow("flow-1").ok());
  ASSERT_TRUE(e->WaitIdle(20, 10000));
  std::string id, waiting;
  {
    std::lock_guard<std::mutex> lock(collected.mu);
    ASSERT_EQ(collected.items.size(), 2u);
    EXPECT_EQ(collected.items[0].first, "created");
    id = collected.items[0].second["id"].AsString();
    waiting = collected.items[1].second["id"].AsString();
  }
  EXPECT_TRUE(service->registered(waiting));
  ASSERT_TRUE(service->Decide(id, "approved").ok());
  ASSERT_TRUE(e->WaitIdle(20, 10000));
  {
    std::lock_guard<std::mutex> lock(collected.mu);
    ASSERT_EQ(collected.items.size(), 3u);
    EXPECT_EQ(collected.items[2].first, "approved");
    EXPECT_EQ(collected.items[2].second["id"].AsString(), id);
    EXPECT_EQ(collected.items[2].second["status"].AsString(), "approved");
  }
  // Stopping the flow unregisters what it still waits for.
  ASSERT_TRUE(e->StopFlow("flow-1").ok());
  EXPECT_FALSE(service->registered(waiting));
  ASSERT_TRUE(service->Decide(waiting, "rejected").ok());
  EXPECT_EQ(service->tasks().size(), 2u);
}

}  // namespace
}  // namespace flowkit
