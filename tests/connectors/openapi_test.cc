// `flowkit openapi` (connectors/openapi.h): connectors generated from a small OpenAPI 3 document
// (tests/fixtures/openapi/shelter.json) — names, parameters, bodies, outputs, security schemes,
// errors naming JSON pointers — load with LoadConnectors and run against a loopback server; the
// CLI writes them and `flowkit run --connectors` runs one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "connectors/openapi.h"
#include "flowkit/connectors.h"
#include "flowkit/registry.h"
#include "flowkit/testing.h"
#include "http/loopback.h"
#include "tools/cli_runner.h"
#include "util/ids.h"

namespace flowkit {
namespace {

using connectors::GenerateOpenApiConnectors;
using connectors::OpenApiConnectors;
using http_test::LoopbackServer;
using testing::ComponentHarness;

const std::string kSpec = std::string(FLOWKIT_TEST_FIXTURES) + "/openapi/shelter.json";

Json J(std::string_view text) {
  Result<Json> parsed = Json::Parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " in " << text;
  return parsed.ok() ? std::move(parsed).value() : Json::Undefined();
}

Json Spec() { return J(testing_support::Slurp(kSpec)); }

std::map<std::string, Json> ByPath(const OpenApiConnectors& generated) {
  std::map<std::string, Json> out;
  for (const auto& file : generated.files) out[file.path] = file.doc;
  return out;
}

struct TempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("flowkit-openapi-" + internal::NewUuid4());
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

TEST(OpenApi, GeneratesOneConnectorPerOperation) {
  Result<OpenApiConnectors> generated = GenerateOpenApiConnectors(Spec(), {.vendor = "acme"});
  ASSERT_TRUE(generated.ok()) << generated.status().ToString();
  EXPECT_TRUE(generated->warnings.empty()) << generated->warnings.front();
  std::map<std::string, Json> files = ByPath(*generated);
  ASSERT_EQ(files.size(), 6u);
  for (const char* name : {"ListAnimals.json", "CreateAnimal.json", "GetAnimal.json", "DeleteAnimal.json",
                           "GetHealth.json", "auth.json"}) {
    EXPECT_EQ(files.count(name), 1u) << name;
  }
  EXPECT_EQ(files["auth.json"], J(R"({"service": "acme:animal_shelter", "type": "apiKey", "definition": {"auth":
      {"apiKey": {"type": "password", "name": "API key", "tooltip": "From your shelter account page"}}}})"));

  const Json& list = files["ListAnimals.json"];
  EXPECT_EQ(list["manifest"]["name"].AsString(), "acme.animal_shelter.core.ListAnimals");
  EXPECT_EQ(list["manifest"]["label"].AsString(), "List animals");
  EXPECT_EQ(list["manifest"]["auth"], J(R"({"service": "acme:animal_shelter"})"));
  EXPECT_EQ(list["request"], J(R"({"method": "GET", "url": "https://eu.shelter.example/v1/animals",
      "query": {"limit": "{{input.limit}}", "species": "{{input.species}}"},
      "headers": {"X-Request-Id": "{{input.X-Request-Id}}", "X-Shelter-Key": "{{auth.apiKey}}"}})"));
  EXPECT_EQ(list["output"], J(R"({"port": "out", "each": true})"));
  const Json& in = list["manifest"]["inPorts"][0];
  EXPECT_EQ(in["schema"]["properties"]["limit"], J(R"({"type": "integer", "minimum": 1, "description": "At most this many"})"));
  EXPECT_EQ(in["inspector"]["inputs"]["species"]["type"].AsString(), "select");
  EXPECT_EQ(in["inspector"]["inputs"]["limit"]["type"].AsString(), "number");
  const Json& options = list["manifest"]["outPorts"][0]["options"];
  ASSERT_EQ(options.size(), 4u);
  EXPECT_EQ(options[3]["value"].AsString(), "mother");  // the cyclic $ref inlined once, then {}

  const Json& create = files["CreateAnimal.json"];
  EXPECT_EQ(create["request"]["method"].AsString(), "POST");
  EXPECT_EQ(create["request"]["body"], J(R"({"name": "{{input.name}}", "species": "{{input.species}}", "age": "{{input.age}}"})"));
  EXPECT_EQ(create["manifest"]["inPorts"][0]["schema"]["required"], J(R"(["name"])"));
  EXPECT_EQ(create["manifest"]["inPorts"][0]["schema"]["properties"]["age"]["type"], J(R"(["integer", "null"])"));

  const Json& get = files["GetAnimal.json"];
  EXPECT_EQ(get["request"]["url"].AsString(), "https://eu.shelter.example/v1/animals/{{input.animalId}}");
  EXPECT_EQ(get["manifest"]["inPorts"][0]["schema"]["required"], J(R"(["animalId"])"));
  EXPECT_FALSE(get["output"].Contains("each"));

  // security: [] — no auth at all.
  EXPECT_FALSE(files["DeleteAnimal.json"]["manifest"].Contains("auth"));
  EXPECT_FALSE(files["DeleteAnimal.json"]["request"].Contains("headers"));
  EXPECT_EQ(files["GetHealth.json"]["request"]["url"].AsString(), "https://eu.shelter.example/v1/health");

  // What `flowkit openapi` writes loads as a connector directory.
  TempDir dir;
  for (const auto& [path, doc] : files) std::ofstream(dir.path / path) << doc.DumpPretty();
  Result<ConnectorSet> loaded = LoadConnectors(dir.path.string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->components.size(), 5u);
  ASSERT_EQ(loaded->auth.size(), 1u);
  EXPECT_EQ(loaded->auth[0].service, "acme:animal_shelter");
}

TEST(OpenApi, SecuritySchemesBecomeServiceAuth) {
  struct Case {
    std::string scheme;
    std::string type;
    std::string request_key;  // where the credentials go
    std::string expected;
  };
  const Case cases[] = {
      {R"({"type": "apiKey", "in": "query", "name": "key"})", "apiKey", "query", R"({"key": "{{auth.apiKey}}"})"},
      {R"({"type": "apiKey", "in": "cookie", "name": "sid"})", "apiKey", "headers", R"({"Cookie": "sid={{auth.apiKey}}"})"},
      {R"({"type": "http", "scheme": "bearer"})", "apiKey", "headers", R"({"Authorization": "Bearer {{auth.token}}"})"},
      {R"({"type": "http", "scheme": "basic"})", "pwd", "basicAuth",
       R"({"username": "{{auth.username}}", "password": "{{auth.password}}"})"},
      {R"({"type": "oauth2", "flows": {"authorizationCode": {"authorizationUrl": "https://id.example/authorize",
          "tokenUrl": "https://id.example/token", "scopes": {"read": "Read", "write": "Write"}}}})",
       "oauth2", "headers", R"({"Authorization": "Bearer {{auth.accessToken}}"})"},
  };
  for (const Case& c : cases) {
    Json spec = Spec();
    Json components = spec["components"];
    components.Set("securitySchemes", Json::MakeObject({{"shelterKey", J(c.scheme)}}));
    spec.Set("components", components);
    Json paths = Json::MakeObject({{"/health", spec["paths"]["/health"]}});
    Json health = paths["/health"];
    Json op = health["get"];
    op.Set("security", J(R"([{"shelterKey": ["read"]}])"));
    health.Set("get", op);
    paths.Set("/health", health);
    spec.Set("paths", paths);
    Result<OpenApiConnectors> generated = GenerateOpenApiConnectors(spec);
    ASSERT_TRUE(generated.ok()) << c.scheme << ": " << generated.status().ToString();
    std::map<std::string, Json> files = ByPath(*generated);
    EXPECT_EQ(files["auth.json"]["type"].AsString(), c.type) << c.scheme;
    EXPECT_EQ(files["GetHealth.json"]["request"][c.request_key], J(c.expected)) << c.scheme;
    if (c.type == "oauth2") {
      EXPECT_EQ(files["auth.json"]["definition"], J(R"({"authUrl": "https://id.example/authorize",
          "requestAccessToken": "https://id.example/token", "refreshAccessToken": "https://id.example/token",
          "scope": ["read", "write"], "scopeDelimiter": " "})"));
      EXPECT_EQ(files["GetHealth.json"]["manifest"]["auth"]["scope"], J(R"(["read"])"));
    }
  }

  Json spec = Spec();
  Json components = spec["components"];
  components.Set("securitySchemes", J(R"({"shelterKey": {"type": "openIdConnect", "openIdConnectUrl": "https://id.example/"}})"));
  spec.Set("components", components);
  Result<OpenApiConnectors> generated = GenerateOpenApiConnectors(spec);
  ASSERT_TRUE(generated.ok());
  ASSERT_EQ(generated->warnings.size(), 1u);
  EXPECT_NE(generated->warnings[0].find("/components/securitySchemes/shelterKey"), std::string::npos);
  EXPECT_EQ(ByPath(*generated).count("auth.json"), 0u);
}

TEST(OpenApi, ErrorsNameTheJsonPointer) {
  EXPECT_NE(GenerateOpenApiConnectors(J(R"({"swagger": "2.0"})")).status().message().find("/openapi"), std::string::npos);
  Json spec = Spec();
  spec.Set("servers", J(R"([{"url": "/v1"}])"));
  EXPECT_NE(GenerateOpenApiConnectors(spec).status().message().find("/servers/0/url"), std::string::npos);
  spec = Spec();
  Json paths = spec["paths"];
  Json item = paths["/animals/{animalId}"];
  item.Set("parameters", J(R"([{"$ref": "#/components/parameters/Nope"}])"));
  paths.Set("/animals/{animalId}", item);
  spec.Set("paths", paths);
  Result<OpenApiConnectors> broken = GenerateOpenApiConnectors(spec);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(broken.status().message().find("/paths/~1animals~1{animalId}/parameters/0/$ref"), std::string::npos)
      << broken.status().message();
}

TEST(OpenApi, GeneratedConnectorRunsAgainstTheServer) {
  LoopbackServer server;
  ASSERT_TRUE(server.ok());
  Json spec = Spec();
  spec.Set("servers", Json::MakeArray({Json::MakeObject({{"url", Json(server.url("/echo"))}})}));
  Result<OpenApiConnectors> generated = GenerateOpenApiConnectors(spec, {.vendor = "acme"});
  ASSERT_TRUE(generated.ok()) << generated.status().ToString();
  ConnectorSet set;
  for (const auto& file : generated->files) {
    if (!file.doc.Contains("manifest")) continue;
    Result<Connector> c = ParseConnector(file.doc, file.path);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    set.components.push_back(std::move(*c));
  }
  ComponentRegistry registry;
  ASSERT_TRUE(RegisterConnectors(set, registry).ok());

  auto get = ComponentHarness::Create(registry, "acme.animal_shelter.core.GetAnimal", {.auth = J(R"({"apiKey": "k-9"})")});
  ASSERT_TRUE(get.ok()) << get.status().ToString();
  Status s = (*get)->Receive("in", J(R"({"animalId": "rex 1"})"));
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(server.request_count(), 1u);
  EXPECT_EQ(server.requests()[0].target, "/echo/animals/rex%201");
  ASSERT_NE(server.requests()[0].Header("x-shelter-key"), nullptr);
  EXPECT_EQ(*server.requests()[0].Header("x-shelter-key"), "k-9");
  ASSERT_EQ((*get)->sent().size(), 1u);
  EXPECT_EQ((*get)->sent()[0].content["method"].AsString(), "GET");

  auto create = ComponentHarness::Create(registry, "acme.animal_shelter.core.CreateAnimal", {.auth = J(R"({"apiKey": "k-9"})")});
  ASSERT_TRUE(create.ok());
  s = (*create)->Receive("in", J(R"({"name": "Tom", "age": "4"})"));  // "4" coerced by the in-port schema
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(J(server.requests()[1].body), J(R"({"name": "Tom", "age": 4})"));
  EXPECT_EQ((*create)->Receive("in", J(R"({"species": "cat"})")).code(), StatusCode::kInvalidArgument);  // name required
}

TEST(OpenApiCli, WritesConnectorsThatFlowkitRunRuns) {
  LoopbackServer server;
  ASSERT_TRUE(server.ok());
  TempDir dir;
  Json spec = Spec();
  spec.Set("servers", Json::MakeArray({Json::MakeObject({{"url", Json(server.url("/echo"))}})}));
  std::string spec_path = (dir.path / "spec.json").string();
  std::ofstream(spec_path) << spec.Dump();
  std::string out_dir = (dir.path / "out").string();

  testing_support::CliResult r = testing_support::RunCli({"openapi", spec_path, out_dir, "--vendor", "acme"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("wrote " + out_dir + "/GetHealth.json (acme.animal_shelter.core.GetHealth)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("5 connectors, auth acme:animal_shelter (apiKey), 0 warnings"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(out_dir + "/auth.json"));

  // A flow: OnStart → GetHealth (no auth needed).
  std::string flow_path = (dir.path / "flow.json").string();
  std::ofstream(flow_path) << R"({"name": "health", "flow": {
      "on": {"type": "appmixer.utils.controls.OnStart", "source": {}},
      "health": {"type": "acme.animal_shelter.core.GetHealth", "source": {"in": {"on": ["out"]}}}}})";
  r = testing_support::RunCli({"run", flow_path, "--connectors", out_dir, "--wait", "0.2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(R"("component":"health")"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"("path":"/echo/health")"), std::string::npos) << r.out;

  r = testing_support::RunCli({"openapi", (dir.path / "missing.json").string(), out_dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing.json: cannot be read"), std::string::npos) << r.err;
}

// Against Appmixer's own connectors, when a checkout is at $FLOWKIT_APPMIXER_CONNECTORS.
TEST(OpenApi, GeneratesFromAppmixerOpenApiDocuments) {
  const char* root = std::getenv("FLOWKIT_APPMIXER_CONNECTORS");
  if (root == nullptr || !std::filesystem::is_directory(root)) GTEST_SKIP() << "FLOWKIT_APPMIXER_CONNECTORS not set";
  int tried = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec); !ec && it != std::filesystem::recursive_directory_iterator() && tried < 3;
       it.increment(ec)) {
    if (it->path().filename() != "openapi.json") continue;
    Result<Json> spec = Json::Parse(testing_support::Slurp(it->path().string()));
    if (!spec.ok() || !spec->Get("openapi").IsString()) continue;
    ++tried;
    Result<OpenApiConnectors> generated = GenerateOpenApiConnectors(*spec);
    if (!generated.ok()) {
      // Documents without an absolute server URL cannot be turned into requests; anything else is a defect.
      EXPECT_NE(generated.status().message().find("/servers/0/url"), std::string::npos)
          << it->path() << ": " << generated.status().ToString();
      continue;
    }
    EXPECT_FALSE(generated->files.empty()) << it->path();
  }
  if (tried == 0) GTEST_SKIP() << "no OpenAPI 3 openapi.json below " << root;
}

}  // namespace
}  // namespace flowkit
