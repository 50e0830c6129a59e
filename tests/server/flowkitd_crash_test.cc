// flowkitd as a process: SIGTERM drains and exits 0; kill -9 under webhook load loses no request
// that was answered 202 (enqueueOnly): each is processed after the restart.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "flowkit/storage.h"
#include "server/flowkitd_process.h"
#include "server/test_server.h"

namespace flowkit::server::testing {
namespace {

// WebhookTrigger → storage.Set(store "seen", key = data.n).
Json RecorderFlow() {
  return *Json::Parse(R"({
    "hook": {"type": "appmixer.utils.http.WebhookTrigger", "config": {"properties": {"immediateResponse": false}}},
    "save": {"type": "appmixer.utils.storage.Set", "source": {"in": {"hook": ["request"]}},
      "config": {"transform": {"in": {"hook": {"request": {"type": "json2new", "lambda": {
        "storeId": "seen", "key": "{{{$.hook.request.data.n}}}", "value": "{{{$.hook.request.data.n}}}"}}}}}}}
  })");
}

TEST(ServerProcess, SigtermDrainsAndExitsZero) {
  TempDir dir;
  FlowkitdProcess server({"--data", dir.path()});
  ASSERT_FALSE(server.url().empty()) << "flowkitd did not start";
  TestClient http(server.url());
  EXPECT_EQ(http.Get("/healthz").status, 200);
  EXPECT_EQ(server.Terminate(), 0);
  EXPECT_EQ(http.Get("/healthz").status, 0);  // gone
}

TEST(ServerProcess, BadFlagsAreRefusedWithAMessage) {
  FlowkitdProcess server({"--store", "postgresql://u:pw@localhost/db", "--data", "/tmp"});
  EXPECT_TRUE(server.url().empty());
}

TEST(ServerProcessCrash, EveryAcceptedWebhookIsProcessedAfterKill9) {
  TempDir dir;
  std::string user_id;
  std::string flow_id;
  {
    FlowkitdProcess server({"--data", dir.path()});
    ASSERT_FALSE(server.url().empty());
    TestClient http(server.url());
    HttpResult user = http.Post("/user", Json::MakeObject({{"email", Json("crash@example.com")}, {"password", Json("crash-password")}}));
    ASSERT_EQ(user.status, 201) << user.body;
    user_id = user.json()["id"].AsString();
    ASSERT_EQ(server.Terminate(), 0);
  }
  {
    // The data store the flow writes to (the server shares the SQLite file).
    auto documents = NewSqliteDocumentStore(SqliteDocumentOptions{.path = dir.path() + "/documents.db"});
    ASSERT_TRUE(documents.ok()) << documents.status().ToString();
    ASSERT_TRUE((*documents)->DataStoresOf(user_id).CreateStore("seen", "seen").ok());
  }
  std::set<std::string> accepted;
  {
    FlowkitdProcess server({"--data", dir.path()});
    ASSERT_FALSE(server.url().empty());
    TestClient http(server.url());
    std::string token = http.Post("/user/auth", Json::MakeObject({{"email", Json("crash@example.com")}, {"password", Json("crash-password")}}))
                            .json()["token"].AsString();
    ASSERT_FALSE(token.empty());
    flow_id = http.Post("/flows", Json::MakeObject({{"name", Json("recorder")}, {"flow", RecorderFlow()}}), token)
                  .json()["flowId"].AsString();
    ASSERT_EQ(http.Post("/flows/" + flow_id + "/coordinator", Json::MakeObject({{"command", Json("start")}}), token).status, 200);
    std::mutex mu;
    std::atomic<int> next{0};
    std::atomic<bool> killed{false};
    std::vector<std::thread> senders;
    for (int t = 0; t < 4; ++t) {
      senders.emplace_back([&] {
        while (!killed.load()) {
          int n = next.fetch_add(1);
          if (n >= 2000) return;
          HttpResult r = http.Post("/flows/" + flow_id + "/components/hook?enqueueOnly=true",
                                   Json::MakeObject({{"n", Json("k" + std::to_string(n))}}));
          if (r.status == 202) {
            std::lock_guard<std::mutex> lock(mu);
            accepted.insert("k" + std::to_string(n));
          }
        }
      });
    }
    // Kill once a good share was accepted, with requests still arriving.
    for (int i = 0; i < 1000; ++i) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (accepted.size() >= 300) break;
      }
      usleep(5000);
    }
    server.Kill();
    killed.store(true);
    for (std::thread& t : senders) t.join();
  }
  ASSERT_GE(accepted.size(), 50u);
  {
    FlowkitdProcess server({"--data", dir.path()});
    ASSERT_FALSE(server.url().empty()) << "flowkitd did not restart on its data";
    auto documents = NewSqliteDocumentStore(SqliteDocumentOptions{.path = dir.path() + "/documents.db"});
    ASSERT_TRUE(documents.ok());
    DataStore& store = (*documents)->DataStoresOf(user_id);
    size_t missing = accepted.size();
    for (int i = 0; i < 600 && missing > 0; ++i) {
      missing = 0;
      for (const std::string& key : accepted) {
        Result<std::optional<StoreRecord>> record = store.Get("seen", key);
        if (!record.ok() || !record->has_value()) ++missing;
      }
      if (missing > 0) usleep(50000);
    }
    EXPECT_EQ(missing, 0u) << "of " << accepted.size() << " accepted requests";
    EXPECT_EQ(server.Terminate(), 0);
  }
}

}  // namespace
}  // namespace flowkit::server::testing
