// flowkitd authorization: every route × {no token, forged token, owner, other user, admin}, and
// the accounts, dead letters and logs routes with their isolation.
#include <gtest/gtest.h>

#include <dirent.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "api/router.h"
#include "http/http_server.h"
#include "server/test_server.h"

namespace flowkit::server::testing {
namespace {

// Every route and the rule it must declare. A new route fails this test until it is listed.
const std::map<std::string, Access>& ExpectedAccess() {
  static const std::map<std::string, Access> kRules = {
      {"POST /user", Access::kAnonymous}, {"POST /user/auth", Access::kAnonymous},
      {"GET /user", Access::kUser}, {"POST /user/change-password", Access::kUser},
      {"GET /users", Access::kAdmin}, {"GET /users/count", Access::kAdmin}, {"GET /users/:id", Access::kAdmin},
      {"PUT /users/:id", Access::kAdmin}, {"DELETE /users/:id", Access::kAdmin},
      {"GET /flows", Access::kUser}, {"GET /flows/count", Access::kUser}, {"POST /flows", Access::kUser},
      {"GET /flows/:id", Access::kUser}, {"PUT /flows/:id", Access::kUser}, {"DELETE /flows/:id", Access::kUser},
      {"POST /flows/:id/coordinator", Access::kUser}, {"GET /flows/:id/validate", Access::kUser},
      {"POST /flows/:id/clone", Access::kUser},
      {"* /flows/:flowId/components/:componentId", Access::kAnonymous},
      {"GET /components", Access::kUser}, {"GET /apps", Access::kUser},
      {"GET /accounts", Access::kUser}, {"POST /accounts", Access::kUser}, {"GET /accounts/:id", Access::kUser},
      {"PUT /accounts/:id", Access::kUser}, {"DELETE /accounts/:id", Access::kUser},
      {"POST /accounts/:id/test", Access::kUser},
      {"GET /unprocessed-messages", Access::kUser}, {"GET /unprocessed-messages/:id", Access::kUser},
      {"DELETE /unprocessed-messages/:id", Access::kUser}, {"POST /unprocessed-messages/:id", Access::kUser},
      {"GET /logs", Access::kUser}, {"POST /logs", Access::kUser}, {"GET /telemetry", Access::kUser},
      {"GET /stores", Access::kUser}, {"GET /stores/:id", Access::kUser}, {"POST /stores", Access::kUser},
      {"DELETE /stores/:id", Access::kUser}, {"GET /store", Access::kUser}, {"GET /store/count", Access::kUser},
      {"POST /store/:storeId/:key", Access::kUser}, {"PATCH /store/:storeId/:key", Access::kUser},
      {"DELETE /store", Access::kUser}, {"GET /store/download/:storeId", Access::kUser},
      {"POST /files", Access::kUser}, {"GET /files", Access::kUser}, {"GET /files/count", Access::kUser},
      {"GET /files/metadata/:fileId", Access::kUser}, {"GET /files/:fileId", Access::kUser},
      {"DELETE /files/:fileId", Access::kUser},
      {"GET /config", Access::kAdmin}, {"GET /config/:key", Access::kAdmin}, {"POST /config", Access::kAdmin},
      {"DELETE /config/:key", Access::kAdmin},
      {"GET /service-config", Access::kAdmin}, {"GET /service-config/:serviceId", Access::kAdmin},
      {"POST /service-config", Access::kAdmin}, {"PUT /service-config/:serviceId", Access::kAdmin},
      {"DELETE /service-config/:serviceId", Access::kAdmin},
      {"GET /people-task/tasks", Access::kUser}, {"GET /people-task/tasks-count", Access::kUser},
      {"POST /people-task/tasks", Access::kUser}, {"GET /people-task/tasks/:id", Access::kUserOrSecret},
      {"PUT /people-task/tasks/:id", Access::kUser}, {"DELETE /people-task/tasks/:id", Access::kUser},
      {"PUT /people-task/tasks/:id/approve", Access::kUserOrSecret},
      {"PUT /people-task/tasks/:id/reject", Access::kUserOrSecret},
      {"GET /people-task/webhooks", Access::kUser}, {"POST /people-task/webhooks", Access::kUser},
      {"DELETE /people-task/webhooks/:id", Access::kUser},
      {"GET /modifiers", Access::kUser}, {"PUT /modifiers", Access::kAdmin}, {"DELETE /modifiers", Access::kAdmin},
      {"POST /modifiers/test", Access::kUser},
      {"POST /auth/ticket", Access::kUser},
      {"GET /auth/:componentType/auth-url/:ticket", Access::kUser},
      {"GET /auth/:service/callback", Access::kAnonymous},
      {"GET /auth/status/:ticket", Access::kUser},
      {"POST /auth/:service/client-credentials", Access::kUser},
      {"GET /auth/:componentType", Access::kUser},
      {"PUT /auth/component/:componentId/:accountId", Access::kUser},
      {"DELETE /auth/component/:componentId", Access::kUser},
      {"GET /healthz", Access::kAnonymous}, {"GET /metrics", Access::kAdmin}, {"GET /openapi.json", Access::kAnonymous},
  };
  return kRules;
}

std::string Fill(const std::string& pattern, const std::map<std::string, std::string>& ids) {
  std::string out;
  for (std::string_view segment : SplitPath(pattern)) {
    out += "/";
    if (!segment.empty() && segment[0] == ':') {
      auto it = ids.find(std::string(segment.substr(1)));
      out += it != ids.end() ? it->second : "x";
    } else {
      out += segment;
    }
  }
  return out;
}

// A webhook flow whose Response always fails with a final error: each call leaves a dead letter.
Json FailingFlow() {
  return *Json::Parse(R"({
    "hook": {"type": "appmixer.utils.http.WebhookTrigger", "config": {"properties": {"immediateResponse": false}}},
    "reply": {"type": "appmixer.utils.http.Response", "source": {"in": {"hook": ["request"]}},
      "config": {"transform": {"in": {"hook": {"request": {"type": "json2new", "lambda": {"body": "x", "statusCode": 999}}}}}}}
  })");
}

TEST(ServerAccess, EveryRouteDeclaresItsRuleAndEnforcesIt) {
  ServerOptions options = MemoryOptions();
  options.webhook_timeout_ms = 200;  // the failing flow never answers its webhook
  TestServer server(options);
  const TestClient& http = server.client();
  std::string admin = server.AdminToken();
  std::string owner_id;
  std::string owner = server.CreateUser("owner@example.com", &owner_id);
  std::string other = server.CreateUser("other@example.com");
  std::string forged = owner.substr(0, owner.rfind('.') + 1) + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

  // The owner's objects, one per kind of :id.
  std::string flow = http.Post("/flows", Json::MakeObject({{"flow", FailingFlow()}}), owner).json()["flowId"].AsString();
  ASSERT_EQ(http.Post("/flows/" + flow + "/coordinator", Json::MakeObject({{"command", Json("start")}}), owner).status, 200);
  EXPECT_EQ(http.Post("/flows/" + flow + "/components/hook", Json::MakeObject()).status, 504);  // dead-lettered
  std::string account = http.Post("/accounts", Json::MakeObject({{"service", Json("acme:crm")},
                                                                  {"token", Json::MakeObject({{"apiKey", Json("k")}})}}), owner)
                            .json()["accountId"].AsString();
  std::string store = http.Post("/stores", Json::MakeObject({{"name", Json("s")}}), owner).json()["storeId"].AsString();
  ASSERT_EQ(http.Request("POST", "/store/" + store + "/k", "\"v\"", owner, {"Content-Type: application/json"}).status, 200);
  std::string file = http.Request("POST", "/files", "content", owner, {"uploader-file-name: a.txt", "Content-Type: text/plain"})
                         .json()["fileId"].AsString();
  ASSERT_FALSE(file.empty());
  // A people task nobody here approves, and a task webhook.
  std::string task = http.Post("/people-task/tasks", Json::MakeObject({{"title", Json("t")}, {"approver", Json("approver@example.com")}}), owner)
                         .json()["id"].AsString();
  ASSERT_FALSE(task.empty());
  std::string task_hook = http.Post("/people-task/webhooks", Json::MakeObject({{"url", Json("http://127.0.0.1:9/x")}}), owner)
                              .json()["id"].AsString();
  ASSERT_FALSE(task_hook.empty());
  HttpResult letters = http.Get("/unprocessed-messages", owner);
  ASSERT_EQ(letters.json().size(), 1u) << letters.body;
  std::string letter = letters.json()[0]["messageId"].AsString();
  std::map<std::string, std::string> owned = {{"id", ""}, {"flowId", flow}, {"componentId", "hook"}};

  const Router& router = server.server().router();
  std::set<std::string> seen;
  for (const auto& route : router.routes()) {
    std::string key = route->method + " " + route->pattern;
    seen.insert(key);
    auto rule = ExpectedAccess().find(key);
    ASSERT_NE(rule, ExpectedAccess().end()) << key << " has no rule in this test's table";
    EXPECT_EQ(route->access, rule->second) << key;
    std::string method = route->method == "*" ? "POST" : route->method;
    std::map<std::string, std::string> ids = owned;
    if (route->pattern.find("/flows/:id") == 0) ids["id"] = flow;
    if (route->pattern.find("/accounts/:id") == 0) ids["id"] = account;
    if (route->pattern.find("/unprocessed-messages/:id") == 0) ids["id"] = letter;
    if (route->pattern.find("/users/:id") == 0) ids["id"] = owner_id;
    if (route->pattern.find("/stores/:id") == 0) ids["id"] = store;
    if (route->pattern.find("/people-task/tasks/:id") == 0) ids["id"] = task;
    if (route->pattern.find("/people-task/webhooks/:id") == 0) ids["id"] = task_hook;
    ids["storeId"] = store;
    ids["key"] = "k";
    ids["fileId"] = file;
    ids["serviceId"] = "acme:crm";
    std::string path = Fill(route->pattern, ids);
    if (route->access == Access::kAnonymous) continue;
    EXPECT_EQ(http.Request(method, path, "{}", "", {"Content-Type: application/json"}).status, 401) << key << " without token";
    EXPECT_EQ(http.Request(method, path, "{}", forged, {"Content-Type: application/json"}).status, 401) << key << " forged";
    if (route->access == Access::kAdmin) {
      EXPECT_EQ(http.Request(method, path, "{}", other, {"Content-Type: application/json"}).status, 403) << key << " as user";
      continue;
    }
    bool owned_object = (route->pattern.find(":id") != std::string::npos && ids["id"] != "") ||
                        route->pattern.find(":storeId") != std::string::npos ||
                        route->pattern.find(":fileId") != std::string::npos;
    if (owned_object) {
      // Another user: as if the object did not exist (404), or — for a shared-nothing flow
      // action — never a success.
      // (400 only where the body is checked before the lookup, which tells nothing either.)
      long status = http.Request(method, path, "{}", other, {"Content-Type: application/json"}).status;
      EXPECT_TRUE(status == 404 || status == 400) << key << " as another user: " << status;
    }
  }
  for (const auto& [key, access] : ExpectedAccess()) EXPECT_EQ(seen.count(key), 1u) << key << " is no longer routed";
  // The owner still has everything; the admin may list users.
  EXPECT_EQ(http.Get("/flows/" + flow, owner).status, 200);
  EXPECT_EQ(http.Get("/accounts/" + account, owner).status, 200);
  EXPECT_EQ(http.Get("/unprocessed-messages/" + letter, owner).status, 200);
  EXPECT_EQ(http.Get("/people-task/tasks/" + task, owner).json()["status"].AsString(), "pending");
  EXPECT_EQ(http.Get("/people-task/webhooks", owner).json().size(), 1u);
  EXPECT_EQ(http.Get("/users", admin).status, 200);
  EXPECT_EQ(http.Get("/metrics", admin).status, 200);
  // Lists of another user are empty.
  EXPECT_EQ(http.Get("/flows", other).json().size(), 0u);
  EXPECT_EQ(http.Get("/accounts", other).json().size(), 0u);
  EXPECT_EQ(http.Get("/stores", other).json().size(), 0u);
  EXPECT_EQ(http.Get("/files", other).json().size(), 0u);
  EXPECT_EQ(http.Get("/store?storeId=" + store, owner).json().size(), 1u);
  EXPECT_EQ(http.Get("/files/" + file, owner).body, "content");
  EXPECT_EQ(http.Get("/unprocessed-messages", other).json().size(), 0u);
}

TEST(ServerAccess, OpenApiDescribesEveryRoute) {
  TestServer server;
  HttpResult doc = server.client().Get("/openapi.json");
  ASSERT_EQ(doc.status, 200);
  Json paths = doc.json()["paths"];
  size_t operations = 0;
  for (const auto& route : server.server().router().routes()) {
    std::string path;
    for (std::string_view segment : SplitPath(route->pattern)) {
      path += "/";
      path += segment[0] == ':' ? "{" + std::string(segment.substr(1)) + "}" : std::string(segment);
    }
    std::string method = route->method == "*" ? "post" : route->method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const Json& op = paths[path][method];
    EXPECT_TRUE(op.IsObject()) << route->method << " " << route->pattern << " missing from /openapi.json";
    EXPECT_EQ(op["x-flowkit-access"].AsString(), std::string(AccessName(route->access))) << route->pattern;
    ++operations;
  }
  EXPECT_GT(operations, 30u);
}

TEST(ServerAccounts, SecretsAreSealedNeverReturnedAndAbsentFromDisk) {
  TempDir dir;
  std::string account;
  {
    TestServer server(DataDirOptions(dir.path()));
    const TestClient& http = server.client();
    std::string token = server.CreateUser("acct@example.com");
    HttpResult created = http.Post("/accounts", Json::MakeObject({{"service", Json("acme:crm")}, {"displayName", Json("CRM")},
                                                                  {"token", Json::MakeObject({{"apiKey", Json("CANARY-5f1e2d")}})}}), token);
    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(created.body.find("CANARY"), std::string::npos);
    account = created.json()["accountId"].AsString();
    EXPECT_EQ(created.json()["authType"].AsString(), "apiKey");
    HttpResult listed = http.Get("/accounts", token);
    EXPECT_EQ(listed.json().size(), 1u);
    EXPECT_EQ(listed.body.find("CANARY"), std::string::npos);
    HttpResult tested = http.Post("/accounts/" + account + "/test", Json::MakeObject(), token);
    ASSERT_EQ(tested.status, 200) << tested.body;
    EXPECT_EQ(tested.json()[account].AsString(), "valid");
    EXPECT_EQ(http.Put("/accounts/" + account, Json::MakeObject({{"displayName", Json("Renamed")}}), token).json()["displayName"].AsString(), "Renamed");
    EXPECT_EQ(http.Post("/accounts", Json::MakeObject({{"service", Json("acme:crm")}}), token).status, 400);
    EXPECT_EQ(http.Request("POST", "/accounts", "{nope", token).status, 400);
  }
  // Nothing under the data directory holds the secret in plaintext.
  std::vector<std::string> pending = {dir.path()};
  size_t files = 0;
  while (!pending.empty()) {
    std::string path = pending.back();
    pending.pop_back();
    DIR* d = opendir(path.c_str());
    ASSERT_NE(d, nullptr);
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      std::string full = path + "/" + name;
      struct stat st {};
      stat(full.c_str(), &st);
      if (S_ISDIR(st.st_mode)) {
        pending.push_back(full);
        continue;
      }
      std::ifstream in(full, std::ios::binary);
      std::stringstream content;
      content << in.rdbuf();
      EXPECT_EQ(content.str().find("CANARY-5f1e2d"), std::string::npos) << full;
      ++files;
    }
    closedir(d);
  }
  EXPECT_GE(files, 4u);
  // Reopened with the same master key, the secrets still open.
  TestServer again(DataDirOptions(dir.path()));
  std::string token = again.client().Post("/user/auth", Json::MakeObject({{"email", Json("acct@example.com")},
                                                                          {"password", Json("user-password")}})).json()["token"].AsString();
  EXPECT_EQ(again.client().Post("/accounts/" + account + "/test", Json::MakeObject(), token).status, 200);
}

TEST(ServerDeadLetters, ListRetryDelete) {
  ServerOptions options = MemoryOptions();
  options.webhook_timeout_ms = 200;  // the failing flow never answers its webhook
  TestServer server(options);
  const TestClient& http = server.client();
  std::string token = server.CreateUser("dead@example.com");
  std::string flow = http.Post("/flows", Json::MakeObject({{"flow", FailingFlow()}}), token).json()["flowId"].AsString();
  ASSERT_EQ(http.Post("/flows/" + flow + "/coordinator", Json::MakeObject({{"command", Json("start")}}), token).status, 200);
  HttpResult failed = http.Post("/flows/" + flow + "/components/hook", Json::MakeObject({{"x", Json(1)}}));
  EXPECT_EQ(failed.status, 504) << failed.body;
  HttpResult list = http.Get("/unprocessed-messages", token);
  ASSERT_EQ(list.json().size(), 1u) << list.body;
  Json letter = list.json()[0];
  EXPECT_EQ(letter["flowId"].AsString(), flow);
  EXPECT_EQ(letter["componentId"].AsString(), "reply");
  EXPECT_NE(letter["err"].Dump().find("statusCode"), std::string::npos) << letter.Dump();
  EXPECT_TRUE(letter["messages"].IsObject()) << letter.Dump();
  std::string id = letter["messageId"].AsString();
  EXPECT_EQ(http.Get("/unprocessed-messages/" + id, token).status, 200);
  // Retry: fails again (final error) and comes back as a dead letter.
  EXPECT_EQ(http.Post("/unprocessed-messages/" + id, Json::MakeObject(), token).status, 200);
  HttpResult after;
  for (int i = 0; i < 200; ++i) {
    after = http.Get("/unprocessed-messages", token);
    if (after.json().size() == 1u && after.json()[0]["messageId"].AsString() != id) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(after.json().size(), 1u) << after.body;
  std::string again = after.json()[0]["messageId"].AsString();
  EXPECT_NE(again, id);
  // A stopped flow cannot take the retry.
  ASSERT_EQ(http.Post("/flows/" + flow + "/coordinator", Json::MakeObject({{"command", Json("stop")}}), token).status, 200);
  EXPECT_EQ(http.Post("/unprocessed-messages/" + again, Json::MakeObject(), token).status, 409);
  EXPECT_EQ(http.Delete("/unprocessed-messages/" + again, token).status, 200);
  EXPECT_EQ(http.Get("/unprocessed-messages", token).json().size(), 0u);
  EXPECT_EQ(http.Get("/unprocessed-messages/" + again, token).status, 404);
}

TEST(ServerLogs, FiltersPagesAndIsolates) {
  TestServer server;
  const TestClient& http = server.client();
  std::string token = server.CreateUser("logs@example.com");
  std::string other = server.CreateUser("nologs@example.com");
  Json flow = *Json::Parse(R"({"hook": {"type": "appmixer.utils.http.WebhookTrigger"}})");
  std::string id = http.Post("/flows", Json::MakeObject({{"flow", flow}}), token).json()["flowId"].AsString();
  ASSERT_EQ(http.Post("/flows/" + id + "/coordinator", Json::MakeObject({{"command", Json("start")}}), token).status, 200);
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(http.Post("/flows/" + id + "/components/hook", Json::MakeObject({{"word", Json("zebra" + std::to_string(i))}})).status, 200);
  }
  HttpResult logs;
  for (int i = 0; i < 200; ++i) {
    logs = http.Get("/logs?flowId=" + id + "&portType=out", token);
    if (logs.json()["total"].AsInt() >= 5) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(logs.status, 200) << logs.body;
  EXPECT_EQ(logs.json()["total"].AsInt(), 5);
  EXPECT_EQ(logs.json()["hits"][0]["flowId"].AsString(), id);
  EXPECT_GE(logs.json()["buckets"].size(), 1u);
  HttpResult page = http.Get("/logs?flowId=" + id + "&portType=out&size=2", token);
  ASSERT_EQ(page.json()["hits"].size(), 2u);
  std::string after = page.json()["searchAfter"].AsString();
  ASSERT_FALSE(after.empty());
  HttpResult next = http.Get("/logs?flowId=" + id + "&portType=out&size=2&searchAfter=" + after, token);
  ASSERT_EQ(next.json()["hits"].size(), 2u);
  EXPECT_NE(next.json()["hits"][0]["_id"], page.json()["hits"][0]["_id"]);
  HttpResult text = http.Post("/logs", Json::MakeObject({{"flowId", Json(id)}, {"portType", Json("out")}, {"query", Json("zebra3")}}), token);
  ASSERT_EQ(text.status, 200) << text.body;
  EXPECT_EQ(text.json()["total"].AsInt(), 1);
  EXPECT_EQ(http.Get("/logs?flowId=" + id, other).json()["total"].AsInt(), 0);
  EXPECT_EQ(http.Get("/logs?portType=sideways", token).status, 400);
  EXPECT_EQ(http.Get("/logs?size=abc", token).status, 400);
  HttpResult telemetry = http.Get("/telemetry", token);
  ASSERT_EQ(telemetry.status, 200);
  EXPECT_EQ(telemetry.json()["runningFlows"]["count"].AsInt(), 1);
}

TEST(ServerLogs, InsightsNoneLogsNothing) {
  ServerOptions options = MemoryOptions();
  options.insights_level = InsightsLevel::kNone;
  TestServer server(std::move(options));
  const TestClient& http = server.client();
  std::string token = server.CreateUser("quiet@example.com");
  Json flow = *Json::Parse(R"({"hook": {"type": "appmixer.utils.http.WebhookTrigger"}})");
  std::string id = http.Post("/flows", Json::MakeObject({{"flow", flow}}), token).json()["flowId"].AsString();
  ASSERT_EQ(http.Post("/flows/" + id + "/coordinator", Json::MakeObject({{"command", Json("start")}}), token).status, 200);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(http.Post("/flows/" + id + "/components/hook", Json::MakeObject({{"n", Json(i)}})).status, 200);
  }
  // With the default level these messages show up within milliseconds (FiltersPagesAndIsolates).
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  HttpResult logs = http.Get("/logs?flowId=" + id, token);
  ASSERT_EQ(logs.status, 200) << logs.body;
  EXPECT_EQ(logs.json()["total"].AsInt(), 0) << logs.body;
}

}  // namespace
}  // namespace flowkit::server::testing

namespace flowkit::server::testing {
namespace {

TEST(ServerSystemWebhooks, ComponentErrorsAndDeadLettersArePosted) {
  std::mutex mu;
  std::vector<std::string> received;
  int failures_left = 1;  // the first delivery answers 503: it must be retried
  auto receiver = HttpServer::Start(HttpServerOptions{}, [&](HttpRequest&& request, std::shared_ptr<Responder> responder) {
    std::lock_guard<std::mutex> lock(mu);
    if (failures_left > 0) {
      --failures_left;
      responder->Reply(HttpResponse::Error(503, "unavailable", "try again"));
      return;
    }
    received.push_back(request.path + " " + request.body);
    responder->Reply(HttpResponse::WithJson(200, Json::MakeObject()));
  });
  ASSERT_TRUE(receiver.ok());
  std::string base = "http://127.0.0.1:" + std::to_string((*receiver)->port());
  ServerOptions options = MemoryOptions();
  options.webhook_timeout_ms = 200;
  TestServer server(options);
  const TestClient& http = server.client();
  std::string admin = server.AdminToken();
  EXPECT_EQ(http.Post("/config", Json::MakeObject({{"key", Json("WEBHOOK_UNPROCESSED_MESSAGE")}, {"value", Json("ftp://x")}}), admin).status, 400);
  ASSERT_EQ(http.Post("/config", Json::MakeObject({{"key", Json("WEBHOOK_FLOW_COMPONENT_ERROR")}, {"value", Json(base + "/errors")}}), admin).status, 200);
  ASSERT_EQ(http.Post("/config", Json::MakeObject({{"key", Json("WEBHOOK_UNPROCESSED_MESSAGE")}, {"value", Json(base + "/dead")}}), admin).status, 200);
  EXPECT_EQ(http.Get("/config/WEBHOOK_UNPROCESSED_MESSAGE", admin).json()["value"].AsString(), base + "/dead");
  std::string user = server.CreateUser("sys@example.com");
  EXPECT_EQ(http.Get("/config", user).status, 403);
  std::string flow = http.Post("/flows", Json::MakeObject({{"flow", FailingFlow()}}), user).json()["flowId"].AsString();
  ASSERT_EQ(http.Post("/flows/" + flow + "/coordinator", Json::MakeObject({{"command", Json("start")}}), user).status, 200);
  EXPECT_EQ(http.Post("/flows/" + flow + "/components/hook", Json::MakeObject()).status, 504);
  bool got_error = false;
  bool got_dead = false;
  for (int i = 0; i < 500 && !(got_error && got_dead); ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      for (const std::string& r : received) {
        got_error = got_error || (r.rfind("/errors ", 0) == 0 && r.find(flow) != std::string::npos);
        got_dead = got_dead || (r.rfind("/dead ", 0) == 0 && r.find(flow) != std::string::npos);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(got_error);
  EXPECT_TRUE(got_dead);
  (*receiver)->Stop(1000);
}

}  // namespace
}  // namespace flowkit::server::testing
