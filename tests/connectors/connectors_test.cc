// Declarative connectors (flowkit/connectors.h): templates, the loader's errors, and the generic
// behaviour in the component harness against a loopback server (path and query parameters, JSON
// and form bodies, API-key and bearer auth with refresh after a 401, 4xx final / 5xx retried,
// output mapping).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "connectors/template.h"
#include "flowkit/connectors.h"
#include "flowkit/registry.h"
#include "flowkit/testing.h"
#include "connectors/connector_test_util.h"
#include "http/loopback.h"
#include "util/ids.h"

namespace flowkit {
namespace {

using connector_test::J;
using connector_test::Replace;
using http_test::LoopbackServer;
using testing::ComponentHarness;
using testing::HarnessOptions;

// A fresh directory removed at the end of the test.
struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("flowkit-connectors-" + internal::NewUuid4());
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  void Write(const std::string& name, std::string_view text) const {
    std::filesystem::create_directories((path / name).parent_path());
    std::ofstream(path / name) << text;
  }
};

// A connector document: `request` and `output` are JSON texts; BASE is the loopback server.
std::string ConnectorText(std::string_view name, std::string_view request, std::string_view output,
                          std::string_view auth = "") {
  std::string manifest = R"({"name": "acme.crm.core.)" + std::string(name) +
                         R"(", "inPorts": [{"name": "in", "schema": {"type": "object"}}], "outPorts": ["out"])";
  if (!auth.empty()) manifest += R"(, "auth": {"service": ")" + std::string(auth) + R"("})";
  manifest += "}";
  std::string text = R"({"manifest": )" + manifest + R"(, "request": )" + std::string(request);
  if (!output.empty()) text += R"(, "output": )" + std::string(output);
  return text + "}";
}

TEST(ConnectorTemplates, OnePlaceholderKeepsTypeAndMissingValuesDisappear) {
  Json data = J(R"({"input": {"n": 5, "tags": ["a", "b"], "name": "Ann", "obj": {"x": 1}, "nothing": null},
                    "auth": {"token": "t"}})");
  Json out = connectors::Evaluate(
      J(R"({"n": "{{input.n}}", "tags": "{{ input.tags }}", "first": "{{input.tags.0}}",
            "greeting": "Hi {{input.name}} ({{input.n}}) {{input.obj}}", "missing": "{{input.absent}}",
            "half": "Bearer {{auth.absent}}", "nil": "{{input.nothing}}", "list": ["{{input.absent}}", "x"],
            "literal": 3})"),
      data);
  EXPECT_EQ(out, J(R"({"n": 5, "tags": ["a", "b"], "first": "a", "greeting": "Hi Ann (5) {\"x\":1}",
                       "nil": null, "list": ["x"], "literal": 3})"));
}

TEST(ConnectorTemplates, UrlValuesAreEncodedExceptALeadingBase) {
  Json data = J(R"({"input": {"id": "a/b c?", "n": 7}, "config": {"base": "http://h:1/v1"}})");
  Result<std::string> url = connectors::EvaluateUrl("{{config.base}}/items/{{input.id}}/{{input.n}}", data);
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(*url, "http://h:1/v1/items/a%2Fb%20c%3F/7");
  Result<std::string> missing = connectors::EvaluateUrl("http://h/items/{{input.other}}", data);
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("input.other"), std::string::npos);
}

TEST(ConnectorLoader, ErrorsNameTheFileAndPointer) {
  struct Case {
    std::string text;
    std::string expected;  // a part of the message
  };
  const Case cases[] = {
      {"{not json", "invalid JSON"},
      {ConnectorText("A", R"({"method": "GET"})", ""), "/request/url: a request needs a url"},
      {ConnectorText("A", R"({"url": "https://x/{{secret.key}}"})", ""), "/request/url: unknown template root 'secret'"},
      {ConnectorText("A", R"({"url": "https://x/", "headers": {"X": "{{input.a"}})", ""),
       "/request/headers/X: '{{' without a closing '}}'"},
      {ConnectorText("A", R"({"url": "https://x/"})", R"({"port": "nope"})"), "/output/port: the manifest has no out-port 'nope'"},
      {ConnectorText("A", R"({"url": "https://x/"})", R"({"port": "out", "from": "data"})"), "/output/from"},
      {ConnectorText("A", R"({"url": "https://x/", "bodyType": "xml"})", ""), "/request/bodyType"},
      {R"({"manifest": {"name": "bad name"}, "request": {"url": "https://x/"}})", "/manifest/name"},
      {R"({"something": 1})", "neither a connector"},
      {R"({"service": "acme:crm", "type": "oauth2", "definition": {}})", "oauth2 needs definition.authUrl"},
  };
  for (const Case& c : cases) {
    TempDir dir;
    dir.Write("sub/one.json", c.text);
    Result<ConnectorSet> loaded = LoadConnectors(dir.path.string());
    ASSERT_FALSE(loaded.ok()) << c.text;
    EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(loaded.status().message().find((dir.path / "sub/one.json").string()), std::string::npos)
        << loaded.status().message();
    EXPECT_NE(loaded.status().message().find(c.expected), std::string::npos) << loaded.status().message();
  }
}

TEST(ConnectorLoader, RejectsDuplicatesAndMissingDirectories) {
  TempDir dir;
  dir.Write("a.json", ConnectorText("Same", R"({"url": "https://x/"})", ""));
  dir.Write("b.json", ConnectorText("Same", R"({"url": "https://y/"})", ""));
  Result<ConnectorSet> loaded = LoadConnectors(dir.path.string());
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("component 'acme.crm.core.Same' is also defined in"), std::string::npos)
      << loaded.status().message();

  TempDir services;
  services.Write("s1.json", R"({"service": "acme:crm", "type": "apiKey", "definition": {"auth": {}}})");
  services.Write("s2.json", R"({"service": "acme:crm", "type": "pwd"})");
  loaded = LoadConnectors(services.path.string());
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("service 'acme:crm' is also defined in"), std::string::npos);

  EXPECT_EQ(LoadConnectors((dir.path / "absent").string()).status().code(), StatusCode::kNotFound);
}

TEST(ConnectorLoader, LoadsComponentsAndServicesAndRegistersThem) {
  TempDir dir;
  dir.Write("crm/auth.json",
            R"({"service": "acme:crm", "type": "apiKey", "definition": {"auth": {"apiKey": {"type": "text", "name": "API key"}}}})");
  dir.Write("crm/GetContact.json", ConnectorText("GetContact", R"({"url": "https://x/{{input.id}}"})", R"({"port": "out"})", "acme:crm"));
  dir.Write("crm/ListContacts.json", ConnectorText("ListContacts", R"({"url": "https://x/"})", R"({"port": "out"})", "acme:crm"));
  Result<ConnectorSet> loaded = LoadConnectors(dir.path.string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->components.size(), 2u);
  EXPECT_EQ(loaded->components[0].manifest->name, "acme.crm.core.GetContact");
  ASSERT_EQ(loaded->auth.size(), 1u);
  EXPECT_EQ(loaded->auth[0].type, "apiKey");

  ComponentRegistry registry;
  ASSERT_TRUE(RegisterConnectors(*loaded, registry).ok());
  const ComponentType* type = registry.Find("acme.crm.core.ListContacts");
  ASSERT_NE(type, nullptr);
  EXPECT_TRUE(type->runnable());
  EXPECT_EQ(RegisterConnectors(*loaded, registry).code(), StatusCode::kAlreadyExists);

  AuthRegistry auth;
  ASSERT_TRUE(RegisterConnectorAuth(*loaded, auth).ok());
  ASSERT_NE(auth.Find("acme:crm"), nullptr);
  EXPECT_EQ(RegisterConnectorAuth(*loaded, auth).code(), StatusCode::kAlreadyExists);
}

class ConnectorRuns : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.ok()); }

  // Registers one connector (BASE in its texts = the loopback server) and returns its harness.
  std::unique_ptr<ComponentHarness> Harness(std::string_view name, std::string_view request, std::string_view output,
                                            HarnessOptions options = {}, std::string_view auth = "") {
    std::string text = Replace(ConnectorText(name, request, output, auth), "BASE", server_.url(""));
    return connector_test::RegisterAndHarness(registry_, text, "acme.crm.core." + std::string(name), std::move(options));
  }

  ComponentRegistry registry_;
  LoopbackServer server_;
};

TEST_F(ConnectorRuns, GetWithPathAndQueryParametersAndApiKeyHeader) {
  auto h = Harness("GetContact",
                   R"({"url": "BASE/echo/contacts/{{input.id}}",
                       "query": {"limit": "{{input.limit}}", "tag": "{{input.tags}}", "absent": "{{input.absent}}"},
                       "headers": {"X-Api-Key": "{{auth.apiKey}}"}})",
                   R"({"port": "out", "from": "/path"})",
                   {.auth = J(R"({"apiKey": "k-1"})")}, "acme:crm");
  ASSERT_NE(h, nullptr);
  Status s = h->Receive("in", J(R"({"id": "a b/c", "limit": 5, "tags": ["x", "y&z"]})"));
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(server_.request_count(), 1u);
  http_test::Recorded r = server_.requests()[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/echo/contacts/a%20b%2Fc?limit=5&tag=x&tag=y%26z");
  ASSERT_NE(r.Header("x-api-key"), nullptr);
  EXPECT_EQ(*r.Header("x-api-key"), "k-1");
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].port, "out");
  EXPECT_EQ(h->sent()[0].content, Json(r.path));
}

TEST_F(ConnectorRuns, MissingPathParameterFailsFinal) {
  auto h = Harness("GetContact", R"({"url": "BASE/echo/contacts/{{input.id}}"})", R"({"port": "out"})");
  ASSERT_NE(h, nullptr);
  Status s = h->Receive("in", J(R"({})"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(s.IsRetryable());
  EXPECT_EQ(server_.request_count(), 0u);
}

TEST_F(ConnectorRuns, PostJsonBodyAndMapOutput) {
  auto h = Harness("CreateContact",
                   R"({"method": "POST", "url": "BASE/echo/contacts",
                       "body": {"name": "{{input.name}}", "age": "{{input.age}}", "note": "{{input.note}}",
                                "owner": "{{properties.owner}}"}})",
                   R"({"port": "out", "map": {"status": "{{response.statusCode}}", "sent": "{{response.body.body}}",
                                              "name": "{{input.name}}"}})",
                   {.properties = J(R"({"owner": "me"})")});
  ASSERT_NE(h, nullptr);
  Status s = h->Receive("in", J(R"({"name": "Ann", "age": 31})"));
  ASSERT_TRUE(s.ok()) << s.ToString();
  http_test::Recorded r = server_.requests().at(0);
  EXPECT_EQ(r.method, "POST");
  ASSERT_NE(r.Header("content-type"), nullptr);
  EXPECT_EQ(*r.Header("content-type"), "application/json");
  EXPECT_EQ(J(r.body), J(R"({"name": "Ann", "age": 31, "owner": "me"})"));
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content["status"].AsInt(), 200);
  EXPECT_EQ(J(h->sent()[0].content["sent"].AsString()), J(r.body));
  EXPECT_EQ(h->sent()[0].content["name"].AsString(), "Ann");
}

TEST_F(ConnectorRuns, FormBodyAndBasicAuth) {
  auto h = Harness("Login",
                   R"({"method": "POST", "url": "BASE/echo/login", "bodyType": "form",
                       "basicAuth": {"username": "{{auth.username}}", "password": "{{auth.password}}"},
                       "body": {"q": "{{input.q}}", "n": 2}})",
                   R"({"port": "out"})", {.auth = J(R"({"username": "ann", "password": "s3cret"})")});
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Receive("in", J(R"({"q": "a b&c"})")).ok());
  http_test::Recorded r = server_.requests().at(0);
  EXPECT_EQ(r.body, "q=a%20b%26c&n=2");
  EXPECT_EQ(*r.Header("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(*r.Header("authorization"), "Basic YW5uOnMzY3JldA==");
}

TEST_F(ConnectorRuns, BearerTokenRefreshedOnceAfter401) {
  int refreshes = 0;
  HarnessOptions options{.auth = J(R"({"accessToken": "old"})")};
  options.refresh_auth = [&](const Json& rejected) -> Result<Json> {
    ++refreshes;
    EXPECT_EQ(rejected["accessToken"].AsString(), "old");
    return J(R"({"accessToken": "new"})");
  };
  auto h = Harness("Me", R"({"url": "BASE/bearer/new/me", "headers": {"Authorization": "Bearer {{auth.accessToken}}"}})",
                   R"({"port": "out", "from": "/method"})", std::move(options), "acme:crm");
  ASSERT_NE(h, nullptr);
  Status s = h->Receive("in", J("{}"));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(refreshes, 1);
  ASSERT_EQ(server_.request_count(), 2u);
  EXPECT_EQ(*server_.requests()[0].Header("authorization"), "Bearer old");
  EXPECT_EQ(*server_.requests()[1].Header("authorization"), "Bearer new");
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content.AsString(), "GET");
}

TEST_F(ConnectorRuns, FailedRefreshFailsUnauthenticatedAndASecond401IsFinal) {
  auto h = Harness("Me", R"({"url": "BASE/bearer/good/me", "headers": {"Authorization": "Bearer {{auth.accessToken}}"}})",
                   R"({"port": "out"})", {.auth = J(R"({"accessToken": "bad"})")}, "acme:crm");
  ASSERT_NE(h, nullptr);
  Status s = h->Receive("in", J("{}"));  // no refresh hook: kUnauthenticated
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_FALSE(s.IsRetryable());
  EXPECT_EQ(server_.request_count(), 1u);

  HarnessOptions options{.auth = J(R"({"accessToken": "bad"})")};
  options.refresh_auth = [](const Json&) -> Result<Json> { return J(R"({"accessToken": "still-bad"})"); };
  auto again = Harness("Me2", R"({"url": "BASE/bearer/good/me", "headers": {"Authorization": "Bearer {{auth.accessToken}}"}})",
                       R"({"port": "out"})", std::move(options), "acme:crm");
  ASSERT_NE(again, nullptr);
  s = again->Receive("in", J("{}"));
  EXPECT_EQ(s.message(), "Request failed with status code 401: bad token");
  EXPECT_FALSE(s.IsRetryable());
  EXPECT_EQ(server_.request_count(), 3u);  // one refresh, one retry, no more
}

TEST_F(ConnectorRuns, ClientErrorsAreFinalServerErrorsRetried) {
  auto h = Harness("Status", R"({"url": "BASE/status/{{input.code}}"})", R"({"port": "out"})");
  ASSERT_NE(h, nullptr);
  for (int code : {400, 404, 422}) {
    Status s = h->Receive("in", Json::MakeObject({{"code", Json(code)}}));
    EXPECT_EQ(s.message(), "Request failed with status code " + std::to_string(code) + ": status " + std::to_string(code));
    EXPECT_FALSE(s.IsRetryable()) << code;
  }
  for (int code : {500, 503, 429, 408}) {
    Status s = h->Receive("in", Json::MakeObject({{"code", Json(code)}}));
    EXPECT_EQ(s.http_status(), code);
    EXPECT_TRUE(s.IsRetryable()) << code;
  }
  EXPECT_TRUE(h->sent().empty());
}

TEST_F(ConnectorRuns, EachSendsOneMessagePerElement) {
  auto h = Harness("List", R"({"url": "BASE/list/{{input.n}}"})",
                   R"({"port": "out", "from": "/items", "each": true, "map": {"index": "{{item.i}}", "of": "{{response.body.count}}"}})");
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Receive("in", J(R"({"n": 3})")).ok());
  ASSERT_EQ(h->sent().size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(h->sent()[i].content, Json::MakeObject({{"index", Json(i)}, {"of", Json(3)}}));
  h->ClearSent();
  ASSERT_TRUE(h->Receive("in", J(R"({"n": 0})")).ok());
  EXPECT_TRUE(h->sent().empty());
}

}  // namespace
}  // namespace flowkit
