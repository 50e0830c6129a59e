// The encoding of deliveries in the runtime journal.
#include "engine/journal.h"

#include <gtest/gtest.h>

#include "flowkit/flow.h"
#include "flowkit/manifest.h"
#include "flowkit/modifier.h"
#include "flowkit/registry.h"

namespace flowkit::engine {
namespace {

class Noop : public Behaviour {};

std::shared_ptr<FlowRuntime> MakeRuntime() {
  static auto registry = [] {
    auto r = std::make_shared<ComponentRegistry>();
    (void)r->Register(*Manifest::Parse(R"({"name":"test.j.core.A","inPorts":["in"],"outPorts":["out"]})"),
                      [] { return std::make_unique<Noop>(); });
    return r;
  }();
  static auto modifiers = std::make_shared<ModifierRegistry>();
  auto flow = Flow::Parse(R"({"flow":{"a":{"type":"test.j.core.A"},
    "b":{"type":"test.j.core.A","source":{"in":{"a":["out"]}}}}})",
                          *registry, *modifiers);
  EXPECT_TRUE(flow.ok()) << flow.status().ToString();
  auto rt = std::make_shared<FlowRuntime>();
  rt->id = "f";
  rt->flow = *flow;
  for (const FlowNode& node : rt->flow->nodes()) {
    auto inst = std::make_unique<Instance>();
    inst->node = &node;
    rt->instances.push_back(std::move(inst));
  }
  return rt;
}

TEST(Journal, TextEncodingEqualsTheTreeEncodingAndDecodesBack) {
  auto rt = MakeRuntime();
  Task task;
  task.kind = TaskKind::kMessage;
  task.flow = rt;
  task.instance = 1;
  task.link = 0;
  task.port = "in";
  task.payload = std::make_shared<const Json>(Json::MakeObject({{"x", "quote \" and \\ and \n"}, {"n", 1.5}}));
  task.scope = ScopeChain()
                   .Extend("a", "out", std::make_shared<const Json>(Json::MakeArray({1, 2})))
                   .Extend("b", "out", std::make_shared<const Json>(Json::MakeObject({{"y", true}})));
  task.correlation_id = "c-1";
  task.message_id = "m-1";
  task.timeout_id = "t-1";
  task.attempt = 3;
  task.created_ms = 1234;

  const std::string text = EncodeTaskText(task);
  EXPECT_EQ(text, EncodeTask(task).Dump());
  auto parsed = Json::Parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  auto back = DecodeTask(*parsed, rt);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ((*back)->instance, 1u);
  EXPECT_EQ((*back)->link, 0u);
  EXPECT_EQ((*back)->port, "in");
  EXPECT_EQ(*(*back)->payload, *task.payload);
  EXPECT_EQ((*back)->scope.ToJson(), task.scope.ToJson());
  EXPECT_EQ((*back)->scope.depth(), 2u);
  EXPECT_EQ((*back)->correlation_id, "c-1");
  EXPECT_EQ((*back)->message_id, "m-1");
  EXPECT_EQ((*back)->timeout_id, "t-1");
  EXPECT_EQ((*back)->attempt, 3);
  EXPECT_EQ((*back)->created_ms, 1234);
}

TEST(Journal, DecodingRejectsWhatIsNotADeliveryOrNotInTheFlow) {
  auto rt = MakeRuntime();
  EXPECT_EQ(DecodeTask(Json::MakeArray(), rt).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeTask(*Json::Parse(R"({"k":0,"c":"zzz"})"), rt).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(DecodeTask(*Json::Parse(R"({"k":0,"c":"b","l":7})"), rt).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(DecodeTask(*Json::Parse(R"({"k":99,"c":"b"})"), rt).status().code(), StatusCode::kCorruption);
}

TEST(Journal, KeysOfOneFlowNeverMatchAnotherFlowsPrefix) {
  EXPECT_NE(ComponentStateKey("f", "x").rfind(ComponentStatePrefix("f"), 0), std::string::npos);
  EXPECT_EQ(ComponentStateKey("f2", "x").rfind(ComponentStatePrefix("f"), 0), std::string::npos);
  EXPECT_EQ(TimerKey("abc"), "tabc");
}

}  // namespace
}  // namespace flowkit::engine
