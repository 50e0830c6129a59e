// flowkitd black-box: a flow with appmixer.utils.tasks.RequestApproval. A webhook feeds the task,
// the approver decides through /people-task/tasks/:id/approve|reject (or the deadline passes),
// and the outcome comes back to the component, whose ports write into a data store.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "app/people_task_hub.h"
#include "server/test_server.h"

namespace flowkit::server::testing {
namespace {

// hook (WebhookTrigger) → approval (RequestApproval) → one storage.Set per out-port, each
// writing "<port>/<task id>" → the task's status into `store`.
Json ApprovalFlow(const std::string& store) {
  auto lambda = [](const char* field) { return "{{{$.hook.request.data." + std::string(field) + "}}}"; };
  Json task = Json::MakeObject();
  for (const char* field : {"title", "description", "requester", "approver", "decisionBy"}) task.Set(field, lambda(field));
  Json flow = Json::MakeObject(
      {{"hook", Json::MakeObject({{"type", "appmixer.utils.http.WebhookTrigger"}})},
       {"approval",
        Json::MakeObject(
            {{"type", "appmixer.utils.tasks.RequestApproval"},
             {"source", Json::MakeObject({{"task", Json::MakeObject({{"hook", Json::MakeArray({"request"})}})}})},
             {"config", Json::MakeObject({{"transform", Json::MakeObject({{"task", Json::MakeObject({{"hook", Json::MakeObject({{"request", Json::MakeObject({{"type", "json2new"}, {"lambda", task}})}})}})}})}})}})}});
  for (const char* port : {"created", "approved", "rejected", "due"}) {
    const std::string at = std::string("$.approval.") + port;
    Json record = Json::MakeObject({{"storeId", store},
                                    {"key", std::string(port) + "/{{{" + at + ".id}}}"},
                                    {"value", "{{{" + at + ".status}}}"}});
    flow.Set(std::string("on-") + port,
             Json::MakeObject(
                 {{"type", "appmixer.utils.storage.Set"},
                  {"source", Json::MakeObject({{"in", Json::MakeObject({{"approval", Json::MakeArray({port})}})}})},
                  {"config", Json::MakeObject({{"transform", Json::MakeObject({{"in", Json::MakeObject({{"approval", Json::MakeObject({{port, Json::MakeObject({{"type", "json2new"}, {"lambda", record}})}})}})}})}})}}));
  }
  return flow;
}

Json TaskRequest(const std::string& title, const std::string& decision_by = "2099-01-01T00:00:00Z") {
  return Json::MakeObject({{"title", title},
                           {"description", "please look"},
                           {"requester", "owner@example.com"},
                           {"approver", "boss@example.com"},
                           {"decisionBy", decision_by}});
}

// Polls `check` every 10 ms for up to 20 s.
bool WaitFor(const std::function<bool()>& check) {
  for (int i = 0; i < 2000; ++i) {
    if (check()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return check();
}

struct Scene {
  std::string owner, boss, stranger, store, flow;
};

// Users, a store and the running flow.
Scene Prepare(TestServer& server) {
  Scene s;
  const TestClient& http = server.client();
  s.owner = server.CreateUser("owner@example.com");
  s.boss = server.CreateUser("boss@example.com");
  s.stranger = server.CreateUser("stranger@example.com");
  s.store = http.Post("/stores", Json::MakeObject({{"name", "outcomes"}}), s.owner).json()["storeId"].AsString();
  HttpResult created = http.Post("/flows", Json::MakeObject({{"name", "approval"}, {"flow", ApprovalFlow(s.store)}}), s.owner);
  EXPECT_EQ(created.status, 201) << created.body;
  s.flow = created.json()["flowId"].AsString();
  HttpResult started = http.Post("/flows/" + s.flow + "/coordinator", Json::MakeObject({{"command", "start"}}), s.owner);
  EXPECT_EQ(started.status, 200) << started.body;
  return s;
}

// The store's record under `key` ("<port>/<task id>"): its value, or "" when there is none.
std::string Record(const TestClient& http, const Scene& s, const std::string& key) {
  const Json records = http.Get("/store?storeId=" + s.store, s.owner).json();  // named: array() must not outlive it
  if (!records.IsArray()) return {};
  for (const Json& record : records.array()) {
    if (record["key"].AsString() == key) return record["value"].AsString();
  }
  return {};
}

// Posts a task through the flow's webhook and returns its id once `created` has fired.
std::string RequestThroughTheFlow(const TestClient& http, const Scene& s, const Json& task) {
  HttpResult posted = http.Post("/flows/" + s.flow + "/components/hook", task);
  EXPECT_EQ(posted.status, 200) << posted.body;
  std::string id;
  EXPECT_TRUE(WaitFor([&] {
    const Json tasks = http.Get("/people-task/tasks?role=owner", s.owner).json();
    if (!tasks.IsArray()) return false;
    for (const Json& t : tasks.array()) {
      if (t["title"].AsString() == task["title"].AsString()) id = t["id"].AsString();
    }
    return !id.empty() && Record(http, s, "created/" + id) == "pending";
  })) << "the task was not created through the flow";
  return id;
}

size_t Receivers(TestServer& server) { return server.services().people_tasks->ReceiverCount(); }

TEST(ServerPeopleTaskFlow, ApprovalAndRejectionFireTheirPortsAndOnlyTheApproverDecides) {
  TestServer server;
  const TestClient& http = server.client();
  Scene s = Prepare(server);
  std::string laptop = RequestThroughTheFlow(http, s, TaskRequest("Buy a laptop"));
  std::string boat = RequestThroughTheFlow(http, s, TaskRequest("Buy a boat"));
  ASSERT_FALSE(laptop.empty());
  ASSERT_FALSE(boat.empty());
  HttpResult task = http.Get("/people-task/tasks/" + laptop, s.boss);
  ASSERT_EQ(task.status, 200) << task.body;
  EXPECT_EQ(task.json()["flowId"].AsString(), s.flow);
  EXPECT_EQ(task.json()["componentId"].AsString(), "approval");
  EXPECT_EQ(task.json()["decisionBy"].AsString(), "2099-01-01T00:00:00.000Z");

  // Another user cannot decide; the owner is not the approver either.
  EXPECT_EQ(http.Put("/people-task/tasks/" + laptop + "/approve", Json::MakeObject(), s.stranger).status, 404);
  EXPECT_EQ(http.Put("/people-task/tasks/" + laptop + "/approve", Json::MakeObject(), s.owner).status, 403);
  EXPECT_EQ(http.Get("/people-task/tasks/" + laptop, s.owner).json()["status"].AsString(), "pending");

  HttpResult approved = http.Put("/people-task/tasks/" + laptop + "/approve", Json::MakeObject(), s.boss);
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_TRUE(WaitFor([&] { return Record(http, s, "approved/" + laptop) == "approved"; }));
  HttpResult rejected = http.Put("/people-task/tasks/" + boat + "/reject", Json::MakeObject(), s.boss);
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  EXPECT_TRUE(WaitFor([&] { return Record(http, s, "rejected/" + boat) == "rejected"; }));
  EXPECT_EQ(Record(http, s, "approved/" + boat), "");
  EXPECT_EQ(Record(http, s, "rejected/" + laptop), "");
  EXPECT_TRUE(WaitFor([&] { return Receivers(server) == 0; })) << "delivered registrations are consumed";
}

TEST(ServerPeopleTaskFlow, ATaskPastItsDecisionByFallsDueOnce) {
  ServerOptions options = MemoryOptions();
  options.people_task_due_interval_ms = 50;
  TestServer server(options);
  const TestClient& http = server.client();
  Scene s = Prepare(server);
  HttpResult bad = http.Post("/flows/" + s.flow + "/components/hook", TaskRequest("Bad date", "whenever"));
  EXPECT_EQ(bad.status, 200) << "the trigger answers at once; the approval fails for good";
  std::string id = RequestThroughTheFlow(http, s, TaskRequest("Late", "2020-01-01T00:00:00Z"));
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(WaitFor([&] { return Record(http, s, "due/" + id) == "due"; }));
  EXPECT_EQ(http.Get("/people-task/tasks/" + id, s.owner).json()["status"].AsString(), "due");
  EXPECT_TRUE(WaitFor([&] { return Receivers(server) == 0; }));
  // The approver may still decide a due task; the component was told once, and is not again.
  ASSERT_EQ(http.Put("/people-task/tasks/" + id + "/approve", Json::MakeObject(), s.boss).status, 200);
  EXPECT_EQ(http.Get("/people-task/tasks/" + id, s.owner).json()["status"].AsString(), "approved");
  EXPECT_EQ(Receivers(server), 0u);
  // The invalid decisionBy never became a task; its message is a dead letter naming the field.
  EXPECT_EQ(http.Get("/people-task/tasks-count?role=owner", s.owner).json()["count"].AsInt(), 1);
  HttpResult letters;
  EXPECT_TRUE(WaitFor([&] {
    letters = http.Get("/unprocessed-messages", s.owner);
    return letters.json().size() == 1;
  })) << letters.body;
  EXPECT_NE(letters.body.find("decisionBy"), std::string::npos) << letters.body;
}

TEST(ServerPeopleTaskFlow, StoppingTheFlowUnregistersItsTasks) {
  TestServer server;
  const TestClient& http = server.client();
  Scene s = Prepare(server);
  std::string id = RequestThroughTheFlow(http, s, TaskRequest("Forgotten"));
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(Receivers(server), 1u);
  ASSERT_EQ(http.Post("/flows/" + s.flow + "/coordinator", Json::MakeObject({{"command", "stop"}}), s.owner).status, 200);
  EXPECT_EQ(Receivers(server), 0u);
  ASSERT_EQ(http.Put("/people-task/tasks/" + id + "/approve", Json::MakeObject(), s.boss).status, 200);
  ASSERT_EQ(http.Post("/flows/" + s.flow + "/coordinator", Json::MakeObject({{"command", "start"}}), s.owner).status, 200);
  // Nothing arrives for the stopped flow's task (the restarted flow has its state cleared too).
  std::string other = RequestThroughTheFlow(http, s, TaskRequest("Fresh"));
  ASSERT_EQ(http.Put("/people-task/tasks/" + other + "/approve", Json::MakeObject(), s.boss).status, 200);
  EXPECT_TRUE(WaitFor([&] { return Record(http, s, "approved/" + other) == "approved"; }));
  EXPECT_EQ(Record(http, s, "approved/" + id), "");
}

TEST(ServerPeopleTaskFlow, ADecisionAfterARestartStillReachesTheFlow) {
  TempDir dir;
  Scene s;
  std::string id;
  {
    TestServer server(DataDirOptions(dir.path()));
    s = Prepare(server);
    id = RequestThroughTheFlow(server.client(), s, TaskRequest("Across a restart"));
    ASSERT_FALSE(id.empty());
  }
  TestServer again(DataDirOptions(dir.path()));
  const TestClient& http = again.client();
  auto sign_in = [&](const char* email) {
    return http.Post("/user/auth", Json::MakeObject({{"email", email}, {"password", "user-password"}})).json()["token"].AsString();
  };
  s.owner = sign_in("owner@example.com");
  s.boss = sign_in("boss@example.com");
  EXPECT_EQ(Receivers(again), 1u) << "the registration is durable";
  HttpResult approved = http.Put("/people-task/tasks/" + id + "/approve", Json::MakeObject(), s.boss);
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_TRUE(WaitFor([&] { return Record(http, s, "approved/" + id) == "approved"; }));
  EXPECT_TRUE(WaitFor([&] { return Receivers(again) == 0; }));
}

}  // namespace
}  // namespace flowkit::server::testing
