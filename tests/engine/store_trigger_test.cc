// Store triggers end to end: OnItemAdded/Updated/Removed in a running flow see the changes made
// by components of any flow and by the host, and their watches survive an engine restart.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "flowkit/builtins.h"
#include "flowkit/component.h"
#include "flowkit/engine.h"
#include "flowkit/flow.h"
#include "flowkit/manifest.h"
#include "flowkit/modifier.h"
#include "flowkit/registry.h"
#include "flowkit/runtime.h"

namespace flowkit {
namespace {

struct Seen {
  std::mutex mu;
  std::vector<Json> items;
  std::vector<Json> Items() {
    std::lock_guard<std::mutex> lock(mu);
    return items;
  }
};

class Collect : public Behaviour {
 public:
  explicit Collect(Seen* seen) : seen_(seen) {}
  Status Receive(Context& ctx) override {
    std::lock_guard<std::mutex> lock(seen_->mu);
    seen_->items.push_back(Json::MakeObject({{"by", ctx.component_id()}, {"item", ctx.Input("in")->Content()}}));
    return Status::OK();
  }

 private:
  Seen* seen_;
};

constexpr const char* kFlow = R"({"flowId":"watch","userId":"u1","flow":{
  "on":{"type":"appmixer.utils.controls.OnStart","source":{}},
  "set":{"type":"appmixer.utils.storage.Set","source":{"in":{"on":["out"]}},
    "config":{"transform":{"in":{"on":{"out":{"type":"json2new",
      "lambda":{"storeId":"s1","key":"a","value":1}}}}}}},
  "added":{"type":"appmixer.utils.storage.OnItemAdded","config":{"properties":{"storeId":"s1"}}},
  "updated":{"type":"appmixer.utils.storage.OnItemUpdated","config":{"properties":{"storeId":"s1"}}},
  "removed":{"type":"appmixer.utils.storage.OnItemRemoved","config":{"properties":{"storeId":"s1"}}},
  "c1":{"type":"test.watch.core.Collect","source":{"in":{"added":["item"]}}},
  "c2":{"type":"test.watch.core.Collect","source":{"in":{"updated":["item"]}}},
  "c3":{"type":"test.watch.core.Collect","source":{"in":{"removed":["item"]}}}}})";

class StoreTriggerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(RegisterBuiltinComponents(*registry_).ok());
    ASSERT_TRUE(RegisterBuiltinModifiers(*modifiers_).ok());
    Seen* seen = &seen_;
    ASSERT_TRUE(registry_
                    ->Register(*Manifest::Parse(R"({"name":"test.watch.core.Collect","inPorts":["in"]})"),
                               [seen] { return std::make_unique<Collect>(seen); })
                    .ok());
    MemoryDocumentOptions doc_options;
    doc_options.create_stores_on_first_use = true;
    documents_ = NewMemoryDocumentStore(doc_options);
  }

  std::unique_ptr<Engine> Open(std::shared_ptr<Runtime> runtime = nullptr) {
    EngineOptions options;
    options.components = registry_;
    options.modifiers = modifiers_;
    options.workers = 2;
    options.documents = documents_;
    options.runtime = std::move(runtime);
    auto engine = Engine::Open(std::move(options));
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    return std::move(engine).value();
  }

  void LoadAndStart(Engine& engine) {
    auto flow = Flow::Parse(kFlow, *registry_, *modifiers_);
    ASSERT_TRUE(flow.ok()) << flow.status().ToString();
    ASSERT_TRUE(engine.LoadFlow(*flow).ok());
    Status started = engine.StartFlow("watch");
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  std::shared_ptr<ComponentRegistry> registry_ = std::make_shared<ComponentRegistry>();
  std::shared_ptr<ModifierRegistry> modifiers_ = std::make_shared<ModifierRegistry>();
  std::shared_ptr<DocumentStore> documents_;
  Seen seen_;
};

TEST_F(StoreTriggerTest, ChangesByComponentsAndByTheHostReachTheTriggersOfTheirKind) {
  auto engine = Open();
  LoadAndStart(*engine);
  ASSERT_TRUE(engine->WaitIdle(100, 10000));
  std::vector<Json> items = seen_.Items();
  ASSERT_EQ(items.size(), 1u) << "the Set of the OnStart run is an insert";
  EXPECT_EQ(items[0]["by"], Json("c1"));
  EXPECT_EQ(items[0]["item"]["key"], Json("a"));
  EXPECT_EQ(items[0]["item"]["value"], Json(1));

  // The host writes through the engine's documents: same triggers.
  // (Each change is its own webhook call; waiting in between keeps the order of arrival.)
  DataStore& store = engine->documents().DataStoresOf("u1");
  ASSERT_TRUE(store.Set("s1", "a", Json(2)).ok());
  ASSERT_TRUE(engine->WaitIdle(100, 10000));
  ASSERT_TRUE(store.Remove("s1", "a").ok());
  ASSERT_TRUE(store.Set("other", "x", Json(1)).ok());  // nobody watches this store
  ASSERT_TRUE(engine->WaitIdle(100, 10000));
  items = seen_.Items();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[1]["by"], Json("c2"));
  EXPECT_EQ(items[1]["item"]["value"], Json(2));
  EXPECT_EQ(items[1]["item"]["oldValue"], Json(1));
  EXPECT_EQ(items[2]["by"], Json("c3"));
  EXPECT_EQ(items[2]["item"]["key"], Json("a"));

  // Another user's store of the same id is not watched by this flow.
  ASSERT_TRUE(engine->documents().DataStoresOf("u2").Set("s1", "z", Json(1)).ok());
  ASSERT_TRUE(engine->StopFlow("watch").ok());
  ASSERT_TRUE(store.Set("s1", "b", Json(1)).ok());  // stopped: not watching any more
  ASSERT_TRUE(engine->WaitIdle(100, 10000));
  EXPECT_EQ(seen_.Items().size(), 3u);
}

TEST_F(StoreTriggerTest, WatchesSurviveAnEngineRestartOnARuntime) {
  std::shared_ptr<Runtime> runtime = NewMemoryRuntime();
  {
    auto engine = Open(runtime);
    LoadAndStart(*engine);
    ASSERT_TRUE(engine->WaitIdle(100, 10000));
  }
  ASSERT_EQ(seen_.Items().size(), 1u);
  auto engine = Open(runtime);  // resumes the running flow without calling Start again
  ASSERT_TRUE(engine->documents().DataStoresOf("u1").Set("s1", "a", Json(5)).ok());
  ASSERT_TRUE(engine->WaitIdle(100, 10000));
  std::vector<Json> items = seen_.Items();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1]["by"], Json("c2"));
  EXPECT_EQ(items[1]["item"]["value"], Json(5));
}

}  // namespace
}  // namespace flowkit
