// The engine hands account secrets to components that name an auth service, through its
// CredentialsProvider, and refreshes them on request.
#include "flowkit/credentials.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "flowkit/component.h"
#include "flowkit/engine.h"
#include "flowkit/flow.h"
#include "flowkit/manifest.h"
#include "flowkit/modifier.h"
#include "flowkit/registry.h"
#include "flowkit/testing.h"

namespace flowkit {
namespace {

class FakeProvider final : public CredentialsProvider {
 public:
  Result<Json> Credentials(const CredentialsRequest& request) override {
    std::lock_guard<std::mutex> lock(mu);
    requests.push_back(request);
    if (valid_calls >= 0 && static_cast<int>(requests.size()) > valid_calls) {
      return Status::Unauthenticated("the account was revoked; reconnect it");
    }
    return Json::MakeObject({{"apiKey", key}});
  }
  Result<Json> Refresh(const CredentialsRequest&, const Json& rejected) override {
    std::lock_guard<std::mutex> lock(mu);
    ++refreshes;
    rejected_seen = rejected;
    key = "fresh";
    return Json::MakeObject({{"apiKey", key}});
  }
  std::mutex mu;
  std::vector<CredentialsRequest> requests;
  std::string key = "stale";
  int valid_calls = -1;  // how many calls succeed before the account turns invalid; -1 = all
  int refreshes = 0;
  Json rejected_seen;
};

struct Seen {
  std::mutex mu;
  std::vector<Json> auths;
};

// Emits on start; with an account, "calls the service": a stale key is refused once and
// refreshed.
class Client final : public Behaviour {
 public:
  explicit Client(Seen* seen) : seen_(seen) {}
  Status Start(Context& ctx) override {
    if (ctx.component_type() != "test.cred.core.Start") return Status::OK();
    return ctx.Send("out", Json::MakeObject({{"go", true}}));
  }
  Status Receive(Context& ctx) override {
    Json used = ctx.auth();
    if (used["apiKey"].AsString() == "stale") {
      FLOWKIT_ASSIGN_OR_RETURN(Json fresh, ctx.RefreshAuth());
      if (!(ctx.auth() == fresh)) return Status::Internal("auth() did not follow the refresh");
      used = fresh;
    }
    std::lock_guard<std::mutex> lock(seen_->mu);
    seen_->auths.push_back(used);
    return Status::OK();
  }

 private:
  Seen* seen_;
};

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto modifiers = std::make_shared<ModifierRegistry>();
    ASSERT_TRUE(RegisterBuiltinModifiers(*modifiers).ok());
    modifiers_ = modifiers;
    auto reg = std::make_shared<ComponentRegistry>();
    Seen* seen = &seen_;
    for (const char* manifest : {R"({"name":"test.cred.core.Start","outPorts":["out"]})",
                                 R"({"name":"test.cred.core.WithAccount","inPorts":["in"],
                                     "auth":{"service":"test:svc"}})",
                                 R"({"name":"test.cred.core.NoAccount","inPorts":["in"]})"}) {
      Result<Manifest> m = Manifest::Parse(manifest);
      ASSERT_TRUE(m.ok()) << m.status().ToString();
      ASSERT_TRUE(reg->Register(std::move(m).value(), [seen] { return std::make_unique<Client>(seen); }).ok());
    }
    registry_ = reg;
  }

  std::unique_ptr<Engine> Open() {
    EngineOptions options;
    options.components = registry_;
    options.modifiers = modifiers_;
    options.credentials = provider_;
    options.retry.max_attempts = 3;
    options.retry.initial_delay_ms = 1;
    auto engine = Engine::Open(std::move(options));
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    return std::move(engine).value();
  }

  std::string Run(Engine& engine, const std::string& type) {
    Diagnostics diags;
    auto flow = Flow::Parse(R"({"name":"c","flow":{"s":{"type":"test.cred.core.Start"},
        "c":{"type":")" + type + R"(","source":{"in":{"s":["out"]}}}}})",
                            *registry_, *modifiers_, &diags);
    EXPECT_TRUE(flow.ok()) << flow.status().ToString();
    auto id = engine.LoadFlow(*flow, "", "alice");
    EXPECT_TRUE(id.ok());
    EXPECT_TRUE(engine.StartFlow(*id).ok());
    EXPECT_TRUE(engine.WaitIdle(30, 10000));
    return *id;
  }

  Seen seen_;
  std::shared_ptr<FakeProvider> provider_ = std::make_shared<FakeProvider>();
  std::shared_ptr<ComponentRegistry> registry_;
  std::shared_ptr<const ModifierRegistry> modifiers_;
};

TEST_F(CredentialsTest, AComponentWithAnAuthServiceGetsItsAccountAndCanRefreshIt) {
  auto engine = Open();
  std::string flow_id = Run(*engine, "test.cred.core.WithAccount");
  {
    std::lock_guard<std::mutex> lock(seen_.mu);
    ASSERT_EQ(seen_.auths.size(), 1u);
    EXPECT_EQ(seen_.auths[0], Json::MakeObject({{"apiKey", "fresh"}}));
  }
  std::lock_guard<std::mutex> lock(provider_->mu);
  EXPECT_EQ(provider_->refreshes, 1);
  EXPECT_EQ(provider_->rejected_seen, Json::MakeObject({{"apiKey", "stale"}})) << "the provider learns what was refused";
  // Asked for the component's Start and its Receive, never for the component without a service.
  ASSERT_EQ(provider_->requests.size(), 2u);
  const CredentialsRequest& r = provider_->requests[1];
  EXPECT_EQ(r.user_id, "alice");
  EXPECT_EQ(r.flow_id, flow_id);
  EXPECT_EQ(r.component_id, "c");
  EXPECT_EQ(r.component_type, "test.cred.core.WithAccount");
  EXPECT_EQ(r.service, "test:svc");
}

TEST_F(CredentialsTest, ComponentsWithoutAnAuthServiceSeeNoSecrets) {
  auto engine = Open();
  Run(*engine, "test.cred.core.NoAccount");
  std::lock_guard<std::mutex> lock(seen_.mu);
  ASSERT_EQ(seen_.auths.size(), 1u);
  EXPECT_EQ(seen_.auths[0], Json::MakeObject());
  EXPECT_TRUE(provider_->requests.empty());
}

TEST_F(CredentialsTest, AnInvalidAccountFailsTheCallOnceWithoutRetries) {
  provider_->valid_calls = 1;  // the component's Start gets the account; then it is revoked
  auto engine = Open();
  Run(*engine, "test.cred.core.WithAccount");
  std::vector<DeadLetter> dead = engine->DeadLetters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].attempts, 1) << "kUnauthenticated is final";
  EXPECT_EQ(dead[0].error.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(dead[0].error.message().find("account for 'test:svc'"), std::string::npos) << dead[0].error.message();
  EXPECT_NE(dead[0].error.message().find("reconnect it"), std::string::npos);
  std::lock_guard<std::mutex> lock(seen_.mu);
  EXPECT_TRUE(seen_.auths.empty());
}

TEST(CredentialsHarness, RefreshAuthUsesTheHarnessHookAndUpdatesAuth) {
  ComponentRegistry registry;
  Seen seen;
  Result<Manifest> m = Manifest::Parse(R"({"name":"test.cred.core.WithAccount","inPorts":["in"],
                                           "auth":{"service":"test:svc"}})");
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(registry.Register(std::move(m).value(), [&seen] { return std::make_unique<Client>(&seen); }).ok());
  testing::HarnessOptions options;
  options.auth = Json::MakeObject({{"apiKey", "stale"}});
  options.refresh_auth = [](const Json& rejected) -> Result<Json> {
    if (rejected["apiKey"].AsString() != "stale") return Status::Internal("unexpected");
    return Json::MakeObject({{"apiKey", "new"}});
  };
  auto h = testing::ComponentHarness::Create(registry, "test.cred.core.WithAccount", options);
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE((*h)->Receive("in", Json::MakeObject()).ok());
  ASSERT_EQ(seen.auths.size(), 1u);
  EXPECT_EQ(seen.auths[0], Json::MakeObject({{"apiKey", "new"}}));

  // Without a hook there is nothing to refresh with.
  testing::HarnessOptions plain;
  plain.auth = Json::MakeObject({{"apiKey", "stale"}});
  auto h2 = testing::ComponentHarness::Create(registry, "test.cred.core.WithAccount", plain);
  ASSERT_TRUE(h2.ok());
  EXPECT_EQ((*h2)->Receive("in", Json::MakeObject()).code(), StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace flowkit
