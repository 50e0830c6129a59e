// flowkitd black-box: users, sign-in and flows over real HTTP.
#include <gtest/gtest.h>

#include "server/test_server.h"

namespace flowkit::server::testing {
namespace {

TEST(ServerUsers, FirstUserIsAdminThenSignupIsClosed) {
  TestServer server;
  const TestClient& http = server.client();
  HttpResult first = http.Post("/user", Json::MakeObject({{"email", Json("root@example.com")}, {"password", Json("password-1")}}));
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.json()["user"]["scope"], Json::MakeArray({Json("user"), Json("admin")}));
  HttpResult second = http.Post("/user", Json::MakeObject({{"email", Json("b@example.com")}, {"password", Json("password-2")}}));
  EXPECT_EQ(second.status, 403) << second.body;
  EXPECT_EQ(second.json()["error"].AsString(), "permission_denied");
  std::string admin = first.json()["token"].AsString();
  HttpResult by_admin =
      http.Post("/user", Json::MakeObject({{"email", Json("b@example.com")}, {"password", Json("password-2")}}), admin);
  ASSERT_EQ(by_admin.status, 201) << by_admin.body;
  EXPECT_EQ(by_admin.json()["user"]["scope"], Json::MakeArray({Json("user")}));
}

TEST(ServerUsers, DeletingAUserDeletesEverythingItOwns) {
  TestServer server;
  const TestClient& http = server.client();
  std::string admin = server.AdminToken();
  std::string admin_id = http.Get("/user", admin).json()["id"].AsString();
  std::string id;
  std::string token = server.CreateUser("leaving@example.com", &id);
  std::string keeper = server.CreateUser("staying@example.com");
  Json flow = *Json::Parse(R"({"hook": {"type": "appmixer.utils.http.WebhookTrigger"}})");
  std::string flow_id = http.Post("/flows", Json::MakeObject({{"flow", flow}}), token).json()["flowId"].AsString();
  ASSERT_EQ(http.Post("/flows/" + flow_id + "/coordinator", Json::MakeObject({{"command", Json("start")}}), token).status, 200);
  ASSERT_EQ(http.Post("/accounts", Json::MakeObject({{"service", Json("acme:crm")}, {"token", Json::MakeObject({{"apiKey", Json("k")}})}}), token).status, 201);
  std::string store = http.Post("/stores", Json::MakeObject({{"name", Json("s")}}), token).json()["storeId"].AsString();
  ASSERT_EQ(http.Request("POST", "/store/" + store + "/k", "\"v\"", token, {"Content-Type: application/json"}).status, 200);
  ASSERT_EQ(http.Request("POST", "/files", "bytes", token, {"uploader-file-name: a.txt"}).status, 201);
  ASSERT_EQ(http.Post("/people-task/tasks", Json::MakeObject({{"title", Json("t")}, {"approver", Json("staying@example.com")}}), token).status, 200);
  ASSERT_EQ(http.Post("/people-task/webhooks", Json::MakeObject({{"url", Json("http://127.0.0.1:9/")}}), token).status, 200);
  std::string kept_flow = http.Post("/flows", Json::MakeObject({{"flow", flow}}), keeper).json()["flowId"].AsString();

  EXPECT_EQ(http.Delete("/users/" + admin_id, admin).status, 409);  // not itself
  EXPECT_EQ(http.Delete("/users/nobody", admin).status, 404);
  HttpResult deleted = http.Delete("/users/" + id, admin);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.json()["deletedFlows"].AsInt(), 1);

  EXPECT_EQ(http.Get("/flows", token).status, 401);  // its token is dead at once
  EXPECT_EQ(http.Post("/flows/" + flow_id + "/components/hook", Json::MakeObject()).status, 404);
  Services& s = server.services();
  EXPECT_EQ(s.catalog->flows().Get(flow_id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(s.catalog->accounts().List(id)->empty());
  EXPECT_TRUE(s.documents->DataStoresOf(id).ListStores()->empty());
  EXPECT_TRUE(s.documents->FilesOf(id).List()->empty());
  PeopleTaskQuery tasks;
  tasks.viewer = Viewer{id, ""};
  EXPECT_TRUE(s.catalog->people_tasks().List(tasks)->empty());
  EXPECT_EQ(s.catalog->config().Get("flowkit:people-task-webhooks:" + id).status().code(), StatusCode::kNotFound);
  // Nobody else lost anything.
  EXPECT_EQ(http.Get("/flows/" + kept_flow, keeper).status, 200);
}

TEST(ServerUsers, SignInAndWrongPassword) {
  TestServer server;
  server.CreateUser("u@example.com");
  const TestClient& http = server.client();
  HttpResult ok = http.Post("/user/auth", Json::MakeObject({{"email", Json("u@example.com")}, {"password", Json("user-password")}}));
  ASSERT_EQ(ok.status, 200) << ok.body;
  std::string token = ok.json()["token"].AsString();
  HttpResult me = http.Get("/user", token);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.json()["email"].AsString(), "u@example.com");
  EXPECT_FALSE(me.json().Contains("password_hash"));
  HttpResult wrong = http.Post("/user/auth", Json::MakeObject({{"email", Json("u@example.com")}, {"password", Json("nope-nope")}}));
  EXPECT_EQ(wrong.status, 401);
  HttpResult unknown = http.Post("/user/auth", Json::MakeObject({{"email", Json("x@example.com")}, {"password", Json("nope-nope")}}));
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.json()["message"], unknown.json()["message"]);  // no user enumeration
}

TEST(ServerUsers, TokensAreChecked) {
  TestServer server;
  std::string token = server.AdminToken();
  const TestClient& http = server.client();
  EXPECT_EQ(http.Get("/user").status, 401);
  EXPECT_EQ(http.Get("/user", "garbage").status, 401);
  std::string forged = token;
  forged[forged.size() - 3] = forged[forged.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(http.Get("/user", forged).status, 401);
  EXPECT_EQ(http.Get("/user", token).status, 200);
}

TEST(ServerFlows, CreateListGetUpdateDelete) {
  TestServer server;
  std::string token = server.CreateUser("f@example.com");
  const TestClient& http = server.client();
  Json flow = Json::MakeObject({{"a", Json::MakeObject({{"type", Json("appmixer.utils.controls.OnStart")},
                                                        {"x", Json(0)}, {"y", Json(0)}})}});
  HttpResult created = http.Post("/flows", Json::MakeObject({{"name", Json("First")}, {"flow", flow}}), token);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = created.json()["flowId"].AsString();
  HttpResult list = http.Get("/flows", token);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json().size(), 1u);
  EXPECT_EQ(list.json()[0]["name"].AsString(), "First");
  EXPECT_EQ(http.Get("/flows/count", token).json()["count"].AsInt(), 1);
  HttpResult renamed = http.Put("/flows/" + id, Json::MakeObject({{"name", Json("Renamed")}}), token);
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.json()["result"].AsString(), "updated");
  EXPECT_EQ(http.Get("/flows/" + id, token).json()["name"].AsString(), "Renamed");
  HttpResult started = http.Post("/flows/" + id + "/coordinator", Json::MakeObject({{"command", Json("start")}}), token);
  ASSERT_EQ(started.status, 200) << started.body;
  EXPECT_EQ(http.Get("/flows/" + id, token).json()["stage"].AsString(), "running");
  EXPECT_EQ(http.Put("/flows/" + id, Json::MakeObject({{"name", Json("R2")}}), token).status, 409);
  EXPECT_EQ(http.Put("/flows/" + id + "?forceUpdate=true", Json::MakeObject({{"name", Json("R2")}}), token).status, 200);
  EXPECT_EQ(http.Get("/flows/" + id, token).json()["stage"].AsString(), "running");
  HttpResult removed = http.Delete("/flows/" + id, token);
  ASSERT_EQ(removed.status, 200);
  EXPECT_EQ(http.Get("/flows/" + id, token).status, 404);
}

TEST(ServerFlows, BadInputNamesTheProblemAndStoresNothing) {
  TestServer server;
  std::string token = server.CreateUser("bad@example.com");
  const TestClient& http = server.client();
  HttpResult malformed = http.Request("POST", "/flows", "{\"name\": ", token, {"Content-Type: application/json"});
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.json()["message"].AsString().find("malformed JSON"), std::string::npos) << malformed.body;
  HttpResult unknown = http.Post(
      "/flows", Json::MakeObject({{"flow", Json::MakeObject({{"a", Json::MakeObject({{"type", Json("acme.nope.Nope")}})}})}}), token);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.json()["message"].AsString().find("unknown component type 'acme.nope.Nope'"), std::string::npos)
      << unknown.body;
  Json dangling = Json::MakeObject(
      {{"b", Json::MakeObject({{"type", Json("appmixer.utils.filters.Identity")},
                               {"source", Json::MakeObject({{"in", Json::MakeObject({{"ghost", Json::MakeArray({Json("out")})}})}})}})}});
  HttpResult ghost = http.Post("/flows", Json::MakeObject({{"flow", dangling}}), token);
  EXPECT_EQ(ghost.status, 400);
  EXPECT_NE(ghost.json()["message"].AsString().find("ghost"), std::string::npos) << ghost.body;
  EXPECT_EQ(http.Get("/flows/count", token).json()["count"].AsInt(), 0);
  EXPECT_EQ(http.Get("/healthz").status, 200);
}

TEST(ServerFlows, OtherUsersSeeNothing) {
  TestServer server;
  std::string alice = server.CreateUser("alice@example.com");
  std::string bob = server.CreateUser("bob@example.com");
  const TestClient& http = server.client();
  std::string id = http.Post("/flows", Json::MakeObject({{"name", Json("secret")}}), alice).json()["flowId"].AsString();
  EXPECT_EQ(http.Get("/flows/" + id, bob).status, 404);
  EXPECT_EQ(http.Put("/flows/" + id, Json::MakeObject({{"name", Json("x")}}), bob).status, 404);
  EXPECT_EQ(http.Delete("/flows/" + id, bob).status, 404);
  EXPECT_EQ(http.Post("/flows/" + id + "/coordinator", Json::MakeObject({{"command", Json("start")}}), bob).status, 404);
  EXPECT_EQ(http.Get("/flows", bob).json().size(), 0u);
  // Shared for reading and starting only.
  Json share = Json::MakeArray({Json::MakeObject({{"email", Json("bob@example.com")},
                                                  {"permissions", Json::MakeArray({Json("read"), Json("start")})}})});
  ASSERT_EQ(http.Put("/flows/" + id, Json::MakeObject({{"sharedWith", share}}), alice).status, 200);
  EXPECT_EQ(http.Get("/flows/" + id, bob).status, 200);
  EXPECT_EQ(http.Post("/flows/" + id + "/coordinator", Json::MakeObject({{"command", Json("start")}}), bob).status, 200);
  EXPECT_EQ(http.Post("/flows/" + id + "/coordinator", Json::MakeObject({{"command", Json("stop")}}), bob).status, 403);
  EXPECT_EQ(http.Delete("/flows/" + id, bob).status, 403);
}

}  // namespace
}  // namespace flowkit::server::testing
