// flowkitd people tasks (/people-task/*), service configuration (/service-config, sealed at
// rest), reserved /config keys and the modifiers catalogue (/modifiers).
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "http/http_server.h"
#include "server/test_server.h"

namespace flowkit::server::testing {
namespace {

Json Task(const std::string& title, const std::string& approver) {
  return Json::MakeObject({{"title", Json(title)}, {"description", Json("please look")}, {"approver", Json(approver)}});
}

TEST(ServerPeopleTasks, SignedInApproverAndSecretsDecideAndWebhooksFire) {
  std::mutex mu;
  std::vector<Json> received;
  auto receiver = HttpServer::Start(HttpServerOptions{}, [&](HttpRequest&& request, std::shared_ptr<Responder> responder) {
    std::lock_guard<std::mutex> lock(mu);
    received.push_back(*Json::Parse(request.body));
    responder->Reply(HttpResponse::WithJson(200, Json::MakeObject()));
  });
  ASSERT_TRUE(receiver.ok());
  TestServer server;
  const TestClient& http = server.client();
  std::string owner = server.CreateUser("owner@example.com");
  std::string approver = server.CreateUser("boss@example.com");
  std::string stranger = server.CreateUser("stranger@example.com");
  std::string hook_url = "http://127.0.0.1:" + std::to_string((*receiver)->port()) + "/tasks";
  HttpResult hook = http.Post("/people-task/webhooks", Json::MakeObject({{"url", Json(hook_url)}}), owner);
  ASSERT_EQ(hook.status, 200) << hook.body;
  EXPECT_EQ(http.Get("/people-task/webhooks", owner).json().size(), 1u);
  EXPECT_EQ(http.Get("/people-task/webhooks", stranger).json().size(), 0u);
  EXPECT_EQ(http.Post("/people-task/webhooks", Json::MakeObject({{"url", Json("ftp://x")}}), owner).status, 400);

  HttpResult created = http.Post("/people-task/tasks", Task("Buy a laptop", "Boss@Example.com"), owner);
  ASSERT_EQ(created.status, 200) << created.body;
  std::string id = created.json()["id"].AsString();
  std::string approver_secret = created.json()["approverSecret"].AsString();
  std::string requester_secret = created.json()["requesterSecret"].AsString();
  EXPECT_EQ(created.json()["status"].AsString(), "pending");
  EXPECT_EQ(created.json()["requester"].AsString(), "owner@example.com");
  ASSERT_FALSE(approver_secret.empty());
  EXPECT_NE(approver_secret, requester_secret);

  // Who sees it.
  EXPECT_EQ(http.Get("/people-task/tasks/" + id, approver).status, 200);
  EXPECT_EQ(http.Get("/people-task/tasks/" + id, stranger).status, 404);
  EXPECT_EQ(http.Get("/people-task/tasks?role=approver", approver).json().size(), 1u);
  EXPECT_EQ(http.Get("/people-task/tasks?role=approver", owner).json().size(), 0u);
  EXPECT_EQ(http.Get("/people-task/tasks", stranger).json().size(), 0u);
  // By secret, without signing in: the requester's reads, only the approver's decides.
  EXPECT_EQ(http.Get("/people-task/tasks/" + id).status, 401);
  EXPECT_EQ(http.Get("/people-task/tasks/" + id + "?secret=" + requester_secret).json()["title"].AsString(), "Buy a laptop");
  EXPECT_EQ(http.Put("/people-task/tasks/" + id + "/approve?secret=" + requester_secret, Json::MakeObject()).status, 403);
  std::string forged = approver_secret.substr(0, approver_secret.size() - 4) + "AAAA";
  EXPECT_EQ(http.Put("/people-task/tasks/" + id + "/approve?secret=" + forged, Json::MakeObject()).status, 401);
  // A secret opens its own task only.
  std::string other_id = http.Post("/people-task/tasks", Task("Other", "boss@example.com"), owner).json()["id"].AsString();
  EXPECT_EQ(http.Get("/people-task/tasks/" + other_id + "?secret=" + approver_secret).status, 401);
  // The owner is not the approver.
  EXPECT_EQ(http.Put("/people-task/tasks/" + id + "/approve", Json::MakeObject(), owner).status, 403);
  HttpResult approved = http.Put("/people-task/tasks/" + id + "/approve?secret=" + approver_secret, Json::MakeObject());
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(approved.json()["status"].AsString(), "approved");
  EXPECT_EQ(http.Put("/people-task/tasks/" + id + "/reject", Json::MakeObject(), approver).status, 409);
  HttpResult rejected = http.Put("/people-task/tasks/" + other_id + "/reject", Json::MakeObject(), approver);
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  EXPECT_EQ(rejected.json()["status"].AsString(), "rejected");

  // Both decisions reach the owner's webhook.
  std::vector<std::string> statuses;
  for (int i = 0; i < 500 && statuses.size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::lock_guard<std::mutex> lock(mu);
    statuses.clear();
    for (const Json& event : received) statuses.push_back(event["id"].AsString() + ":" + event["status"].AsString());
  }
  EXPECT_EQ(statuses.size(), 2u);
  EXPECT_NE(std::find(statuses.begin(), statuses.end(), id + ":approved"), statuses.end());
  EXPECT_NE(std::find(statuses.begin(), statuses.end(), other_id + ":rejected"), statuses.end());

  // Removing the webhook: another user's id is unknown, the owner's goes.
  std::string hook_id = hook.json()["id"].AsString();
  EXPECT_EQ(http.Delete("/people-task/webhooks/" + hook_id, stranger).status, 404);
  EXPECT_EQ(http.Delete("/people-task/webhooks/" + hook_id, owner).status, 200);
  EXPECT_EQ(http.Get("/people-task/webhooks", owner).json().size(), 0u);
  (*receiver)->Stop(1000);
}

TEST(ServerPeopleTasks, ListFiltersSortsPagesAndProjects) {
  TestServer server;
  const TestClient& http = server.client();
  std::string owner = server.CreateUser("lister@example.com");
  std::string approver = server.CreateUser("approver@example.com");
  for (const char* title : {"alpha report", "Beta invoice", "gamma report"}) {
    ASSERT_EQ(http.Post("/people-task/tasks", Task(title, "approver@example.com"), owner).status, 200);
  }
  std::string first = http.Get("/people-task/tasks", owner).json()[0]["id"].AsString();
  ASSERT_EQ(http.Put("/people-task/tasks/" + first + "/approve", Json::MakeObject(), approver).status, 200);

  EXPECT_EQ(http.Get("/people-task/tasks", owner).json().size(), 3u);
  EXPECT_EQ(http.Get("/people-task/tasks?filter=status:pending", owner).json().size(), 2u);
  EXPECT_EQ(http.Get("/people-task/tasks-count?filter=status:approved", owner).json()["count"].AsInt(), 1);
  EXPECT_EQ(http.Get("/people-task/tasks?pattern=REPORT", owner).json().size(), 2u);
  EXPECT_EQ(http.Get("/people-task/tasks-count?pattern=invoice", owner).json()["count"].AsInt(), 1);
  HttpResult sorted = http.Get("/people-task/tasks?sort=title:-1&limit=2", owner);
  ASSERT_EQ(sorted.json().size(), 2u) << sorted.body;
  EXPECT_EQ(sorted.json()[0]["title"].AsString(), "gamma report");  // byte order: lower case after upper
  EXPECT_EQ(sorted.json()[1]["title"].AsString(), "alpha report");
  HttpResult paged = http.Get("/people-task/tasks?offset=2&limit=5", owner);
  EXPECT_EQ(paged.json().size(), 1u);
  HttpResult projected = http.Get("/people-task/tasks?projection=title", owner);
  ASSERT_EQ(projected.json().size(), 3u);
  EXPECT_TRUE(projected.json()[0]["id"].IsString());
  EXPECT_TRUE(projected.json()[0]["title"].IsString());
  EXPECT_TRUE(projected.json()[0]["description"].IsUndefined());
  EXPECT_TRUE(http.Get("/people-task/tasks?projection=-description", owner).json()[0]["description"].IsUndefined());

  // Bad input names the problem and stores nothing.
  auto message = [](const HttpResult& r) { return r.json()["message"].AsString(); };
  HttpResult no_title = http.Post("/people-task/tasks", Json::MakeObject({{"approver", Json("a@b.c")}}), owner);
  EXPECT_EQ(no_title.status, 400);
  EXPECT_NE(message(no_title).find("'title'"), std::string::npos) << no_title.body;
  EXPECT_NE(message(http.Post("/people-task/tasks", Task("t", "nobody"), owner)).find("'approver'"), std::string::npos);
  Json late = Task("t", "a@b.c");
  late.Set("decisionBy", Json("next tuesday-ish"));
  EXPECT_NE(message(http.Post("/people-task/tasks", late, owner)).find("'decisionBy'"), std::string::npos);
  EXPECT_EQ(http.Request("POST", "/people-task/tasks", "{bad", owner, {"Content-Type: application/json"}).status, 400);
  EXPECT_EQ(http.Get("/people-task/tasks?role=king", owner).status, 400);
  EXPECT_EQ(http.Get("/people-task/tasks?sort=secret:1", owner).status, 400);
  EXPECT_EQ(http.Get("/people-task/tasks?filter=color:red", owner).status, 400);
  EXPECT_EQ(http.Get("/people-task/tasks-count", owner).json()["count"].AsInt(), 3);

  // The owner edits and deletes; status changes only by decision.
  HttpResult edited = http.Put("/people-task/tasks/" + first, Json::MakeObject({{"title", Json("renamed")},
                                                                              {"decisionBy", Json("2030-01-02T03:04:05Z")}}), owner);
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(edited.json()["title"].AsString(), "renamed");
  EXPECT_EQ(edited.json()["decisionBy"].AsString(), "2030-01-02T03:04:05.000Z");
  EXPECT_EQ(http.Put("/people-task/tasks/" + first, Json::MakeObject({{"status", Json("pending")}}), owner).status, 400);
  EXPECT_EQ(http.Put("/people-task/tasks/" + first, Json::MakeObject({{"title", Json("mine now")}}), approver).status, 403);
  EXPECT_EQ(http.Delete("/people-task/tasks/" + first, approver).status, 404);
  EXPECT_EQ(http.Delete("/people-task/tasks/" + first, owner).status, 200);
  EXPECT_EQ(http.Get("/people-task/tasks-count", owner).json()["count"].AsInt(), 2);
}

TEST(ServerServiceConfig, CrudIsAdminOnlyAndSealedAtRest) {
  TempDir dir;
  {
    TestServer server(DataDirOptions(dir.path()));
    const TestClient& http = server.client();
    std::string admin = server.AdminToken();
    std::string user = server.CreateUser("svc@example.com");
    Json google = Json::MakeObject({{"serviceId", Json("appmixer:google")}, {"clientId", Json("id-1")},
                                    {"clientSecret", Json("SVC-CANARY-91c4")}});
    EXPECT_EQ(http.Post("/service-config", google, user).status, 403);
    HttpResult created = http.Post("/service-config", google, admin);
    ASSERT_EQ(created.status, 200) << created.body;
    EXPECT_EQ(created.json()["clientSecret"].AsString(), "SVC-CANARY-91c4");
    ASSERT_EQ(http.Post("/service-config", Json::MakeObject({{"serviceId", Json("acme:crm")}, {"apiKey", Json("k")}}), admin).status, 200);
    EXPECT_EQ(http.Get("/service-config", admin).json().size(), 2u);
    EXPECT_EQ(http.Get("/service-config?pattern=GOOGLE", admin).json().size(), 1u);
    EXPECT_EQ(http.Get("/service-config?sort=serviceId:-1&limit=1", admin).json()[0]["serviceId"].AsString(), "appmixer:google");
    EXPECT_EQ(http.Get("/service-config?sort=name:1", admin).status, 400);
    HttpResult put = http.Put("/service-config/acme:crm", Json::MakeObject({{"apiKey", Json("k2")}, {"region", Json("eu")}}), admin);
    ASSERT_EQ(put.status, 200) << put.body;
    EXPECT_EQ(http.Get("/service-config/acme:crm", admin).json()["region"].AsString(), "eu");
    EXPECT_EQ(http.Post("/service-config", Json::MakeObject({{"clientId", Json("x")}}), admin).status, 400);
    EXPECT_EQ(http.Request("POST", "/service-config", "[1]", admin, {"Content-Type: application/json"}).status, 400);
    EXPECT_EQ(http.Delete("/service-config/acme:crm", admin).status, 200);
    EXPECT_EQ(http.Get("/service-config/acme:crm", admin).status, 404);
    EXPECT_EQ(http.Delete("/service-config/acme:crm", admin).status, 404);
  }
  size_t scanned = 0;
  EXPECT_TRUE(FilesContaining(dir.path(), "SVC-CANARY-91c4", &scanned).empty());
  EXPECT_GE(scanned, 3u);
  TestServer again(DataDirOptions(dir.path()));
  std::string admin = again.client().Post("/user/auth", Json::MakeObject({{"email", Json("admin@example.com")},
                                                                          {"password", Json("admin-password")}})).json()["token"].AsString();
  EXPECT_EQ(again.client().Get("/service-config/appmixer:google", admin).json()["clientSecret"].AsString(), "SVC-CANARY-91c4");
}

TEST(ServerConfig, ServerOwnKeysAreReserved) {
  TestServer server;
  const TestClient& http = server.client();
  std::string admin = server.AdminToken();
  HttpResult reserved = http.Post("/config", Json::MakeObject({{"key", Json("flowkit:modifiers")}, {"value", Json(1)}}), admin);
  EXPECT_EQ(reserved.status, 400);
  EXPECT_NE(reserved.json()["message"].AsString().find("reserved"), std::string::npos);
  ASSERT_EQ(http.Put("/modifiers", Json::MakeObject({{"modifiers", Json::MakeObject({{"g_uppercase", Json::MakeObject({{"label", Json("UP")}})}})}}), admin).status, 200);
  EXPECT_EQ(http.Get("/config", admin).json().size(), 0u);  // the override is stored but not listed
  EXPECT_EQ(http.Get("/config/flowkit:modifiers", admin).status, 400);
  EXPECT_EQ(http.Delete("/config/flowkit:modifiers", admin).status, 400);
}

TEST(ServerModifiers, CatalogueOverridesAndTests) {
  TestServer server;
  const TestClient& http = server.client();
  std::string admin = server.AdminToken();
  std::string user = server.CreateUser("mods@example.com");
  HttpResult all = http.Get("/modifiers", user);
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.json()["modifiers"]["g_uppercase"]["label"].AsString(), "Uppercase");
  EXPECT_TRUE(all.json()["categories"].IsObject());

  Json overrides = Json::MakeObject(
      {{"categories", Json::MakeObject({{"text", Json::MakeObject({{"label", Json("Words")}, {"index", Json(9)}})}})},
       {"modifiers", Json::MakeObject({{"g_uppercase", Json::MakeObject({{"label", Json("SHOUT")}, {"description", Json("Loud.")}})},
                                       {"g_lowercase", Json::MakeObject({{"private", Json(true)}})}})}});
  EXPECT_EQ(http.Put("/modifiers", overrides, user).status, 403);
  HttpResult put = http.Put("/modifiers", overrides, admin);
  ASSERT_EQ(put.status, 200) << put.body;
  HttpResult seen = http.Get("/modifiers", user);
  EXPECT_EQ(seen.json()["modifiers"]["g_uppercase"]["label"].AsString(), "SHOUT");
  EXPECT_EQ(seen.json()["modifiers"]["g_uppercase"]["description"].AsString(), "Loud.");
  EXPECT_EQ(seen.json()["categories"]["text"]["label"].AsString(), "Words");
  EXPECT_TRUE(seen.json()["modifiers"]["g_lowercase"].IsUndefined());  // private: admins only
  EXPECT_TRUE(http.Get("/modifiers", admin).json()["modifiers"]["g_lowercase"].IsObject());
  // A document read with GET goes back unchanged (descriptive fields are read-only).
  EXPECT_EQ(http.Put("/modifiers", http.Get("/modifiers", admin).json(), admin).status, 200);

  auto message = [](const HttpResult& r) { return r.json()["message"].AsString(); };
  Json js = Json::MakeObject({{"modifiers", Json::MakeObject({{"g_uppercase", Json::MakeObject({{"helperFn", Json("function(v){return v}")}})}})}});
  HttpResult refused = http.Put("/modifiers", js, admin);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(message(refused).find("helperFn"), std::string::npos);
  Json unknown = Json::MakeObject({{"modifiers", Json::MakeObject({{"g_nope", Json::MakeObject()}})}});
  EXPECT_NE(message(http.Put("/modifiers", unknown, admin)).find("g_nope"), std::string::npos);
  EXPECT_EQ(http.Put("/modifiers", Json::MakeObject({{"modifiers", Json(3)}}), admin).status, 400);
  EXPECT_EQ(http.Get("/modifiers", user).json()["modifiers"]["g_uppercase"]["label"].AsString(), "SHOUT");  // unchanged
  EXPECT_EQ(http.Delete("/modifiers", user).status, 403);
  ASSERT_EQ(http.Delete("/modifiers", admin).status, 200);
  EXPECT_EQ(http.Get("/modifiers", user).json()["modifiers"]["g_uppercase"]["label"].AsString(), "Uppercase");

  HttpResult upper = http.Post("/modifiers/test", Json::MakeObject({{"modifier", Json("g_uppercase")}, {"value", Json("abc")}}), user);
  ASSERT_EQ(upper.status, 200) << upper.body;
  EXPECT_EQ(upper.json()["result"].AsString(), "ABC");
  HttpResult add = http.Post("/modifiers/test", Json::MakeObject({{"modifier", Json("g_add")}, {"value", Json(2)},
                                                                  {"arguments", Json::MakeArray({Json(3)})}}), user);
  ASSERT_EQ(add.status, 200) << add.body;
  EXPECT_EQ(add.json()["result"].AsDouble(), 5);
  EXPECT_EQ(http.Post("/modifiers/test", Json::MakeObject({{"modifier", Json("g_nope")}}), user).status, 400);
  EXPECT_EQ(http.Post("/modifiers/test", Json::MakeObject({{"helperFn", Json("function(){}")}}), user).status, 400);
  EXPECT_EQ(http.Post("/modifiers/test", Json::MakeObject({{"modifier", Json("g_add")}, {"arguments", Json(1)}}), user).status, 400);
}

}  // namespace
}  // namespace flowkit::server::testing
