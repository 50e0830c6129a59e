// flowkitd black-box: data stores, records and files.
#include <gtest/gtest.h>

#include "server/test_server.h"

namespace flowkit::server::testing {
namespace {

TEST(ServerStores, StoresAndRecordsRoundTrip) {
  TestServer server;
  const TestClient& http = server.client();
  std::string token = server.CreateUser("st@example.com");
  HttpResult created = http.Post("/stores", Json::MakeObject({{"name", Json("Orders")}}), token);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string store = created.json()["storeId"].AsString();
  EXPECT_EQ(http.Get("/stores", token).json()[0]["name"].AsString(), "Orders");
  EXPECT_EQ(http.Get("/stores/" + store, token).json()["name"].AsString(), "Orders");
  ASSERT_EQ(http.Request("POST", "/store/" + store + "/a", R"({"n": 1})", token, {"Content-Type: application/json"}).status, 200);
  ASSERT_EQ(http.Request("POST", "/store/" + store + "/b", "plain, \"text\"", token, {"Content-Type: text/plain"}).status, 200);
  HttpResult list = http.Get("/store?storeId=" + store + "&sort=key:-1", token);
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json().size(), 2u);
  EXPECT_EQ(list.json()[0]["key"].AsString(), "b");
  EXPECT_EQ(list.json()[1]["value"], Json::MakeObject({{"n", Json(1)}}));
  EXPECT_EQ(http.Get("/store/count?storeId=" + store, token).json()["count"].AsInt(), 2);
  HttpResult filtered = http.Get("/store?storeId=" + store + "&filter=%7B%22key%22%3A%22a%22%7D", token);
  EXPECT_EQ(filtered.json().size(), 1u) << filtered.body;
  HttpResult renamed = http.Patch("/store/" + store + "/a", Json::MakeObject({{"key", Json("c")}, {"value", Json(5)}}), token);
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.json()["key"].AsString(), "c");
  HttpResult csv = http.Get("/store/download/" + store + "?format=csv", token);
  EXPECT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("\"plain, \"\"text\"\"\""), std::string::npos) << csv.body;
  EXPECT_NE(csv.headers["content-disposition"].find("attachment"), std::string::npos);
  HttpResult removed = http.Request("DELETE", "/store", R"([{"key": "b", "storeId": ")" + store + R"("}, {"key": "zz", "storeId": ")" + store + R"("}])",
                                    token, {"Content-Type: application/json"});
  EXPECT_EQ(removed.json()["deletedCount"].AsInt(), 1) << removed.body;
  EXPECT_EQ(http.Get("/store?storeId=nope", token).status, 404);
  EXPECT_EQ(http.Get("/store", token).status, 400);
  EXPECT_EQ(http.Get("/store?storeId=" + store + "&filter=nope", token).status, 400);
  EXPECT_EQ(http.Request("DELETE", "/store", R"({"key": "c"})", token, {"Content-Type: application/json"}).status, 400);
  // Another user sees nothing of it.
  std::string other = server.CreateUser("other-st@example.com");
  EXPECT_EQ(http.Get("/store?storeId=" + store, other).status, 404);
  EXPECT_EQ(http.Get("/stores/" + store, other).status, 404);
  EXPECT_EQ(http.Request("POST", "/store/" + store + "/x", "1", other, {"Content-Type: application/json"}).status, 404);
  EXPECT_EQ(http.Delete("/stores/" + store, other).status, 404);
  EXPECT_EQ(http.Delete("/stores/" + store, token).status, 200);
  EXPECT_EQ(http.Get("/stores", token).json().size(), 0u);
}

TEST(ServerFiles, UploadChunksListDownloadDelete) {
  TestServer server;
  const TestClient& http = server.client();
  std::string token = server.CreateUser("files@example.com");
  HttpResult first = http.Request("POST", "/files", "hello ", token,
                                  {"uploader-file-name: greeting%20one.txt", "uploader-file-id: f-1", "uploader-chunk-number: 0",
                                   "uploader-chunks-total: 2", "Content-Type: text/plain"});
  ASSERT_EQ(first.status, 201) << first.body;
  HttpResult second = http.Request("POST", "/files", "world", token,
                                   {"uploader-file-name: greeting%20one.txt", "uploader-file-id: f-1", "uploader-chunk-number: 1",
                                    "uploader-chunks-total: 2", "Content-Type: text/plain"});
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.json()["length"].AsInt(), 11);
  HttpResult content = http.Get("/files/f-1", token);
  EXPECT_EQ(content.body, "hello world");
  EXPECT_EQ(content.headers["content-disposition"], "attachment; filename=\"greeting one.txt\"");
  ASSERT_EQ(http.Request("POST", "/files?filename=b.bin", "xyz", token).status, 201);
  EXPECT_EQ(http.Get("/files/count", token).json()["count"].AsInt(), 2);
  HttpResult sorted = http.Get("/files?sort=filename:-1", token);
  EXPECT_EQ(sorted.json()[0]["filename"].AsString(), "greeting one.txt");
  EXPECT_EQ(http.Get("/files?filter=filename:~b.b", token).json().size(), 1u);
  EXPECT_EQ(http.Get("/files/metadata/f-1", token).json()["filename"].AsString(), "greeting one.txt");
  EXPECT_EQ(http.Request("POST", "/files", "x", token).status, 400);  // no name
  std::string other = server.CreateUser("other-files@example.com");
  EXPECT_EQ(http.Get("/files/f-1", other).status, 404);
  EXPECT_EQ(http.Delete("/files/f-1", other).status, 404);
  EXPECT_EQ(http.Get("/files", other).json().size(), 0u);
  EXPECT_EQ(http.Delete("/files/f-1", token).status, 200);
  EXPECT_EQ(http.Get("/files/f-1", token).status, 404);
}

// Files archived by appmixer.utils.files.ArchiveFile leave the default listing and count but stay
// downloadable; ?archived=true lists only them, ?archived=all both.
TEST(ServerFiles, ArchivedFilesLeaveTheDefaultListing) {
  TestServer server;
  const TestClient& http = server.client();
  std::string token = server.CreateUser("archive@example.com");
  ASSERT_EQ(http.Request("POST", "/files?filename=current.txt", "c", token).status, 201);
  HttpResult old = http.Request("POST", "/files?filename=old.txt", "o", token);
  ASSERT_EQ(old.status, 201);
  const std::string old_id = old.json()["fileId"].AsString();
  const std::string user_id = http.Get("/user", token).json()["id"].AsString();
  ASSERT_FALSE(user_id.empty());
  ASSERT_TRUE(server.services().documents->FilesOf(user_id).Archive(old_id).ok());

  HttpResult current = http.Get("/files", token);
  ASSERT_EQ(current.json().size(), 1u) << current.body;
  EXPECT_EQ(current.json()[0]["filename"].AsString(), "current.txt");
  EXPECT_EQ(http.Get("/files/count", token).json()["count"].AsInt(), 1);
  HttpResult archived = http.Get("/files?archived=true", token);
  ASSERT_EQ(archived.json().size(), 1u) << archived.body;
  EXPECT_EQ(archived.json()[0]["metadata"]["archived"], Json(true));
  EXPECT_EQ(http.Get("/files?archived=all", token).json().size(), 2u);
  EXPECT_EQ(http.Get("/files/count?archived=all", token).json()["count"].AsInt(), 2);
  EXPECT_EQ(http.Get("/files/" + old_id, token).body, "o");
  HttpResult bad = http.Get("/files?archived=maybe", token);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("archived"), std::string::npos) << bad.body;
}

}  // namespace
}  // namespace flowkit::server::testing
