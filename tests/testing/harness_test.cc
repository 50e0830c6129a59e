#include "flowkit/testing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "flowkit/component.h"
#include "flowkit/registry.h"

namespace flowkit::testing {
namespace {

using ::testing::HasSubstr;

// Counts messages on `in` with state().Inc and sends the count.
class CounterBehaviour : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(Json count, ctx.state().Inc("count", 1));
    return ctx.Send("out", Json::MakeObject({{"count", count},
                                              {"x", ctx.Input("in")->Content()["x"]},
                                              {"correlation", ctx.correlation_id()}}));
  }
};

// Sends, bumps state and sets a timer, then fails: none of it may stick.
class SendThenFailBehaviour : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_RETURN_IF_ERROR(ctx.Send("out", Json::MakeObject({{"partial", true}})));
    FLOWKIT_RETURN_IF_ERROR(ctx.state().Set("touched", true));
    // Reads inside the call see its own writes.
    FLOWKIT_ASSIGN_OR_RETURN(Json touched, ctx.state().Get("touched"));
    if (!touched.AsBool()) return Status::Internal("own write not visible");
    FLOWKIT_RETURN_IF_ERROR(ctx.flow_state().Set("flowTouched", true));
    FLOWKIT_ASSIGN_OR_RETURN(std::string id, ctx.SetTimeout(Json::MakeObject(), 1000));
    (void)id;
    if (ctx.Input("in")->Content()["throw"].AsBool()) throw std::runtime_error("boom");
    return Status::Unavailable("downstream is down");
  }
};

// Start arms a timer; the timeout sends what it carried and the restored correlation id.
class TimeoutBehaviour : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    if (ctx.kind() == InvocationKind::kTimeout) {
      const Message* timeout = ctx.Input(kTimeoutPort);
      if (timeout == nullptr) return Status::Internal("no timeout input");
      return ctx.Send("out", Json::MakeObject({{"content", timeout->Content()},
                                                {"timeoutId", timeout->timeout_id},
                                                {"correlation", ctx.correlation_id()},
                                                {"scope", ctx.ScopeJson()},
                                                {"now", ctx.clock().NowMillis()}}));
    }
    const Json& in = ctx.Input("in")->Content();
    FLOWKIT_ASSIGN_OR_RETURN(std::string id, ctx.SetTimeout(in["payload"], in["delay"].AsInt()));
    if (in["cancel"].AsBool()) FLOWKIT_RETURN_IF_ERROR(ctx.ClearTimeout(id));
    if (in["cancelPrevious"].IsString()) {
      FLOWKIT_RETURN_IF_ERROR(ctx.ClearTimeout(in["cancelPrevious"].StringView()));
    }
    return ctx.state().Set("lastTimer", id);
  }
};

// Answers its webhook with the request's data and reports the URLs it was given.
class WebhookBehaviour : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    const Message* request = ctx.Input(kWebhookPort);
    if (request == nullptr || ctx.kind() != InvocationKind::kWebhook) {
      return Status::Internal("not a webhook call");
    }
    FLOWKIT_RETURN_IF_ERROR(ctx.Send("out", Json::MakeObject({{"url", ctx.WebhookUrl()},
                                                               {"queued", ctx.WebhookUrl(true)}})));
    return ctx.Respond(Json::MakeObject({{"echo", request->Content()["data"]}}), 201,
                       Json::MakeObject({{"X-Test", "1"}}));
  }
  Status Signal(Context& ctx) override {
    return ctx.state().Set("signal", ctx.Input(kSignalPort)->Content());
  }
};

// Uses flow state, locks, stores, files, logs and StopFlow.
class ServicesBehaviour : public Behaviour {
 public:
  Status Start(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(bool added, ctx.flow_state().AddToSet(
                                             "receivers", Json::MakeObject({{"id", ctx.component_id()}})));
    return ctx.state().Set("added", added);
  }
  Status Receive(Context& ctx) override {
    const Json& in = ctx.Input("in")->Content();
    const std::string op = in["op"].AsString();
    if (op == "lock") {
      LockOptions options;
      options.ttl_ms = in["ttl"].AsInt(20000);
      options.max_retries = static_cast<int>(in["retries"].AsInt(0));
      options.retry_delay_ms = 100;
      FLOWKIT_ASSIGN_OR_RETURN(held_, ctx.Lock("shared", options));
      return Status::OK();
    }
    if (op == "unlock") {
      if (held_) held_->Unlock();
      held_.reset();
      return Status::OK();
    }
    if (op == "scoped-lock") {
      FLOWKIT_ASSIGN_OR_RETURN(auto lock, ctx.Lock("scoped", {.max_retries = 0}));
      auto again = ctx.Lock("scoped", {.max_retries = 0});
      if (again.ok() || again.status().code() != StatusCode::kUnavailable) {
        return Status::Internal("nested lock not refused");
      }
      return Status::OK();
    }
    if (op == "store") {
      FLOWKIT_ASSIGN_OR_RETURN(auto set, ctx.stores().Set("s1", "k", in["value"]));
      FLOWKIT_ASSIGN_OR_RETURN(auto file, ctx.files().Save("a.txt", "hello", "text/plain"));
      ctx.Log(Json::MakeObject({{"fileId", file.file_id}}));
      return ctx.Send("out", set.record.ToJson());
    }
    if (op == "stop") return ctx.StopFlow();
    if (op == "signal") return ctx.SendSignal(Json::MakeObject({{"hello", 1}}));
    return Status::InvalidArgument("unknown op " + op);
  }

 private:
  std::unique_ptr<LockHandle> held_;
};

constexpr const char* kManifestTemplate = R"({
  "name": "acme.test.harness.%s",
  "inPorts": [{"name": "in", "schema": {"type": "object", "properties": {"x": {"type": "integer"}}}}],
  "outPorts": ["out"]
})";

std::string ManifestText(const std::string& name) {
  std::string text = kManifestTemplate;
  text.replace(text.find("%s"), 2, name);
  return text;
}

template <typename B>
void RegisterType(ComponentRegistry& registry, const std::string& name, std::string manifest = {}) {
  if (manifest.empty()) manifest = ManifestText(name);
  auto parsed = Manifest::Parse(manifest);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_TRUE(registry.Register(std::move(*parsed), [] { return std::make_unique<B>(); }).ok());
}

class ComponentHarnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterType<CounterBehaviour>(registry_, "Counter");
    RegisterType<SendThenFailBehaviour>(registry_, "Fails");
    RegisterType<TimeoutBehaviour>(registry_, "Timeout");
    RegisterType<WebhookBehaviour>(registry_, "Webhook", R"({
      "name": "acme.test.harness.Webhook", "webhook": true, "outPorts": ["out"]})");
    RegisterType<ServicesBehaviour>(registry_, "Services");
    ASSERT_TRUE(registry_.Register(*Manifest::Parse(ManifestText("ManifestOnly"))).ok());
  }

  std::unique_ptr<ComponentHarness> Make(const std::string& name, HarnessOptions options = {}) {
    auto h = ComponentHarness::Create(registry_, "acme.test.harness." + name, std::move(options));
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? std::move(*h) : nullptr;
  }

  ComponentRegistry registry_;
};

TEST_F(ComponentHarnessTest, CreateRejectsUnknownAndManifestOnlyTypes) {
  EXPECT_EQ(ComponentHarness::Create(registry_, "acme.test.harness.Nope").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(ComponentHarness::Create(registry_, "acme.test.harness.ManifestOnly").status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(ComponentHarnessTest, CounterCommitsStateAndSends) {
  HarnessOptions options;
  options.state = Json::MakeObject({{"count", 10}});
  auto h = Make("Counter", options);
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"x", 1}})).ok());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"x", 2}}), {.correlation_id = "run-2"}).ok());
  ASSERT_EQ(h->sent().size(), 2u);
  EXPECT_EQ(h->sent()[0].port, "out");
  EXPECT_EQ(h->sent()[0].content["count"], Json(11));
  EXPECT_EQ(h->sent()[1].content["count"], Json(12));
  EXPECT_EQ(h->sent()[1].content["correlation"], Json("run-2"));
  EXPECT_TRUE(h->sent()[0].scope.IsUndefined());
  EXPECT_EQ(h->state()["count"], Json(12));
  EXPECT_EQ(h->SentOn("out").size(), 2u);
  EXPECT_TRUE(h->SentOn("other").empty());
  h->ClearSent();
  EXPECT_TRUE(h->sent().empty());
}

TEST_F(ComponentHarnessTest, InputsGoThroughThePortSchema) {
  auto h = Make("Counter");
  // Numeric text is coerced to the schema's integer, as the engine does.
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"x", "7"}})).ok());
  EXPECT_EQ(h->sent().at(0).content["x"], Json(7));
  Status bad = h->Receive("in", Json::MakeObject({{"x", "seven"}}));
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.message(), HasSubstr("/x"));
  EXPECT_EQ(h->sent().size(), 1u);  // the behaviour never ran
  EXPECT_EQ(h->Receive("nope", Json::MakeObject()).code(), StatusCode::kInvalidArgument);
}

TEST_F(ComponentHarnessTest, FailedCallDiscardsSendsStateAndTimers) {
  HarnessOptions options;
  options.state = Json::MakeObject({{"kept", 1}});
  auto h = Make("Fails", options);
  Status status = h->Receive("in", Json::MakeObject());
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(h->sent().empty());
  EXPECT_EQ(h->state(), Json::MakeObject({{"kept", 1}}));
  EXPECT_TRUE(h->pending_timeouts().empty());
  // Flow state is not transactional.
  EXPECT_EQ(h->flow_state()["flowTouched"], Json(true));
}

TEST_F(ComponentHarnessTest, ThrownExceptionBecomesInternalAndRollsBack) {
  auto h = Make("Fails");
  Status status = h->Receive("in", Json::MakeObject({{"throw", true}}));
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr("boom"));
  EXPECT_TRUE(h->sent().empty());
  EXPECT_TRUE(h->pending_timeouts().empty());
}

TEST_F(ComponentHarnessTest, SendToUnknownOutPortIsInvalidArgument) {
  class BadPort : public Behaviour {
   public:
    Status Receive(Context& ctx) override { return ctx.Send("nowhere", Json(1)); }
  };
  RegisterType<BadPort>(registry_, "BadPort");
  auto h = Make("BadPort");
  Status status = h->Receive("in", Json::MakeObject());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("nowhere"));
}

TEST_F(ComponentHarnessTest, TimeoutsFireInDueOrderWithTheirCorrelationAndScope) {
  auto h = Make("Timeout");
  const Json scope = Json::MakeObject({{"up", Json::MakeObject({{"out", Json::MakeObject({{"v", 1}})}})}});
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"payload", "late"}, {"delay", 5000}}),
                         {.correlation_id = "run-late"})
                  .ok());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"payload", "early"}, {"delay", 1000}}),
                         {.correlation_id = "run-early", .scope = scope})
                  .ok());
  ASSERT_EQ(h->pending_timeouts().size(), 2u);
  const std::string early_id = h->state()["lastTimer"].AsString();
  EXPECT_EQ(h->pending_timeouts().at(early_id), 1700000000000 + 1000);

  ASSERT_TRUE(h->AdvanceClock(999).ok());
  EXPECT_TRUE(h->sent().empty());
  ASSERT_TRUE(h->AdvanceClock(10000).ok());
  ASSERT_EQ(h->sent().size(), 2u);
  EXPECT_EQ(h->sent()[0].content["content"], Json("early"));
  EXPECT_EQ(h->sent()[0].content["timeoutId"], Json(early_id));
  EXPECT_EQ(h->sent()[0].content["correlation"], Json("run-early"));
  EXPECT_EQ(h->sent()[0].content["scope"], scope);
  EXPECT_EQ(h->sent()[0].content["now"], Json(int64_t{1700000000000 + 1000}));
  EXPECT_EQ(h->sent()[1].content["content"], Json("late"));
  EXPECT_EQ(h->sent()[1].content["correlation"], Json("run-late"));
  EXPECT_EQ(h->sent()[1].content["now"], Json(int64_t{1700000000000 + 5000}));
  EXPECT_EQ(h->clock().NowMillis(), 1700000000000 + 10999);
  EXPECT_TRUE(h->pending_timeouts().empty());
}

TEST_F(ComponentHarnessTest, ClearTimeoutCancelsInTheSameCallAndLater) {
  auto h = Make("Timeout");
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"payload", 1}, {"delay", 10}, {"cancel", true}})).ok());
  EXPECT_TRUE(h->pending_timeouts().empty());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"payload", 2}, {"delay", 10}})).ok());
  const std::string first = h->state()["lastTimer"].AsString();
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"payload", 3}, {"delay", 10}, {"cancelPrevious", first}})).ok());
  ASSERT_EQ(h->pending_timeouts().size(), 1u);
  EXPECT_FALSE(h->pending_timeouts().contains(first));
  ASSERT_TRUE(h->AdvanceClock(10).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content["content"], Json(3));
}

TEST_F(ComponentHarnessTest, WebhookRecordsResponseAndUrls) {
  HarnessOptions options;
  options.flow_id = "f1";
  options.component_id = "c1";
  auto h = Make("Webhook", options);
  EXPECT_FALSE(h->last_response().has_value());
  ASSERT_TRUE(h->Webhook(Json::MakeObject({{"method", "POST"}, {"data", Json::MakeObject({{"a", 1}})}})).ok());
  ASSERT_TRUE(h->last_response().has_value());
  EXPECT_EQ(h->last_response()->status, 201);
  EXPECT_EQ(h->last_response()->body, Json::MakeObject({{"echo", Json::MakeObject({{"a", 1}})}}));
  EXPECT_EQ(h->last_response()->headers["X-Test"], Json("1"));
  EXPECT_EQ(h->sent().at(0).content["url"], Json("http://localhost:2200/flows/f1/components/c1"));
  EXPECT_EQ(h->sent().at(0).content["queued"],
            Json("http://localhost:2200/flows/f1/components/c1?enqueueOnly=true"));
}

TEST_F(ComponentHarnessTest, SignalDeliversOnTheSignalPort) {
  auto h = Make("Webhook");
  ASSERT_TRUE(h->Signal(Json::MakeObject({{"beforeAll", 1}})).ok());
  EXPECT_EQ(h->state()["signal"], Json::MakeObject({{"beforeAll", 1}}));
}

TEST_F(ComponentHarnessTest, FlowStateAddToSetIsDeepAndImmediate) {
  auto h = Make("Services");
  ASSERT_TRUE(h->Start().ok());
  EXPECT_EQ(h->state()["added"], Json(true));
  ASSERT_TRUE(h->Start().ok());
  EXPECT_EQ(h->state()["added"], Json(false));  // an equal object is already in the set
  EXPECT_EQ(h->flow_state()["receivers"],
            Json::MakeArray({Json::MakeObject({{"id", "test-component"}})}));
}

TEST_F(ComponentHarnessTest, LocksExpireOnTheHarnessClock) {
  auto h = Make("Services");
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"op", "lock"}, {"ttl", 1000}})).ok());
  // Held by the instance: a second lock with no retries fails at once.
  Status held = h->Receive("in", Json::MakeObject({{"op", "lock"}}));
  EXPECT_EQ(held.code(), StatusCode::kUnavailable);
  EXPECT_THAT(held.message(), HasSubstr("shared"));
  // Retries that outlast the TTL get the lock, moving the clock by the simulated wait.
  const int64_t before = h->clock().NowMillis();
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"op", "lock"}, {"retries", 20}})).ok());
  EXPECT_EQ(h->clock().NowMillis(), before + 1000);
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"op", "unlock"}})).ok());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"op", "lock"}})).ok());
  // A nested lock of the same name is refused; the handle dropped at the end of the call frees
  // it, so the next call gets it again.
  EXPECT_TRUE(h->Receive("in", Json::MakeObject({{"op", "scoped-lock"}})).ok());
  EXPECT_TRUE(h->Receive("in", Json::MakeObject({{"op", "scoped-lock"}})).ok());
}

TEST_F(ComponentHarnessTest, StoresFilesLogsAndStopFlow) {
  auto h = Make("Services");
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"op", "store"}, {"value", 42}})).ok());
  const Json& record = h->sent().at(0).content;
  EXPECT_EQ(record["storeId"], Json("s1"));
  EXPECT_EQ(record["value"], Json(42));
  EXPECT_EQ(record["createdAt"], Json("2023-11-14T22:13:20.000Z"));
  auto stored = h->stores().Get("s1", "k");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->value, Json(42));
  ASSERT_EQ(h->logs().size(), 1u);
  auto text = h->files().Read(h->logs()[0]["fileId"].AsString());
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "hello");

  EXPECT_FALSE(h->stop_flow_requested());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"op", "stop"}})).ok());
  EXPECT_TRUE(h->stop_flow_requested());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"op", "signal"}})).ok());
  EXPECT_EQ(h->signals_sent(), std::vector<Json>{Json::MakeObject({{"hello", 1}})});
}

TEST_F(ComponentHarnessTest, DefaultFlowDescriptorHoldsTheComponent) {
  class Describe : public Behaviour {
   public:
    Status Start(Context& ctx) override {
      if (ctx.kind() != InvocationKind::kStart || !ctx.correlation_id().empty()) {
        return Status::Internal("wrong kind");
      }
      return ctx.state().Set("flow", ctx.flow_descriptor());
    }
  };
  RegisterType<Describe>(registry_, "Describe");
  HarnessOptions options;
  options.properties = Json::MakeObject({{"p", 1}});
  auto h = Make("Describe", options);
  ASSERT_TRUE(h->Start().ok());
  EXPECT_EQ(h->state()["flow"],
            Json::MakeObject({{"test-component",
                               Json::MakeObject({{"type", "acme.test.harness.Describe"},
                                                 {"source", Json::MakeObject()},
                                                 {"config", Json::MakeObject({{"properties",
                                                                               Json::MakeObject({{"p", 1}})}})}})}}));
}

}  // namespace
}  // namespace flowkit::testing
