#include "engine/scope.h"

#include <gtest/gtest.h>

#include <memory>

namespace flowkit::engine {
namespace {

std::shared_ptr<const Json> Payload(Json j) { return std::make_shared<const Json>(std::move(j)); }

TEST(ScopeChain, FindsEveryAncestorsOutput) {
  ScopeChain root;
  EXPECT_TRUE(root.empty());
  ScopeChain a = root.Extend("start", "out", Payload(Json::MakeObject({{"started", "2026-11-23"}})));
  ScopeChain b = a.Extend("mid", "true", Payload(Json::MakeObject()));
  ScopeChain c = b.Extend("end", "out", Payload(Json(7)));
  EXPECT_EQ(c.depth(), 3u);
  ASSERT_NE(c.Find("start", "out"), nullptr);
  EXPECT_EQ((*c.Find("start", "out"))["started"].AsString(), "2026-11-23");
  EXPECT_EQ(c.Find("end", "out")->AsInt(), 7);
  EXPECT_EQ(c.Find("mid", "false"), nullptr);
  EXPECT_EQ(a.Find("end", "out"), nullptr) << "a parent never sees its descendants";
}

TEST(ScopeChain, FanOutSharesTheParentWithoutCopying) {
  auto shared = Payload(Json::MakeObject({{"big", "payload"}}));
  ScopeChain parent = ScopeChain().Extend("src", "out", shared);
  ScopeChain left = parent.Extend("l", "out", Payload(1));
  ScopeChain right = parent.Extend("r", "out", Payload(2));
  EXPECT_EQ(left.Find("src", "out"), shared.get());
  EXPECT_EQ(right.Find("src", "out"), shared.get());
  EXPECT_EQ(left.Find("r", "out"), nullptr);
  EXPECT_EQ(right.Find("l", "out"), nullptr);
}

TEST(ScopeChain, NearestOutputWinsInLoops) {
  ScopeChain s = ScopeChain().Extend("loop", "out", Payload(1)).Extend("other", "out", Payload(0));
  s = s.Extend("loop", "out", Payload(2));
  EXPECT_EQ(s.Find("loop", "out")->AsInt(), 2);
}

TEST(ScopeChain, ToJsonHasAppmixersShapeWithWalkthrough) {
  ScopeChain s = ScopeChain()
                     .Extend("a", "out", Payload(Json::MakeObject({{"x", 1}})))
                     .Extend("b", "true", Payload(Json::MakeObject()))
                     .Extend("a", "done", Payload(Json(3)));
  Json j = s.ToJson();
  EXPECT_EQ(j["a"]["out"]["x"].AsInt(), 1);
  EXPECT_EQ(j["a"]["done"].AsInt(), 3);
  EXPECT_TRUE(j["b"]["true"].IsObject());
  const Json& walk = j["_walkthrough"];
  ASSERT_EQ(walk.size(), 3u);
  EXPECT_EQ(walk[0]["links"][0]["sourceId"].AsString(), "a");
  EXPECT_EQ(walk[1]["links"][0]["sourceOut"].AsString(), "true");
  EXPECT_EQ(walk[2]["links"][0]["sourceOut"].AsString(), "done");
}

TEST(ScopeChain, ServesAsTheTransformsScopeView) {
  ScopeChain s = ScopeChain().Extend("c1", "out", Payload(Json::MakeObject({{"n", 5}})));
  const ScopeView& view = s;
  ASSERT_NE(view.Find("c1", "out"), nullptr);
  EXPECT_EQ((*view.Find("c1", "out"))["n"].AsInt(), 5);
}

}  // namespace
}  // namespace flowkit::engine
