// appmixer.utils.test.*: BeforeAll, AfterAll, Assert, ProcessE2EResults, CallCount, Join, Tick,
// run one at a time in the component harness (appmixer-utils.md §2.7).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "components/builtin_registry.h"
#include "flowkit/json.h"
#include "flowkit/registry.h"
#include "flowkit/testing.h"

namespace flowkit {
namespace {

using testing::ComponentHarness;
using testing::HarnessOptions;
using testing::ReceiveOptions;

Json J(std::string_view text) {
  Result<Json> parsed = Json::Parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " in " << text;
  return parsed.ok() ? std::move(parsed).value() : Json::Undefined();
}

class TestComponents : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(components::RegisterTestComponents(registry_).ok()); }

  std::unique_ptr<ComponentHarness> Make(std::string_view type, HarnessOptions options = {}) {
    auto h = ComponentHarness::Create(registry_, type, std::move(options));
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? std::move(h).value() : nullptr;
  }

  // A message that `source`:`port` sent, with the scope the engine gives it.
  static ReceiveOptions From(std::string source, std::string port,
                             Json scope = Json::MakeObject()) {
    ReceiveOptions options;
    options.source_component = source;
    options.source_port = port;
    if (!scope.IsObject()) scope = Json::MakeObject();
    Json walkthrough = Json::MakeArray({Json::MakeObject(
        {{"links",
          Json::MakeArray({Json::MakeObject({{"sourceId", source}, {"sourceOut", port}})})}})});
    scope.Set("_walkthrough", std::move(walkthrough));
    options.scope = std::move(scope);
    return options;
  }

  ComponentRegistry registry_;
};

// ---- registration

TEST_F(TestComponents, RegistersEveryTypeWithItsManifest) {
  for (const char* type :
       {"appmixer.utils.test.BeforeAll", "appmixer.utils.test.AfterAll",
        "appmixer.utils.test.Assert", "appmixer.utils.test.ProcessE2EResults",
        "appmixer.utils.test.CallCount", "appmixer.utils.test.Join", "appmixer.utils.test.Tick"}) {
    const ComponentType* found = registry_.Find(type);
    ASSERT_NE(found, nullptr) << type;
    EXPECT_TRUE(found->runnable()) << type;
    EXPECT_EQ(found->options.concurrent, std::string_view(type) == "appmixer.utils.test.Assert")
        << type;
  }
  const ComponentType* join = registry_.Find("appmixer.utils.test.Join");
  ASSERT_EQ(join->manifest->in_ports.size(), 2u);
  EXPECT_EQ(join->manifest->in_ports[0].name, "join");
  EXPECT_EQ(join->manifest->in_ports[1].name, "in");
  EXPECT_TRUE(registry_.Find("appmixer.utils.test.Tick")->manifest->tick);
  EXPECT_TRUE(registry_.Find("appmixer.utils.test.Tick")->manifest->in_ports.empty());
}

// ---- BeforeAll

TEST_F(TestComponents, BeforeAllParksTheTriggerAndSignalsTheRun) {
  auto h = Make("appmixer.utils.test.BeforeAll", {.component_id = "ba"});
  Json scope = J(R"({"start": {"out": {"started": "2023-11-14T22:13:20.000Z"}}})");
  ASSERT_TRUE(h->Receive("in", J(R"({"started": "x"})"), From("start", "out", scope)).ok());

  EXPECT_TRUE(h->sent().empty());
  ASSERT_EQ(h->signals_sent().size(), 1u);
  const Json& signal = h->signals_sent()[0];
  const std::string run_id = signal["beforeAll"]["runId"].AsString();
  EXPECT_EQ(run_id.size(), 36u);
  EXPECT_EQ(signal["beforeAll"]["now"].AsString(), "2023-11-14T22:13:20.000Z");

  EXPECT_EQ(h->flow_state()["state"]["runId"].AsString(), run_id);
  EXPECT_EQ(h->flow_state()["state"]["started"].AsString(), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(h->state()["runId"].AsString(), run_id);
  EXPECT_EQ(h->state()["scope"]["start"], scope["start"]);
  EXPECT_TRUE(h->state()["scope"]["_walkthrough"].IsArray());
  EXPECT_EQ(h->state()["signalsArrived"], Json::MakeArray());
  ASSERT_EQ(h->pending_timeouts().size(), 1u);
  EXPECT_EQ(h->pending_timeouts().begin()->second, 1700000000000 + 60000);
  EXPECT_EQ(h->state()["timeoutId"].AsString(), h->pending_timeouts().begin()->first);
}

TEST_F(TestComponents, BeforeAllReleasesWithTheSavedScopeWhenEveryReceiverAnswered) {
  HarnessOptions options{.component_id = "ba"};
  options.flow_state = J(R"({"signalReceivers": [
      {"componentId": "aa", "componentType": "appmixer.utils.test.AfterAll"},
      {"componentId": "cc", "componentType": "appmixer.utils.test.CallCount"}]})");
  auto h = Make("appmixer.utils.test.BeforeAll", options);
  Json scope = J(R"({"start": {"out": {"started": "s"}}})");
  ASSERT_TRUE(h->Receive("in", J("{}"), From("start", "out", scope)).ok());
  const std::string run_id = h->signals_sent()[0]["beforeAll"]["runId"].AsString();

  // Its own broadcast, answers of an older run and answers without a sender change nothing.
  ASSERT_TRUE(h->Signal(h->signals_sent()[0]).ok());
  ASSERT_TRUE(h->Signal(Json::MakeObject({{"componentId", "aa"}, {"runId", "old-run"}})).ok());
  ASSERT_TRUE(h->Signal(Json::MakeObject({{"runId", run_id}})).ok());
  ASSERT_TRUE(h->Signal(Json::MakeObject({{"componentId", "aa"}, {"runId", run_id}})).ok());
  EXPECT_TRUE(h->sent().empty());
  EXPECT_EQ(h->state()["signalsArrived"], Json::MakeArray({"aa"}));

  h->clock().Advance(1234);
  ASSERT_TRUE(h->Signal(Json::MakeObject({{"componentId", "cc"}, {"runId", run_id}})).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].port, "out");
  EXPECT_EQ(h->sent()[0].content, Json::MakeObject({{"now", 1700000001234}, {"runId", run_id}}));
  // The trigger's own scope goes with it, so its upstream stays addressable.
  EXPECT_EQ(h->sent()[0].scope["start"], scope["start"]);
  EXPECT_TRUE(h->pending_timeouts().empty());
  EXPECT_FALSE(h->state().Contains("waitingForSync"));
  EXPECT_EQ(h->state()["runId"].AsString(), run_id);
}

TEST_F(TestComponents, BeforeAllWithoutReceiversNeverReleases) {
  auto h = Make("appmixer.utils.test.BeforeAll", {.component_id = "ba"});
  ASSERT_TRUE(h->Receive("in", J("{}")).ok());
  const std::string run_id = h->signals_sent()[0]["beforeAll"]["runId"].AsString();
  ASSERT_TRUE(h->Signal(Json::MakeObject({{"componentId", "aa"}, {"runId", run_id}})).ok());
  EXPECT_TRUE(h->sent().empty());
}

TEST_F(TestComponents, BeforeAllDropsTriggersWhileWaitingAndResetsOnSyncTimeout) {
  HarnessOptions options{.component_id = "ba"};
  options.config = J(R"({"syncTimeout": 5000})");
  auto h = Make("appmixer.utils.test.BeforeAll", options);
  ASSERT_TRUE(h->Receive("in", J("{}")).ok());
  ASSERT_TRUE(h->Receive("in", J("{}")).ok());
  EXPECT_EQ(h->signals_sent().size(), 1u);
  EXPECT_EQ(h->pending_timeouts().begin()->second, 1700000000000 + 5000);

  ASSERT_TRUE(h->AdvanceClock(5000).ok());
  ASSERT_EQ(h->logs().size(), 1u);
  EXPECT_EQ(h->logs()[0]["err"].AsString(), "AfterAll component did not respond within 5000 ms.");
  EXPECT_EQ(h->state(), Json::MakeObject());
  EXPECT_FALSE(h->flow_state().Contains("state"));

  ASSERT_TRUE(h->Receive("in", J("{}")).ok());
  ASSERT_EQ(h->signals_sent().size(), 2u);
  EXPECT_NE(h->signals_sent()[1]["beforeAll"]["runId"], h->signals_sent()[0]["beforeAll"]["runId"]);
}

TEST_F(TestComponents, BeforeAllAcceptsANewTriggerOnceTheWaitIsOlderThanTheSyncTimeout) {
  auto h = Make("appmixer.utils.test.BeforeAll", {.component_id = "ba"});
  ASSERT_TRUE(h->Receive("in", J("{}")).ok());
  h->clock().Advance(60000);  // moves time without delivering the pending timer
  ASSERT_TRUE(h->Receive("in", J("{}")).ok());
  ASSERT_EQ(h->signals_sent().size(), 2u);
  // The first run's timer is now stale and must not abort the second run.
  ASSERT_TRUE(h->AdvanceClock(0).ok());
  EXPECT_EQ(h->state()["runId"], h->signals_sent()[1]["beforeAll"]["runId"]);
  EXPECT_TRUE(h->flow_state().Contains("state"));
}

// ---- AfterAll

Json TwoSourceFlow() {
  return J(R"({
    "aa": {"type": "appmixer.utils.test.AfterAll",
           "source": {"in": {"c1": ["out"], "c2": ["true", "false"]}},
           "config": {"properties": {"timeout": 5}}},
    "c1": {"type": "appmixer.utils.test.Assert", "label": "First assert", "source": {}},
    "c2": {"type": "appmixer.utils.controls.Condition", "source": {}}
  })");
}

TEST_F(TestComponents, AfterAllRegistersAsSignalReceiverAndArmsOncePerRun) {
  HarnessOptions options{.flow_descriptor = TwoSourceFlow(), .component_id = "aa"};
  options.properties = J(R"({"timeout": 5})");
  auto h = Make("appmixer.utils.test.AfterAll", options);
  ASSERT_TRUE(h->Start().ok());
  EXPECT_EQ(h->flow_state()["signalReceivers"],
            J(R"([{"componentId": "aa", "componentType": "appmixer.utils.test.AfterAll"}])"));

  ASSERT_TRUE(h->Signal(J(R"({"componentId": "other", "runId": "r1"})")).ok());
  EXPECT_TRUE(h->signals_sent().empty());
  ASSERT_TRUE(h->Signal(J(R"({"beforeAll": {"now": "n", "runId": "r1"}})")).ok());
  ASSERT_TRUE(h->Signal(J(R"({"beforeAll": {"now": "n", "runId": "r1"}})")).ok());
  ASSERT_EQ(h->signals_sent().size(), 1u);
  EXPECT_EQ(
      h->signals_sent()[0],
      J(R"({"componentId": "aa", "componentType": "appmixer.utils.test.AfterAll", "runId": "r1"})"));
  ASSERT_EQ(h->pending_timeouts().size(), 1u);
  EXPECT_EQ(h->pending_timeouts().begin()->second, 1700000000000 + 5000);
  EXPECT_EQ(h->state()["runId"].AsString(), "r1");
  EXPECT_EQ(h->state()["inputsArrived"], Json::MakeArray());
}

TEST_F(TestComponents, AfterAllWithOneSourceForwardsTheFirstMessage) {
  HarnessOptions options{.component_id = "aa"};
  options.properties = J(R"({"timeout": 5})");
  options.flow_descriptor = J(R"({"aa": {"type": "appmixer.utils.test.AfterAll",
                                         "source": {"in": {"f": ["notEmpty"]}}}})");
  auto h = Make("appmixer.utils.test.AfterAll", options);
  ASSERT_TRUE(h->Signal(J(R"({"beforeAll": {"runId": "r1"}})")).ok());
  ASSERT_TRUE(h->Receive("in", J(R"({"now": 1, "runId": "r1"})"), From("f", "notEmpty")).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content, J(R"({"now": 1, "runId": "r1"})"));
  EXPECT_TRUE(h->sent()[0].scope.IsUndefined());  // the message's own scope
  EXPECT_TRUE(h->pending_timeouts().empty());
  EXPECT_EQ(h->state(), Json::MakeObject());
  EXPECT_EQ(h->flow_state()["state"]["done"].AsString(), "2023-11-14T22:13:20.000Z");
}

TEST_F(TestComponents, AfterAllWaitsForEveryLinkAndSendsAllMessagesWithMergedScope) {
  HarnessOptions options{.flow_descriptor = TwoSourceFlow(), .component_id = "aa"};
  options.properties = J(R"({"timeout": 5})");
  auto h = Make("appmixer.utils.test.AfterAll", options);
  ASSERT_TRUE(h->Signal(J(R"({"beforeAll": {"runId": "r1"}})")).ok());

  ASSERT_TRUE(
      h->Receive("in", J(R"({"n": 1})"), From("c1", "out", J(R"({"a": {"out": 1}})"))).ok());
  ASSERT_TRUE(
      h->Receive("in", J(R"({"n": 2})"), From("c1", "out", J(R"({"a": {"out": 2}})"))).ok());
  ASSERT_TRUE(
      h->Receive("in", J(R"({"n": 3})"), From("c2", "true", J(R"({"b": {"out": 3}})"))).ok());
  EXPECT_TRUE(h->sent().empty()) << "c2:false has not delivered yet";
  EXPECT_EQ(h->state()["inputsArrived"], J(R"(["c1:out", "c2:true"])"));

  ASSERT_TRUE(
      h->Receive("in", J(R"({"n": 4})"), From("c2", "false", J(R"({"c": {"out": 4}})"))).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content, J(R"([{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}])"));
  const Json& scope = h->sent()[0].scope;
  EXPECT_EQ(scope["a"], J(R"({"out": 2})"));
  EXPECT_EQ(scope["b"], J(R"({"out": 3})"));
  EXPECT_EQ(scope["c"], J(R"({"out": 4})"));
  EXPECT_EQ(scope["_walkthrough"][0]["links"][0]["sourceOut"].AsString(), "false");
  EXPECT_TRUE(h->pending_timeouts().empty());
  EXPECT_EQ(h->state(), Json::MakeObject());
  EXPECT_TRUE(h->flow_state()["state"].Contains("done"));

  // The next messages start a new collection.
  ASSERT_TRUE(h->Receive("in", J(R"({"n": 5})"), From("c1", "out")).ok());
  EXPECT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->state()["inputMessages"], J(R"([{"n": 5}])"));
}

TEST_F(TestComponents, AfterAllTimeoutNamesTheMissingLinksAndBlocksUntilTheNextRun) {
  HarnessOptions options{.flow_descriptor = TwoSourceFlow(), .component_id = "aa"};
  options.properties = J(R"({"timeout": 5})");
  auto h = Make("appmixer.utils.test.AfterAll", options);
  ASSERT_TRUE(h->Signal(J(R"({"beforeAll": {"runId": "r1"}})")).ok());
  ASSERT_TRUE(h->Receive("in", J(R"({"n": 1})"), From("c2", "true")).ok());

  ASSERT_TRUE(h->AdvanceClock(4999).ok());
  EXPECT_TRUE(h->sent().empty());
  ASSERT_TRUE(h->AdvanceClock(1).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content, J(R"({"message": "timed out",
                  "timedOutLinks": ["First assert:out", "appmixer.utils.controls.Condition:false"]})"));
  EXPECT_EQ(h->state(), J(R"({"timedOut": true})"));
  EXPECT_TRUE(h->flow_state()["state"].Contains("done"));

  ASSERT_TRUE(h->Receive("in", J(R"({"n": 2})"), From("c1", "out")).ok());
  ASSERT_TRUE(h->Receive("in", J(R"({"n": 3})"), From("c2", "false")).ok());
  EXPECT_EQ(h->sent().size(), 1u) << "nothing counts after a timeout";

  ASSERT_TRUE(h->Signal(J(R"({"beforeAll": {"runId": "r2"}})")).ok());
  EXPECT_EQ(h->state()["runId"].AsString(), "r2");
  ASSERT_TRUE(h->Receive("in", J(R"({"n": 4})"), From("c1", "out")).ok());
  EXPECT_EQ(h->state()["inputMessages"], J(R"([{"n": 4}])"));
}

// ---- Assert

TEST_F(TestComponents, AssertReportsEachClause) {
  HarnessOptions options{.component_id = "as1"};
  options.flow_descriptor =
      J(R"({"as1": {"type": "appmixer.utils.test.Assert", "label": "Check CSV"}})");
  auto h = Make("appmixer.utils.test.Assert", options);
  Json input = J(R"({"expression": {"AND": [
      {"field": 100, "assertion": "equal", "expected": "100", "type": "number"},
      {"field": true, "assertion": "equal", "expected": "true"},
      {"field": "abc", "assertion": "equal", "expected": "abd"},
      {"field": "Hello world", "assertion": "notEmpty", "type": "string"},
      {"field": null, "assertion": "notEmpty"},
      {"assertion": "notEmpty"},
      {"field": "a-1", "assertion": "regex", "regex": "^[a-z]-\\d$"},
      {"field": "x/y", "assertion": "regex", "regex": "^z/"},
      {"field": [1, 2], "assertion": "notEmpty", "type": "array"},
      {"field": [1, 2], "assertion": "notEmpty", "type": "object"},
      {"field": {"a": 1}, "assertion": "notEmpty", "type": "object"},
      {"field": "5", "assertion": "equal", "expected": 5, "type": "number"},
      {"field": 1, "assertion": "between"}
  ]}})");
  ASSERT_TRUE(h->Receive("in", input).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  const Json& result = h->sent()[0].content;
  EXPECT_EQ(result["componentId"].AsString(), "as1");
  EXPECT_EQ(result["componentName"].AsString(), "Check CSV");
  EXPECT_EQ(result["success"], J(R"([
      "100 equals 100", "100 is type of number",
      "true equals true",
      "Hello world is not empty", "Hello world is type of string",
      "a-1 matches regex ^[a-z]-\\d$",
      "1,2 is not empty", "1,2 is type of array",
      "1,2 is not empty",
      "[object Object] is not empty", "[object Object] is type of object",
      "5 equals 5"])"));
  EXPECT_EQ(result["error"], J(R"([
      "expected abd to equal abc",
      "expected null to exist",
      "expected undefined to exist",
      "expected 'x/y' to match /^z\\//",
      "expected [ 1, 2 ] to be an object",
      "expected '5' to be a number",
      "Unsupported assertion: between"])"));
}

TEST_F(TestComponents, AssertWithoutLabelOmitsComponentNameAndAcceptsAnEmptyList) {
  auto h = Make("appmixer.utils.test.Assert", {.component_id = "as2"});
  ASSERT_TRUE(h->Receive("in", J(R"({"expression": {}})")).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content, J(R"({"componentId": "as2", "success": [], "error": []})"));
  EXPECT_FALSE(h->Receive("in", J(R"({})")).ok()) << "no expression at all";
}

TEST_F(TestComponents, AssertReportsABadRegexAsAFailedClause) {
  auto h = Make("appmixer.utils.test.Assert");
  ASSERT_TRUE(h->Receive("in", J(R"({"expression": {"AND": [
      {"field": "a", "assertion": "regex", "regex": "("},
      {"field": "anything", "assertion": "regex"}]}})"))
                  .ok());
  const Json& result = h->sent()[0].content;
  ASSERT_EQ(result["error"].size(), 1u);
  EXPECT_EQ(result["error"][0].AsString().rfind("Invalid regular expression: /(/: ", 0), 0u)
      << result["error"][0].AsString();
  EXPECT_EQ(result["success"], J(R"(["anything matches regex undefined"])"));
}

TEST_F(TestComponents, AssertAbbreviatesLongValuesLikeChai) {
  auto h = Make("appmixer.utils.test.Assert");
  ASSERT_TRUE(h->Receive("in", J(R"({"expression": {"AND": [
      {"field": [1111111111, 2222222222, 3333333333, 4444444444], "assertion": "notEmpty", "type": "string"},
      {"field": {"first": "aaaaaaaaaa", "second": "bbbbbbbbbb", "third": 3}, "assertion": "notEmpty", "type": "array"}
  ]}})"))
                  .ok());
  EXPECT_EQ(h->sent()[0].content["error"], J(R"([
      "expected [ Array(4) ] to be a string",
      "expected { Object (first, second, ...) } to be an array"])"));
}

// ---- ProcessE2EResults

HarnessOptions ResultsOptions() {
  HarnessOptions options;
  options.properties = J(R"({"successStoreId": "passed", "failedStoreId": "failed"})");
  return options;
}

Json ResultInput(std::string_view result_json) {
  return Json::MakeObject(
      {{"recipients", "qa@example.com"}, {"testCase", "E2E utils"}, {"result", result_json}});
}

TEST_F(TestComponents, ProcessE2EResultsFilesPassingRunsInTheSuccessStore) {
  auto h = Make("appmixer.utils.test.ProcessE2EResults", ResultsOptions());
  const std::string result =
      R"([{"componentId":"a1","success":["x"],"error":[]},{"now":1,"runId":"r"}])";
  ASSERT_TRUE(h->Receive("in", ResultInput(result)).ok());
  auto stored = h->stores().Get("passed", "E2E utils");
  ASSERT_TRUE(stored.ok() && stored->has_value()) << stored.status().ToString();
  EXPECT_EQ((*stored)->value, Json(result));
  auto failed = h->stores().Get("failed", "E2E utils");
  EXPECT_FALSE(failed.ok() && failed->has_value());
  EXPECT_TRUE(h->logs().empty());
}

TEST_F(TestComponents, ProcessE2EResultsTreatsBeforeAllOutputAsAPass) {
  auto h = Make("appmixer.utils.test.ProcessE2EResults", ResultsOptions());
  ASSERT_TRUE(h->Receive("in", ResultInput(R"({"now":1700000000000,"runId":"r"})")).ok());
  auto stored = h->stores().Get("passed", "E2E utils");
  ASSERT_TRUE(stored.ok() && stored->has_value());
}

TEST_F(TestComponents, ProcessE2EResultsFilesFailedAssertsAndLogsTheMailItCannotSend) {
  auto h = Make("appmixer.utils.test.ProcessE2EResults", ResultsOptions());
  const std::string result =
      R"([{"componentId":"a1","error":[]},{"componentId":"a2","error":["expected 1 to equal 2"]}])";
  ASSERT_TRUE(h->Receive("in", ResultInput(result)).ok());
  auto stored = h->stores().Get("failed", "E2E utils");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->value, Json(result));
  auto passed = h->stores().Get("passed", "E2E utils");
  EXPECT_FALSE(passed.ok() && passed->has_value());
  ASSERT_EQ(h->logs().size(), 1u);
  EXPECT_EQ(h->logs()[0]["subject"].AsString(), "E2E utils failed");
  EXPECT_EQ(h->logs()[0]["to"].AsString(), "qa@example.com");
  EXPECT_EQ(h->logs()[0]["details"],
            J(R"([{"componentId":"a2","error":["expected 1 to equal 2"]}])"));
}

TEST_F(TestComponents, ProcessE2EResultsFilesTimeoutsAsFailures) {
  auto h = Make("appmixer.utils.test.ProcessE2EResults", ResultsOptions());
  ASSERT_TRUE(
      h->Receive("in", ResultInput(R"({"message":"timed out","timedOutLinks":["Assert:out"]})"))
          .ok());
  auto stored = h->stores().Get("failed", "E2E utils");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  ASSERT_EQ(h->logs().size(), 1u);
  EXPECT_EQ(h->logs()[0]["subject"].AsString(), "E2E utils timed out");
  EXPECT_EQ(h->logs()[0]["details"], J(R"(["Assert:out"])"));
}

TEST_F(TestComponents, ProcessE2EResultsAcceptsAResultThatIsNotText) {
  auto h = Make("appmixer.utils.test.ProcessE2EResults", ResultsOptions());
  Json input = ResultInput("");
  input.Set("result", J(R"([{"componentId":"a1","error":["boom"]}])"));
  ASSERT_TRUE(h->Receive("in", input).ok());
  auto stored = h->stores().Get("failed", "E2E utils");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->value, Json(R"([{"componentId":"a1","error":["boom"]}])"));
}

TEST_F(TestComponents, ProcessE2EResultsRejectsAResultThatIsNotJson) {
  auto h = Make("appmixer.utils.test.ProcessE2EResults", ResultsOptions());
  Status status = h->Receive("in", ResultInput("not json"));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
}

// ---- CallCount

TEST_F(TestComponents, CallCountSendsTheOriginalsOnceTheCountIsReached) {
  auto h = Make("appmixer.utils.test.CallCount", {.component_id = "cc"});
  ASSERT_TRUE(h->Start().ok());
  EXPECT_EQ(h->flow_state()["signalReceivers"][0]["componentId"].AsString(), "cc");

  for (int i = 1; i <= 4; ++i) {
    ReceiveOptions options;
    options.original_content = Json::MakeObject({{"i", i}});
    ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"callCount", 3}}), options).ok());
    EXPECT_EQ(h->sent().size(), i >= 3 ? 1u : 0u) << i;
  }
  EXPECT_EQ(h->sent()[0].content, J(R"([{"i": 1}, {"i": 2}, {"i": 3}])"));
  EXPECT_EQ(h->state(), J(R"({"callCount": 4, "messages": [{"i": 4}]})"));

  // BeforeAll's signal starts the count over and is answered.
  ASSERT_TRUE(h->Signal(J(R"({"beforeAll": {"runId": "r2"}})")).ok());
  EXPECT_EQ(h->state(), Json::MakeObject());
  ASSERT_EQ(h->signals_sent().size(), 1u);
  EXPECT_EQ(
      h->signals_sent()[0],
      J(R"({"componentId": "cc", "componentType": "appmixer.utils.test.CallCount", "runId": "r2"})"));
  ASSERT_TRUE(h->Signal(J(R"({"componentId": "x", "runId": "r2"})")).ok());
  EXPECT_EQ(h->signals_sent().size(), 1u);
}

TEST_F(TestComponents, CallCountCoercesTheCountThroughItsSchema) {
  auto h = Make("appmixer.utils.test.CallCount");
  ASSERT_TRUE(h->Receive("in", J(R"({"callCount": "1"})")).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content, J(R"([{"callCount": "1"}])"));
}

// ---- Join

Json JoinFlow() {
  return J(R"({
    "ba": {"type": "appmixer.utils.test.BeforeAll", "source": {}},
    "j": {"type": "appmixer.utils.test.Join", "source": {"join": {"w": ["out"]}, "in": {"t": ["out"]}}}
  })");
}

TEST_F(TestComponents, JoinPairsTheCurrentRunsJoinMessageWithEveryInMessage) {
  HarnessOptions options{.flow_descriptor = JoinFlow(), .component_id = "j"};
  options.flow_state = J(R"({"state": {"started": "s", "runId": "r1"}})");
  auto h = Make("appmixer.utils.test.Join", options);

  ASSERT_TRUE(
      h->Receive("in", J(R"({"item": 1})"), From("t", "out", J(R"({"t": {"out": 1}})"))).ok());
  EXPECT_TRUE(h->sent().empty());

  Json join_scope = J(R"({"ba": {"out": {"now": 1, "runId": "r1"}}, "w": {"out": {"id": "w1"}}})");
  ASSERT_TRUE(h->Receive("join", J(R"({"id": "w1"})"), From("w", "out", join_scope)).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content, J(R"({"join": {"id": "w1"}, "in": {"item": 1}})"));
  EXPECT_EQ(h->sent()[0].scope["t"], J(R"({"out": 1})"));
  EXPECT_EQ(h->sent()[0].scope["w"], J(R"({"out": {"id": "w1"}})"));
  EXPECT_EQ(h->sent()[0].scope["_walkthrough"][0]["links"][0]["sourceId"].AsString(), "w");
  EXPECT_EQ(h->state()["queue"], Json::MakeArray());

  ASSERT_TRUE(h->Receive("in", J(R"({"item": 2})"), From("t", "out")).ok());
  ASSERT_EQ(h->sent().size(), 2u);
  EXPECT_EQ(h->sent()[1].content, J(R"({"join": {"id": "w1"}, "in": {"item": 2}})"));
}

TEST_F(TestComponents, JoinHoldsMessagesWhileItsJoinIsFromAnotherRun) {
  HarnessOptions options{.flow_descriptor = JoinFlow(), .component_id = "j"};
  options.flow_state = J(R"({"state": {"started": "s", "runId": "r2"}})");
  auto h = Make("appmixer.utils.test.Join", options);
  ASSERT_TRUE(h->Receive("join", J(R"({"id": "old"})"),
                         From("w", "out", J(R"({"ba": {"out": {"runId": "r1"}}})")))
                  .ok());
  ASSERT_TRUE(h->Receive("in", J(R"({"item": 1})"), From("t", "out")).ok());
  EXPECT_TRUE(h->sent().empty());
  ASSERT_TRUE(h->Receive("join", J(R"({"id": "new"})"),
                         From("w", "out", J(R"({"ba": {"out": {"runId": "r2"}}})")))
                  .ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content, J(R"({"join": {"id": "new"}, "in": {"item": 1}})"));
}

TEST_F(TestComponents, JoinDropsEverythingOutsideARun) {
  HarnessOptions options{.flow_descriptor = JoinFlow(), .component_id = "j"};
  options.state = J(R"({"queue": [{"content": 1, "scope": {}}]})");
  auto h = Make("appmixer.utils.test.Join", options);
  ASSERT_TRUE(h->Receive("in", J(R"({"item": 1})"), From("t", "out")).ok());
  EXPECT_EQ(h->state(), Json::MakeObject());

  h->flow_state() = J(R"({"state": {"done": "d"}})");
  ASSERT_TRUE(h->Receive("join", J(R"({"id": "w"})"),
                         From("w", "out", J(R"({"ba": {"out": {"runId": "r1"}}})")))
                  .ok());
  EXPECT_TRUE(h->sent().empty());
  EXPECT_EQ(h->state(), Json::MakeObject());
}

TEST_F(TestComponents, JoinNeedsABeforeAllInTheFlow) {
  HarnessOptions options{.component_id = "j"};
  options.flow_state = J(R"({"state": {"runId": "r1"}})");
  auto h = Make("appmixer.utils.test.Join", options);
  Status status = h->Receive("join", J("{}"), From("w", "out"));
  EXPECT_EQ(status.message(), "BeforeAll component not found in the flow.");
}

// ---- Tick

TEST_F(TestComponents, TickSendsTheTime) {
  auto h = Make("appmixer.utils.test.Tick");
  ASSERT_TRUE(h->Tick().ok());
  h->clock().Advance(1500);
  ASSERT_TRUE(h->Tick().ok());
  ASSERT_EQ(h->sent().size(), 2u);
  EXPECT_EQ(h->sent()[0].content, J(R"({"time": "2023-11-14T22:13:20.000Z"})"));
  EXPECT_EQ(h->sent()[1].content, J(R"({"time": "2023-11-14T22:13:21.500Z"})"));
}

}  // namespace
}  // namespace flowkit
