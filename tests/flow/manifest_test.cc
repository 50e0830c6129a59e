#include "flowkit/manifest.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "flow/test_util.h"
#include "flowkit/transform.h"

namespace flowkit {
namespace {

using test::DiagnosticsText;
using test::HasDiagnostic;
using test::LoadFixture;
using Severity = Diagnostic::Severity;

Result<Manifest> ParseFixture(const std::string& name, Diagnostics* diags) {
  return Manifest::Parse(test::ReadFixture("manifests/" + name), diags);
}

TEST(Manifest, FullFixtureFillsEveryField) {
  Diagnostics diags;
  Result<Manifest> m = ParseFixture("good/full.json", &diags);
  ASSERT_TRUE(m.ok()) << m.status().ToString() << DiagnosticsText(diags);
  EXPECT_TRUE(diags.empty()) << DiagnosticsText(diags);

  EXPECT_EQ(m->name, "acme.mail.messages.SendMail");
  EXPECT_EQ(m->label, "Send mail");
  EXPECT_EQ(m->description, "Sends an e-mail.");
  EXPECT_EQ(m->author, "Jane Doe <jane@example.com>");
  EXPECT_EQ(m->icon, "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=");
  EXPECT_EQ(m->marker, "data:image/png;base64,iVBORw0KGgo=");
  EXPECT_EQ(m->version, "1.2.0");
  EXPECT_EQ(m->config, "acme:mail:messages");
  EXPECT_FALSE(m->is_private);
  EXPECT_TRUE(m->tick);
  EXPECT_TRUE(m->webhook);
  EXPECT_FALSE(m->webhook_async);
  EXPECT_FALSE(m->trigger_flag);
  EXPECT_TRUE(m->state_persistent);

  ASSERT_TRUE(m->auth.has_value());
  EXPECT_EQ(m->auth->service, "acme:mail");
  EXPECT_EQ(m->auth->scope, (std::vector<std::string>{"send", "read"}));
  EXPECT_EQ(m->auth_config_service, "acme:mail");

  ASSERT_TRUE(m->quota.has_value());
  EXPECT_EQ(m->quota->manager, "acme:mail");
  EXPECT_EQ(m->quota->resources, (std::vector<std::string>{"requests", "sends"}));
  EXPECT_EQ(m->quota->scope, Json::MakeObject({{"userId", "{{userId}}"}}));
  EXPECT_EQ(m->quota->max_wait_ms, 5000);
  EXPECT_EQ(m->quota->concurrency, 2);

  ASSERT_TRUE(m->properties_schema.IsObject());
  EXPECT_NE(m->compiled_properties_schema, nullptr);
  EXPECT_TRUE(m->properties_inspector["inputs"]["from"].IsObject());

  ASSERT_EQ(m->in_ports.size(), 2u);
  const PortSpec& message = m->in_ports[0];
  EXPECT_EQ(message.name, "message");
  EXPECT_TRUE(message.schema.IsObject());
  ASSERT_NE(message.compiled_schema, nullptr);
  EXPECT_EQ(message.compiled_schema->schema(), message.schema);
  EXPECT_TRUE(message.inspector["inputs"].IsObject());
  EXPECT_EQ(message.source["url"].AsString(), "/component/acme/mail/messages/ListTemplates?outPort=out");
  EXPECT_EQ(message.max_connections, 3);
  EXPECT_EQ(message.extra, Json::MakeObject({{"required", Json::MakeArray({"to"})}}));
  const PortSpec& control = m->in_ports[1];
  EXPECT_EQ(control.name, "control");
  EXPECT_TRUE(control.schema.IsUndefined());
  EXPECT_EQ(control.compiled_schema, nullptr);
  EXPECT_EQ(control.max_connections, 0);

  ASSERT_EQ(m->out_ports.size(), 2u);
  EXPECT_EQ(m->out_ports[0].options[0]["value"].AsString(), "id");
  EXPECT_TRUE(m->out_ports[0].schema.IsUndefined());
  EXPECT_NE(m->out_ports[1].compiled_schema, nullptr);

  using S = FireSymbol;
  EXPECT_EQ(m->fire_patterns, (std::vector<std::vector<S>>{
                                  {S::kAny, S::kExists}, {S::kExists, S::kEmpty}, {S::kAll, S::kAny}}));

  EXPECT_EQ(m->localization["cs"]["label"].AsString(), "Poslat e-mail");
  EXPECT_EQ(m->dependencies["service"].AsString(), "1.0.1");
  EXPECT_EQ(m->extra, Json::MakeObject({{"httpRequestMethods", Json::MakeArray({"POST"})}}));
  EXPECT_EQ(m->raw, LoadFixture("manifests/good/full.json"));

  EXPECT_EQ(m->FindInPort("control"), &m->in_ports[1]);
  EXPECT_EQ(m->FindInPort("out"), nullptr);
  EXPECT_EQ(m->FindOutPort("failed"), &m->out_ports[1]);
  EXPECT_EQ(m->DisplayName(), "Send mail");
  EXPECT_FALSE(m->IsTrigger());
}

TEST(Manifest, MinimalManifestLeavesOptionalMembersUndefined) {
  Diagnostics diags;
  Result<Manifest> m = ParseFixture("good/minimal.json", &diags);
  ASSERT_TRUE(m.ok()) << DiagnosticsText(diags);
  EXPECT_TRUE(diags.empty());
  EXPECT_TRUE(m->in_ports.empty());
  EXPECT_TRUE(m->out_ports.empty());
  EXPECT_TRUE(m->IsTrigger());
  EXPECT_EQ(m->DisplayName(), "Noop");
  EXPECT_TRUE(m->properties_schema.IsUndefined());
  EXPECT_TRUE(m->properties_inspector.IsUndefined());
  EXPECT_EQ(m->compiled_properties_schema, nullptr);
  EXPECT_TRUE(m->localization.IsUndefined());
  EXPECT_TRUE(m->dependencies.IsUndefined());
  EXPECT_FALSE(m->auth.has_value());
  EXPECT_FALSE(m->auth_config_service.has_value());
  EXPECT_FALSE(m->quota.has_value());
  EXPECT_TRUE(m->fire_patterns.empty());
  EXPECT_EQ(m->extra, Json::MakeObject());
}

TEST(Manifest, StringPortsNumericFireSymbolsAndEmptyQuota) {
  Diagnostics diags;
  Result<Manifest> m = ParseFixture("good/string_ports.json", &diags);
  ASSERT_TRUE(m.ok()) << DiagnosticsText(diags);
  EXPECT_TRUE(diags.empty()) << DiagnosticsText(diags);
  ASSERT_EQ(m->in_ports.size(), 2u);
  EXPECT_EQ(m->in_ports[1].name, "right");
  EXPECT_TRUE(m->in_ports[1].extra.IsUndefined());
  EXPECT_EQ(m->fire_patterns,
            (std::vector<std::vector<FireSymbol>>{{FireSymbol::kAny, FireSymbol::kExists}}));
  // `{}` names no quota manager: there is nothing to enforce.
  EXPECT_FALSE(m->quota.has_value());
}

TEST(Manifest, QuotaResourcesStringAndMaxWaitAsNumericStringWarns) {
  Diagnostics diags;
  Result<Manifest> m = ParseFixture("good/quota_variants.json", &diags);
  ASSERT_TRUE(m.ok()) << DiagnosticsText(diags);
  EXPECT_EQ(diags.error_count(), 0u);
  EXPECT_TRUE(HasDiagnostic(diags, Severity::kWarning, "/quota/maxWait", "a number written as a string"))
      << DiagnosticsText(diags);
  ASSERT_TRUE(m->quota.has_value());
  EXPECT_EQ(m->quota->resources, std::vector<std::string>{"requests"});
  EXPECT_EQ(m->quota->max_wait_ms, 120000);
  EXPECT_FALSE(m->quota->concurrency.has_value());
  EXPECT_TRUE(m->quota->scope.IsUndefined());
  EXPECT_TRUE(m->IsTrigger());
}

// 19 of Appmixer's own manifests name a service without a module (vendor.service.Component).
TEST(Manifest, ThreePartNameIsAcceptedWithAWarning) {
  Diagnostics diags;
  Result<Manifest> m = ParseFixture("good/three_part_name.json", &diags);
  ASSERT_TRUE(m.ok()) << DiagnosticsText(diags);
  EXPECT_EQ(m->name, "acme.contacts.CreateContact");
  EXPECT_EQ(m->DisplayName(), "CreateContact");
  EXPECT_EQ(diags.items().size(), 1u);
  EXPECT_TRUE(HasDiagnostic(diags, Severity::kWarning, "/name", "has no module part")) << DiagnosticsText(diags);
}

struct Expected {
  std::string pointer;
  std::string text;
};

struct BadCase {
  std::string file;
  std::vector<Expected> errors;  // exactly these errors, no others
};

class ManifestBadFixture : public ::testing::TestWithParam<BadCase> {};

TEST_P(ManifestBadFixture, ReportsEveryErrorWithItsPointer) {
  const BadCase& c = GetParam();
  Diagnostics diags;
  Result<Manifest> m = ParseFixture("bad/" + c.file, &diags);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  for (const Expected& e : c.errors) {
    EXPECT_TRUE(HasDiagnostic(diags, Severity::kError, e.pointer, e.text))
        << "missing: " << e.pointer << ": " << e.text << "\ngot:\n"
        << DiagnosticsText(diags);
  }
  EXPECT_EQ(diags.error_count(), c.errors.size()) << DiagnosticsText(diags);
  // The status names the first error and counts the rest.
  EXPECT_NE(m.status().message().find(diags.items()[0].ToString()), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, ManifestBadFixture,
    ::testing::Values(
        BadCase{"not_object.json", {{"", "expected a component manifest (an object), got array"}}},
        BadCase{"name_missing.json", {{"/name", "'name' is required"}}},
        BadCase{"name_pattern.json", {{"/name", "'acme.util.Broken-Name' is not a valid component type name"}}},
        BadCase{"name_type.json", {{"/name", "expected a string, got number"}}},
        BadCase{"strings.json",
                {{"/label", "expected a string, got number"},
                 {"/description", "expected a string, got array"},
                 {"/author", "expected a string, got object"},
                 {"/icon", "expected a string, got null"},
                 {"/marker", "expected a string, got boolean"},
                 {"/version", "expected a string, got number"},
                 {"/config", "expected a string, got object"}}},
        BadCase{"booleans.json",
                {{"/tick", "expected a boolean, got string"},
                 {"/webhook", "expected a boolean, got number"},
                 {"/webhookAsync", "expected a boolean, got null"},
                 {"/trigger", "expected a boolean, got string"},
                 {"/private", "expected a boolean, got number"},
                 {"/state/persistent", "expected a boolean, got string"}}},
        BadCase{"ports_not_array.json",
                {{"/inPorts", "expected an array, got string"},
                 {"/outPorts", "expected an array, got object"}}},
        BadCase{"port_items.json",
                {{"/inPorts/0", "expected a port name (string) or a port object, got number"},
                 {"/inPorts/1/name", "'name' is required"},
                 {"/inPorts/2", "a port name must not be empty"},
                 {"/inPorts/3/name", "a port name must not be empty"},
                 {"/inPorts/4", "got null"},
                 {"/outPorts/0/name", "expected a string, got number"}}},
        BadCase{"port_duplicate.json",
                {{"/inPorts/1/name", "duplicate in-port name 'in' (first defined at /inPorts/0)"},
                 {"/outPorts/2", "duplicate out-port name 'out' (first defined at /outPorts/0)"}}},
        BadCase{"port_fields.json",
                {{"/inPorts/0/schema", "expected an object (a JSON Schema), got string"},
                 {"/inPorts/0/maxConnections", "must be at least 0, got -1"},
                 {"/inPorts/0/source", "expected an object, got string"},
                 {"/outPorts/0/options", "expected an array, got object"},
                 {"/outPorts/0/maxConnections", "expected an integer, got string"},
                 {"/outPorts/1/options/0", "expected an object ({label, value}), got string"},
                 {"/outPorts/1/schema", "expected an object (a JSON Schema), got array"}}},
        BadCase{"properties.json", {{"/properties/schema", "expected an object (a JSON Schema), got array"}}},
        BadCase{"properties_type.json", {{"/properties", "expected an object, got string"}}},
        BadCase{"fire_symbols.json",
                {{"/firePatterns/1", "expected a fire-pattern symbol (\"*\", \"1\", \"0\", \"A\", 1 or 0), got \"x\""},
                 {"/firePatterns/2", "got 2"}}},
        BadCase{"fire_length.json",
                {{"/firePatterns/1", "a fire pattern needs one symbol per in-port (2), got 1"},
                 {"/firePatterns/2", "a fire pattern needs one symbol per in-port (2), got 3"}}},
        BadCase{"fire_mixed.json", {{"/firePatterns/1", "expected an array (a fire-pattern row"}}},
        BadCase{"fire_type.json", {{"/firePatterns", "expected an array, got string"}}},
        BadCase{"quota.json",
                {{"/quota/manager", "'manager' is required"},
                 {"/quota/resources", "expected a string or an array of strings, got number"},
                 {"/quota/scope", "expected an object, got string"},
                 {"/quota/maxWait", "must be at least 0, got -1"},
                 {"/quota/concurrency", "must be at least 1, got 0"}}},
        BadCase{"quota_resources.json",
                {{"/quota/resources/1", "expected a string, got number"},
                 {"/quota/maxWait", "expected a non-negative integer (milliseconds), got string"}}},
        BadCase{"quota_type.json", {{"/quota", "expected an object, got string"}}},
        BadCase{"auth.json",
                {{"/auth/service", "'service' is required"},
                 {"/auth/scope", "expected an array, got string"},
                 {"/authConfig/service", "expected a string, got number"}}},
        BadCase{"auth_scope_items.json",
                {{"/auth/scope/1", "expected a string, got number"},
                 {"/authConfig", "expected an object, got string"}}},
        BadCase{"objects.json",
                {{"/localization/cs", "expected an object (strings by manifest path), got string"},
                 {"/dependencies", "expected an object, got array"},
                 {"/state", "expected an object, got boolean"}}},
        BadCase{"many.json",
                {{"/name", "not a valid component type name"},
                 {"/tick", "expected a boolean, got string"},
                 {"/inPorts/0", "got number"},
                 {"/quota/manager", "expected a string, got number"},
                 {"/quota/resources", "'resources' is required"},
                 {"/auth", "expected an object, got array"}}}),
    [](const ::testing::TestParamInfo<BadCase>& param) {
      std::string name = param.param.file.substr(0, param.param.file.find('.'));
      for (char& c : name) {
        if (c == '-') c = '_';
      }
      return name;
    });

TEST(Manifest, FireRowLengthIsNotCheckedWhenInPortsAreBroken) {
  Diagnostics diags;
  Result<Manifest> m = Manifest::Parse(
      R"({"name": "a.b.c.D", "inPorts": ["a", 5], "firePatterns": ["*", 1]})", &diags);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(diags.error_count(), 1u) << DiagnosticsText(diags);
  EXPECT_TRUE(HasDiagnostic(diags, Severity::kError, "/inPorts/1", "got number"));
}

TEST(Manifest, ParseReportsMalformedJsonWithOffset) {
  Diagnostics diags;
  Result<Manifest> m = Manifest::Parse(R"({"name": "a.b.c.D",})", &diags);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find("offset"), std::string::npos) << m.status().message();
  ASSERT_EQ(diags.error_count(), 1u);
  EXPECT_EQ(diags.items()[0].pointer, "");
}

TEST(Manifest, DiagnosticsArgumentIsOptional) {
  Result<Manifest> bad = Manifest::FromJson(Json::MakeObject({{"tick", 1}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("/name: "), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("(and 1 more error)"), std::string::npos) << bad.status().message();
  EXPECT_TRUE(Manifest::FromJson(Json::MakeObject({{"name", "a.b.c.D"}})).ok());
}

TEST(Manifest, DiagnosticsAreAppendedToWhatTheCallerHas) {
  Diagnostics diags;
  diags.Warning("/earlier", "kept");
  (void)Manifest::FromJson(Json::MakeObject({{"name", 1}}), &diags);
  ASSERT_EQ(diags.items().size(), 2u);
  EXPECT_EQ(diags.items()[0].pointer, "/earlier");
  EXPECT_EQ(diags.items()[1].pointer, "/name");
}

TEST(Manifest, WrongTypesAnywhereNeverCrash) {
  const Json full = LoadFixture("manifests/good/full.json");
  ASSERT_TRUE(full.IsObject());
  const std::vector<Json> replacements = {Json(), Json(7), Json(-1), Json(1.5), Json("x"), Json(true),
                                          Json::MakeArray({1, "a"}), Json::MakeObject({{"k", 1}})};
  size_t documents = 0;
  for (const Json& replacement : replacements) {
    test::ForEachMutation(full, replacement, [&](const Json& doc) {
      Diagnostics diags;
      Result<Manifest> m = Manifest::FromJson(doc, &diags);
      EXPECT_EQ(m.ok(), !diags.has_errors());
      for (const Diagnostic& d : diags.items()) EXPECT_FALSE(d.message.empty());
      ++documents;
    });
  }
  EXPECT_GT(documents, 500u);
}

TEST(Manifest, ComponentTypeNames) {
  EXPECT_TRUE(IsValidComponentTypeName("appmixer.utils.controls.OnStart"));
  EXPECT_TRUE(IsValidComponentTypeName("a_1.B2.c_.D"));
  EXPECT_FALSE(IsValidComponentTypeName(""));
  EXPECT_FALSE(IsValidComponentTypeName("a.b.c"));
  EXPECT_FALSE(IsValidComponentTypeName("a.b.c.d.e"));
  EXPECT_FALSE(IsValidComponentTypeName("a..c.d"));
  EXPECT_FALSE(IsValidComponentTypeName(".b.c.d"));
  EXPECT_FALSE(IsValidComponentTypeName("a.b.c."));
  EXPECT_FALSE(IsValidComponentTypeName("a.b-x.c.d"));
  EXPECT_FALSE(IsValidComponentTypeName("a.b.c.d "));
  EXPECT_FALSE(IsValidComponentTypeName("a.b.c.\xC3\xA9"));  // JavaScript's \w is ASCII only
}

}  // namespace
}  // namespace flowkit
