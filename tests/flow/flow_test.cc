#include "flowkit/flow.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "flow/test_util.h"

namespace flowkit {
namespace {

using test::DiagnosticsText;
using test::HasDiagnostic;
using test::LoadFixture;
using Severity = Diagnostic::Severity;

class FlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Diagnostics diags;
    Result<size_t> loaded =
        components_.LoadManifestDirectory(test::FixturePath("flows/components"), &diags);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    ASSERT_EQ(*loaded, 4u) << DiagnosticsText(diags);
    test::RegisterPassThroughModifiers(modifiers_, {"g_upper", "g_trim"});
  }

  Result<std::shared_ptr<const Flow>> ParseFixture(const std::string& name, Diagnostics* diags) {
    return Flow::Parse(test::ReadFixture("flows/" + name), components_, modifiers_, diags);
  }

  // Parses a fixture that must be valid; fails the test (and returns null) otherwise.
  std::shared_ptr<const Flow> ParseGood(const std::string& name, Diagnostics* diags) {
    Result<std::shared_ptr<const Flow>> flow = ParseFixture("good/" + name, diags);
    EXPECT_TRUE(flow.ok()) << flow.status().ToString() << "\n" << DiagnosticsText(*diags);
    return flow.ok() ? *flow : nullptr;
  }

  ComponentRegistry components_;
  ModifierRegistry modifiers_;
};

std::vector<std::string> NodeIds(const Flow& flow) {
  std::vector<std::string> ids;
  for (const FlowNode& node : flow.nodes()) ids.push_back(node.id);
  return ids;
}

std::vector<std::string> TriggerIds(const Flow& flow) {
  std::vector<std::string> ids;
  for (const FlowNode* node : flow.Triggers()) ids.push_back(node->id);
  return ids;
}

std::string LinkText(const FlowLink& link) {
  return link.source_id + "." + link.source_port + "->" + link.target_id + "." + link.target_port;
}

std::vector<std::string> LinkTexts(const Flow& flow) {
  std::vector<std::string> out;
  for (const FlowLink& link : flow.links()) out.push_back(LinkText(link));
  return out;
}

TEST_F(FlowTest, FlowObjectBuildsNodesLinksAndIndices) {
  Diagnostics diags;
  std::shared_ptr<const Flow> flow = ParseGood("linear.json", &diags);
  ASSERT_NE(flow, nullptr);
  EXPECT_TRUE(diags.empty()) << DiagnosticsText(diags);

  EXPECT_EQ(flow->flow_id(), "0b6c7f52-1111-4d2e-9c4f-000000000001");
  EXPECT_EQ(flow->name(), "Linear");
  EXPECT_EQ(flow->user_id(), "58593f07c3ee4f239dc69ff7");
  EXPECT_EQ(flow->custom_fields(), Json::MakeObject({{"category", "demo"}}));
  const Json doc = LoadFixture("flows/good/linear.json");
  EXPECT_EQ(flow->document(), doc);
  EXPECT_EQ(flow->descriptor(), doc["flow"]);

  EXPECT_EQ(NodeIds(*flow), (std::vector<std::string>{"src", "relay", "dst"}));
  const FlowNode* relay = flow->FindNode("relay");
  ASSERT_NE(relay, nullptr);
  EXPECT_EQ(relay->type, "acme.demo.core.Relay");
  EXPECT_EQ(relay->label, "Relay");
  EXPECT_EQ(relay->version, "1.0.0");
  ASSERT_NE(relay->manifest, nullptr);
  EXPECT_EQ(relay->manifest->name, "acme.demo.core.Relay");
  EXPECT_EQ(relay->properties, Json::MakeObject());
  EXPECT_EQ(relay->config, Json::MakeObject());
  EXPECT_EQ(relay->raw, doc["flow"]["relay"]);
  EXPECT_EQ(flow->FindNode("nope"), nullptr);

  const FlowNode* dst = flow->FindNode("dst");
  EXPECT_EQ(dst->properties, Json::MakeObject({{"interval", 15}, {"mode", nullptr}}));
  EXPECT_EQ(dst->config, doc["flow"]["dst"]["config"]);

  EXPECT_EQ(LinkTexts(*flow), (std::vector<std::string>{"src.out->relay.in", "relay.out->dst.in",
                                                        "relay.error->dst.in"}));
  // Only relay.out → dst.in has a transform; the others pass the payload through.
  EXPECT_TRUE(flow->links()[0].transform.is_identity());
  EXPECT_FALSE(flow->links()[1].transform.is_identity());
  ASSERT_EQ(flow->links()[1].transform.variables().size(), 1u);
  EXPECT_EQ(flow->links()[1].transform.variables()[0].component_id, "src");
  EXPECT_TRUE(flow->links()[2].transform.is_identity());

  EXPECT_EQ(flow->FindNode("src")->outbound, (std::vector<size_t>{0}));
  EXPECT_TRUE(flow->FindNode("src")->inbound.empty());
  EXPECT_EQ(relay->inbound, (std::vector<size_t>{0}));
  EXPECT_EQ(relay->outbound, (std::vector<size_t>{1, 2}));
  EXPECT_EQ(dst->inbound, (std::vector<size_t>{1, 2}));
  EXPECT_TRUE(dst->outbound.empty());

  EXPECT_EQ(TriggerIds(*flow), std::vector<std::string>{"src"});
}

TEST_F(FlowTest, TransformEvaluatesThroughTheLink) {
  Diagnostics diags;
  std::shared_ptr<const Flow> flow = ParseGood("linear.json", &diags);
  ASSERT_NE(flow, nullptr);
  const Json scope = Json::MakeObject({{"src", Json::MakeObject({{"out", Json::MakeObject({{"text", "hi"}})}})}});
  JsonScopeView view(scope);
  EvalEnv env;
  Result<Json> out = flow->links()[1].transform.Evaluate(Json::MakeObject(), view, env);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, Json::MakeObject({{"message", "Got hi"}}));
}

TEST_F(FlowTest, BareDescriptorIsAccepted) {
  Diagnostics diags;
  std::shared_ptr<const Flow> flow = ParseGood("bare.json", &diags);
  ASSERT_NE(flow, nullptr);
  EXPECT_TRUE(diags.empty()) << DiagnosticsText(diags);
  EXPECT_EQ(flow->flow_id(), "");
  EXPECT_EQ(flow->name(), "");
  EXPECT_EQ(flow->custom_fields(), Json::MakeObject());
  EXPECT_EQ(flow->descriptor(), flow->document());
  EXPECT_EQ(LinkTexts(*flow), std::vector<std::string>{"src.out->dst.in"});
}

TEST_F(FlowTest, ComponentNamedFlowMakesABareDescriptor) {
  Diagnostics diags;
  std::shared_ptr<const Flow> flow = ParseGood("flow_named_component.json", &diags);
  ASSERT_NE(flow, nullptr);
  EXPECT_EQ(NodeIds(*flow), (std::vector<std::string>{"flow", "sink"}));
  EXPECT_EQ(LinkTexts(*flow), std::vector<std::string>{"flow.out->sink.in"});
}

TEST_F(FlowTest, LoopsAreLegal) {
  Diagnostics diags;
  std::shared_ptr<const Flow> flow = ParseGood("loop.json", &diags);
  ASSERT_NE(flow, nullptr);
  EXPECT_TRUE(diags.empty()) << DiagnosticsText(diags);
  EXPECT_EQ(LinkTexts(*flow), (std::vector<std::string>{"start.out->a.in", "b.out->a.in", "a.out->b.in",
                                                        "b.error->b.in"}));
  EXPECT_EQ(TriggerIds(*flow), std::vector<std::string>{"start"});
  EXPECT_EQ(flow->FindNode("b")->inbound, (std::vector<size_t>{2, 3}));
  EXPECT_EQ(flow->FindNode("b")->outbound, (std::vector<size_t>{1, 3}));
}

TEST_F(FlowTest, StaleTransformIsAWarningAndNotCompiled) {
  Diagnostics diags;
  std::shared_ptr<const Flow> flow = ParseGood("stale_transform.json", &diags);
  ASSERT_NE(flow, nullptr);
  EXPECT_EQ(diags.error_count(), 0u) << DiagnosticsText(diags);
  EXPECT_TRUE(HasDiagnostic(diags, Severity::kWarning, "/flow/dst/config/transform/in/gone/out",
                            "no link from 'gone' out-port 'out' to in-port 'in'"))
      << DiagnosticsText(diags);
  EXPECT_EQ(test::WarningCount(diags), 1u) << DiagnosticsText(diags);
  ASSERT_EQ(flow->links().size(), 1u);
  EXPECT_FALSE(flow->links()[0].transform.is_identity());
}

TEST_F(FlowTest, PropertyTypeMismatchIsOnlyAWarning) {
  Diagnostics diags;
  std::shared_ptr<const Flow> flow = ParseGood("property_mismatch.json", &diags);
  ASSERT_NE(flow, nullptr);
  EXPECT_EQ(diags.error_count(), 0u);
  EXPECT_TRUE(HasDiagnostic(diags, Severity::kWarning, "/flow/dst/config/properties/interval",
                            "expects \"number\" here, got string"))
      << DiagnosticsText(diags);
  EXPECT_TRUE(HasDiagnostic(diags, Severity::kWarning, "/flow/dst/config/properties/mode",
                            "got number"))
      << DiagnosticsText(diags);
  EXPECT_EQ(test::WarningCount(diags), 2u) << DiagnosticsText(diags);
  EXPECT_EQ(flow->FindNode("dst")->properties["interval"].AsString(), "15");
}

TEST_F(FlowTest, MaxConnectionsWithinLimits) {
  Diagnostics diags;
  std::shared_ptr<const Flow> flow = ParseGood("join.json", &diags);
  ASSERT_NE(flow, nullptr);
  EXPECT_TRUE(diags.empty()) << DiagnosticsText(diags);
  EXPECT_EQ(TriggerIds(*flow), (std::vector<std::string>{"s1", "s2"}));
}

TEST_F(FlowTest, PointersEscapeSlashAndTilde) {
  Diagnostics diags;
  std::shared_ptr<const Flow> flow = ParseGood("escaped_ids.json", &diags);
  ASSERT_NE(flow, nullptr);
  EXPECT_EQ(LinkTexts(*flow), std::vector<std::string>{"a/b~c.out->dst.in"});
  Diagnostics bad;
  ASSERT_FALSE(ParseFixture("bad/nodes.json", &bad).ok());
  EXPECT_TRUE(HasDiagnostic(bad, Severity::kError, "/flow/a~1b~0c/type", "unknown component type 'acme.demo.core.Nope'"))
      << DiagnosticsText(bad);
}

TEST_F(FlowTest, MalformedJsonReportsTheOffset) {
  Diagnostics diags;
  Result<std::shared_ptr<const Flow>> flow = ParseFixture("bad/malformed.json", &diags);
  ASSERT_FALSE(flow.ok());
  EXPECT_EQ(flow.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(flow.status().message().find("offset"), std::string::npos) << flow.status().message();
  ASSERT_EQ(diags.error_count(), 1u);
  EXPECT_EQ(diags.items()[0].pointer, "");
}

struct Expected {
  std::string pointer;
  std::string text;
};

struct BadCase {
  std::string file;
  std::vector<Expected> errors;  // exactly these errors, no others
};

class FlowBadFixture : public FlowTest, public ::testing::WithParamInterface<BadCase> {};

TEST_P(FlowBadFixture, ReportsEveryErrorWithItsPointer) {
  const BadCase& c = GetParam();
  Diagnostics diags;
  Result<std::shared_ptr<const Flow>> flow = ParseFixture("bad/" + c.file, &diags);
  ASSERT_FALSE(flow.ok());
  EXPECT_EQ(flow.status().code(), StatusCode::kInvalidArgument);
  for (const Expected& e : c.errors) {
    EXPECT_TRUE(HasDiagnostic(diags, Severity::kError, e.pointer, e.text))
        << "missing: " << e.pointer << ": " << e.text << "\ngot:\n"
        << DiagnosticsText(diags);
  }
  EXPECT_EQ(diags.error_count(), c.errors.size()) << DiagnosticsText(diags);
}

const char kTransform[] = "/flow/dst/config/transform/in/src/out";

INSTANTIATE_TEST_SUITE_P(
    Fixtures, FlowBadFixture,
    ::testing::Values(
        BadCase{"not_object.json", {{"", "expected a flow (an object), got array"}}},
        BadCase{"descriptor_not_object.json", {{"/flow", "expected an object, got array"}}},
        BadCase{"header_types.json",
                {{"/name", "expected a string, got number"},
                 {"/flowId", "expected a string, got number"},
                 {"/userId", "expected a string, got array"},
                 {"/customFields", "expected an object, got string"}}},
        BadCase{"nodes.json",
                {{"/flow/number", "expected a component (an object with a 'type'), got number"},
                 {"/flow/untyped/type", "'type' is required"},
                 {"/flow/typed_wrong/type", "expected a string, got number"},
                 {"/flow/ghost/type", "unknown component type 'acme.demo.core.DoesNotExist'"},
                 {"/flow/a~1b~0c/type", "unknown component type 'acme.demo.core.Nope'"},
                 {"/flow/labels/label", "expected a string, got number"},
                 {"/flow/labels/version", "expected a string, got number"},
                 {"/flow/labels/config/properties", "expected an object, got array"},
                 {"/flow/config/config", "expected an object, got string"}}},
        BadCase{"source_shape.json",
                {{"/flow/s1/source", "expected an object ({inPort: {sourceId: [outPort, ...]}}), got string"},
                 {"/flow/s2/source/in", "expected an object ({sourceId: [outPort, ...]}), got array"},
                 {"/flow/s3/source/in/src", "expected an array of out-port names, got string"},
                 {"/flow/s4/source/in/src/0", "expected an out-port name (a string), got number"}}},
        BadCase{"source_refs.json",
                {{"/flow/dst/source/in/nowhere", "source component 'nowhere' is not in this flow"},
                 {"/flow/dst/source/in/src/0",
                  "component 'src' (type 'acme.demo.core.Source') has no out-port 'missing' (its out-ports: 'out')"},
                 {"/flow/dst/source/control",
                  "component type 'acme.demo.core.Sink' has no in-port 'control' (its in-ports: 'in')"}}},
        BadCase{"transform_port.json",
                {{"/flow/dst/config/transform/input",
                  "a transform for in-port 'input', which component type 'acme.demo.core.Sink' does not have"}}},
        BadCase{"transform_shape.json",
                {{"/flow/d1/config/transform", "expected an object, got array"},
                 {"/flow/d2/config/transform/in", "expected an object ({sourceId: {outPort: transform}}), got number"},
                 {"/flow/d3/config/transform/in/src", "expected an object ({outPort: transform}), got string"},
                 {"/flow/d4/config/transform/in/src/out", "expected a transform (an object: {type, lambda, modifiers}), got string"}}},
        BadCase{"max_connections.json",
                {{"/flow/join/source/a/s2/0",
                  "in-port 'a' of component 'join' accepts at most 1 connection(s); this is one more"},
                 {"/flow/d2/source/in/join/0",
                  "out-port 'out' of component 'join' accepts at most 1 connection(s); this is one more"}}}),
    [](const ::testing::TestParamInfo<BadCase>& param) {
      return param.param.file.substr(0, param.param.file.find('.'));
    });

// Modifier and variable problems are CompiledTransform's to word; the flow passes the pointer of
// the transform entry, so they land under it.
TEST_F(FlowTest, TransformProblemsAreReportedUnderTheTransformEntry) {
  Diagnostics diags;
  Result<std::shared_ptr<const Flow>> flow = ParseFixture("bad/modifiers.json", &diags);
  ASSERT_FALSE(flow.ok());
  bool unknown_modifier = false;
  bool bad_variable = false;
  for (const Diagnostic& d : diags.items()) {
    if (d.severity != Severity::kError) continue;
    EXPECT_EQ(d.pointer.rfind(kTransform, 0), 0u) << d.ToString();
    const std::string text = d.ToString();
    unknown_modifier |= text.find("g_noSuchModifier") != std::string::npos;
    bad_variable |= text.find("44444444-4444-4444-8444-444444444444") != std::string::npos;
  }
  EXPECT_TRUE(unknown_modifier) << DiagnosticsText(diags);
  EXPECT_TRUE(bad_variable) << DiagnosticsText(diags);
}

TEST_F(FlowTest, UnknownTypeStillChecksItsTransforms) {
  Json doc = LoadFixture("flows/bad/modifiers.json");
  ASSERT_TRUE(doc.IsObject());
  Json& dst = *doc.Find("flow")->Find("dst");
  dst.Set("type", "acme.demo.core.Gone");
  Diagnostics diags;
  ASSERT_FALSE(Flow::FromJson(doc, components_, modifiers_, &diags).ok());
  EXPECT_TRUE(HasDiagnostic(diags, Severity::kError, "/flow/dst/type", "unknown component type"));
  bool unknown_modifier = false;
  for (const Diagnostic& d : diags.items()) {
    unknown_modifier |= d.ToString().find("g_noSuchModifier") != std::string::npos;
  }
  EXPECT_TRUE(unknown_modifier) << DiagnosticsText(diags);
}

TEST_F(FlowTest, DuplicateLinkIsCountedOnce) {
  Diagnostics diags;
  Result<std::shared_ptr<const Flow>> flow = Flow::Parse(R"({"s": {"type": "acme.demo.core.Source"},
                         "d": {"type": "acme.demo.core.Sink", "source": {"in": {"s": ["out", "out"]}}}})",
                     components_, modifiers_, &diags);
  ASSERT_TRUE(flow.ok()) << DiagnosticsText(diags);
  EXPECT_EQ((*flow)->links().size(), 1u);
  EXPECT_TRUE(HasDiagnostic(diags, Severity::kWarning, "/d/source/in/s/1", "duplicate link"));
}

TEST_F(FlowTest, EmptyDescriptorIsAValidEmptyFlow) {
  Result<std::shared_ptr<const Flow>> flow = Flow::Parse(R"({"name": "empty", "flow": {}})", components_, modifiers_);
  ASSERT_TRUE(flow.ok());
  EXPECT_TRUE((*flow)->nodes().empty());
  EXPECT_TRUE((*flow)->Triggers().empty());
}

TEST_F(FlowTest, WrongTypesAnywhereNeverCrash) {
  const std::vector<std::string> fixtures = {"good/linear.json", "good/loop.json", "good/join.json",
                                             "bad/modifiers.json", "good/stale_transform.json"};
  const std::vector<Json> replacements = {Json(), Json(7), Json("x"), Json(true), Json("$.src.out.["),
                                          Json::MakeArray({1, "out"}), Json::MakeObject({{"out", 1}})};
  size_t documents = 0;
  for (const std::string& fixture : fixtures) {
    const Json doc = LoadFixture("flows/" + fixture);
    ASSERT_TRUE(doc.IsObject()) << fixture;
    for (const Json& replacement : replacements) {
      test::ForEachMutation(doc, replacement, [&](const Json& mutated) {
        Diagnostics diags;
        Result<std::shared_ptr<const Flow>> flow = Flow::FromJson(mutated, components_, modifiers_, &diags);
        EXPECT_EQ(flow.ok(), !diags.has_errors());
        if (flow.ok()) {
          // Every index a valid flow hands out points inside it.
          for (const FlowNode& node : (*flow)->nodes()) {
            for (size_t i : node.inbound) EXPECT_EQ((*flow)->links().at(i).target_id, node.id);
            for (size_t i : node.outbound) EXPECT_EQ((*flow)->links().at(i).source_id, node.id);
          }
        }
        ++documents;
      });
    }
  }
  EXPECT_GT(documents, 1000u);
}

}  // namespace
}  // namespace flowkit
