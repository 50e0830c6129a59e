// flowkit.utils.code.JavaScript in the component harness.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "components/builtin_registry.h"
#include "flowkit/builtins.h"
#include "flowkit/json.h"
#include "flowkit/registry.h"
#include "flowkit/testing.h"

namespace flowkit {
namespace {

using testing::ComponentHarness;
using testing::HarnessOptions;

constexpr std::string_view kType = "flowkit.utils.code.JavaScript";

class JavaScriptComponent : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(components::RegisterCodeComponents(registry_).ok()); }

  std::unique_ptr<ComponentHarness> Make(std::string_view code, HarnessOptions options = {}) {
    options.properties = Json::MakeObject({{"code", std::string(code)}});
    auto h = ComponentHarness::Create(registry_, kType, std::move(options));
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? std::move(h).value() : nullptr;
  }

  ComponentRegistry registry_;
};

TEST_F(JavaScriptComponent, SendsWhatTheCodeReturns) {
  auto h = Make("return {total: $data.items.length, first: value.items[0].name};");
  ASSERT_NE(h, nullptr);
  Json in = Json::MakeObject({{"items", Json::MakeArray({Json::MakeObject({{"name", "pen"}}),
                                                         Json::MakeObject({{"name", "ink"}})})}});
  ASSERT_TRUE(h->Receive("in", in).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].port, "out");
  EXPECT_EQ(h->sent()[0].content, Json::MakeObject({{"total", 2}, {"first", "pen"}}));
}

TEST_F(JavaScriptComponent, UndefinedSendsNothing) {
  auto h = Make("if ($data.keep) return $data;");
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"keep", false}})).ok());
  EXPECT_TRUE(h->sent().empty());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"keep", true}})).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content, Json::MakeObject({{"keep", true}}));
}

TEST_F(JavaScriptComponent, ErrorsFailTheCallAndSendNothing) {
  HarnessOptions options;
  options.javascript = {.time_limit_ms = 50, .memory_limit_bytes = size_t{2} << 20};
  auto h = Make("for (;;) {}", options);
  ASSERT_NE(h, nullptr);
  Status s = h->Receive("in", Json::MakeObject());
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s.ToString();
  EXPECT_EQ(s.message(), "JavaScript exceeded its 50 ms time limit");
  EXPECT_TRUE(h->sent().empty());

  options.javascript.time_limit_ms = 5000;  // the memory limit comes first
  h = Make("var a = []; for (;;) a.push('x'.repeat(1000) + a.length);", options);
  ASSERT_NE(h, nullptr);
  s = h->Receive("in", Json::MakeObject());
  EXPECT_EQ(s.code(), StatusCode::kTooLarge) << s.ToString();
  EXPECT_EQ(s.message(), "JavaScript exceeded its memory limit of 2097152 bytes");

  h = Make("throw new Error('bad input: ' + $data.id);");
  ASSERT_NE(h, nullptr);
  s = h->Receive("in", Json::MakeObject({{"id", 7}}));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("Error: bad input: 7"), std::string::npos) << s.ToString();
}

TEST_F(JavaScriptComponent, IsABuiltinAndNeedsCode) {
  ComponentRegistry all;
  ASSERT_TRUE(RegisterBuiltinComponents(all).ok());
  ASSERT_NE(all.Find(kType), nullptr);
  auto h = ComponentHarness::Create(all, kType, {});
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  Status s = (*h)->Receive("in", Json::MakeObject());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("code"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace flowkit
