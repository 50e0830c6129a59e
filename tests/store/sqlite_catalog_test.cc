// SQLite catalog specifics: persistence, file modes, schema versions, foreign files, byte-exact
// secrets and two catalogs on one file. Shared behaviour is in catalog_conformance_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <fstream>
#include <string>

#include "flowkit/catalog.h"
#include "flowkit/clock.h"
#include "store/sqlite_test_util.h"
#include "store/temp_dir.h"

namespace flowkit {
namespace {

using ::testing::HasSubstr;

using test::ModeOf;
using test::RawSql;
using test::ReadBytes;

class SqliteCatalogTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<Catalog>> Open(const std::string& path) {
    return NewSqliteCatalog({.path = path, .clock = &clock_});
  }

  ManualClock clock_{1700000000000};
  test::TempDir dir_;
};

TEST_F(SqliteCatalogTest, EverythingPersistsAcrossCloseAndReopen) {
  const std::string path = dir_.Sub("data/catalog.db");
  std::string user_id;
  {
    auto catalog = Open(path);
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    FlowRecord flow;
    flow.flow_id = "f1";
    flow.user_id = "alice";
    flow.name = "Persisted";
    flow.descriptor =
        *Json::Parse(R"({"c1": {"type": "x", "config": {"properties": {"n": 1.5}}}})");
    flow.shared_with = *Json::Parse(R"([{"email": "bob@example.com", "permissions": ["read"]}])");
    ASSERT_TRUE((*catalog)->flows().Create(flow).ok());
    ASSERT_TRUE((*catalog)->flows().SetStage("f1", "running").ok());
    UserRecord user;
    user.username = "alice";
    user.email = "alice@example.com";
    user.password_hash = "hash";
    user.scope = {"user", "admin"};
    auto created = (*catalog)->users().Create(user);
    ASSERT_TRUE(created.ok());
    user_id = created->id;
    AccountRecord account;
    account.account_id = "a1";
    account.user_id = "alice";
    account.service = "appmixer:slack";
    account.sealed_secrets = "sealed";
    ASSERT_TRUE((*catalog)->accounts().Create(account).ok());
    PeopleTaskRecord task;
    task.id = "t1";
    task.user_id = "alice";
    task.approver = "bob@example.com";
    ASSERT_TRUE((*catalog)->people_tasks().Create(task).ok());
    ASSERT_TRUE((*catalog)->config().Set("APP_NAME", Json("flowkit")).ok());
    ASSERT_TRUE((*catalog)
                    ->config()
                    .PutService("appmixer:google", *Json::Parse(R"({"clientId": "c"})"))
                    .ok());
  }
  auto catalog = Open(path);
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  auto flow = (*catalog)->flows().Get("f1");
  ASSERT_TRUE(flow.ok());
  EXPECT_EQ(flow->name, "Persisted");
  EXPECT_EQ(flow->stage, "running");
  EXPECT_EQ(flow->descriptor["c1"]["config"]["properties"]["n"].AsDouble(), 1.5);
  // The sharing index persists too.
  FlowQuery bob;
  bob.viewer = {"bob", "bob@example.com"};
  bob.include_shared = true;
  EXPECT_EQ(*(*catalog)->flows().Count(bob), 1);
  auto user = (*catalog)->users().FindByEmail("ALICE@example.com");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->id, user_id);
  EXPECT_EQ(user->scope, (std::vector<std::string>{"user", "admin"}));
  EXPECT_EQ((*catalog)->accounts().Get("alice", "a1")->sealed_secrets, "sealed");
  EXPECT_TRUE((*catalog)->people_tasks().Get({"bob", "bob@example.com"}, "t1").ok());
  EXPECT_EQ(*(*catalog)->config().Get("APP_NAME"), Json("flowkit"));
  EXPECT_EQ((*catalog)->config().GetService("appmixer:google")->values["clientId"].AsString(), "c");
}

TEST_F(SqliteCatalogTest, SealedSecretsAreStoredByteExact) {
  std::string secrets;
  for (int i = 0; i < 256; ++i) secrets.push_back(static_cast<char>(i));
  secrets += std::string("\0\0tail\xff\0", 8);
  const std::string path = dir_.Sub("catalog.db");
  {
    auto catalog = Open(path);
    ASSERT_TRUE(catalog.ok());
    AccountRecord account;
    account.account_id = "a1";
    account.user_id = "u";
    account.service = "s";
    account.sealed_secrets = secrets;
    auto created = (*catalog)->accounts().Create(account);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    EXPECT_EQ((*catalog)->accounts().Get("u", "a1")->sealed_secrets, secrets);
    account.account_id = "empty";
    account.sealed_secrets.clear();
    ASSERT_TRUE((*catalog)->accounts().Create(account).ok());
  }
  auto catalog = Open(path);
  ASSERT_TRUE(catalog.ok());
  auto got = (*catalog)->accounts().Get("u", "a1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->sealed_secrets.size(), secrets.size());
  EXPECT_EQ(got->sealed_secrets, secrets);
  EXPECT_EQ((*catalog)->accounts().Get("u", "empty")->sealed_secrets, "");
  EXPECT_EQ(RawSql(path, "SELECT length(sealed_secrets) FROM accounts WHERE account_id = 'a1'"),
            std::to_string(secrets.size()));
  EXPECT_EQ(RawSql(path, "SELECT typeof(sealed_secrets) FROM accounts WHERE account_id = 'a1'"),
            "blob");
}

TEST_F(SqliteCatalogTest, DirectoryIsPrivateAndFilesAre0600) {
  const mode_t old_umask = ::umask(022);
  const std::string data = dir_.Sub("new/data");
  const std::string path = data + "/catalog.db";
  {
    auto catalog = Open(path);
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    ASSERT_TRUE((*catalog)->config().Set("k", Json(1)).ok());
    EXPECT_EQ(ModeOf(data), 0700);
    EXPECT_EQ(ModeOf(path), 0600);
    EXPECT_EQ(ModeOf(path + "-wal"), 0600);
    EXPECT_EQ(ModeOf(path + "-shm"), 0600);
  }
  ASSERT_EQ(::chmod(data.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  {
    auto catalog = Open(path);
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    EXPECT_EQ(ModeOf(data), 0700);
    EXPECT_EQ(ModeOf(path), 0600);
  }
  ::umask(old_umask);
}

TEST_F(SqliteCatalogTest, NewDatabaseIsWalAtSchemaVersionTwo) {
  const std::string path = dir_.Sub("catalog.db");
  ASSERT_TRUE(Open(path).ok());
  EXPECT_EQ(RawSql(path, "SELECT value FROM meta WHERE key = 'schema_version'"), "2");
  EXPECT_EQ(RawSql(path, "PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteCatalogTest, NewerSchemaVersionFailsAndLeavesTheFileUntouched) {
  const std::string path = dir_.Sub("catalog.db");
  {
    auto catalog = Open(path);
    ASSERT_TRUE(catalog.ok());
    ASSERT_TRUE((*catalog)->config().Set("k", Json(1)).ok());
  }
  RawSql(path, "UPDATE meta SET value = 7 WHERE key = 'schema_version'");
  ASSERT_EQ(RawSql(path, "SELECT value FROM meta WHERE key = 'schema_version'"), "7");
  const std::string before = ReadBytes(path);
  ASSERT_FALSE(before.empty());

  auto catalog = Open(path);
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(catalog.status().message(), HasSubstr("catalog database"));
  EXPECT_THAT(catalog.status().message(), HasSubstr("7"));
  EXPECT_THAT(catalog.status().message(), HasSubstr(path));
  EXPECT_EQ(ReadBytes(path), before);
}

TEST_F(SqliteCatalogTest, PathUnderANonDirectoryFailsClearly) {
  const std::string file = dir_.Sub("plain-file");
  std::ofstream(file) << "not a directory";
  auto catalog = Open(file + "/catalog.db");
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(catalog.status().message(), HasSubstr(file));
  EXPECT_THAT(catalog.status().message(), HasSubstr("not a directory"));
  EXPECT_EQ(ReadBytes(file), "not a directory");
  EXPECT_EQ(NewSqliteCatalog({}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SqliteCatalogTest, ForeignFilesAreRefused) {
  const std::string garbage = dir_.Sub("garbage.db");
  std::ofstream(garbage) << std::string(4096, 'x');
  auto catalog = Open(garbage);
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().code(), StatusCode::kCorruption);

  // Another flowkit store's database (documents) is a SQLite file without our tables: its
  // schema version is that of another store, so the catalog must not be opened on it silently.
  const std::string other = dir_.Sub("other.db");
  RawSql(other, "CREATE TABLE t (x)");
  auto foreign = Open(other);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(foreign.status().message(), HasSubstr("not a flowkit catalog database"));
}

TEST_F(SqliteCatalogTest, TwoCatalogsOnOneFileSeeEachOthersWrites) {
  const std::string path = dir_.Sub("catalog.db");
  auto first = Open(path);
  auto second = Open(path);
  ASSERT_TRUE(first.ok() && second.ok());
  UserRecord user;
  user.username = "u";
  user.email = "u@example.com";
  ASSERT_TRUE((*first)->users().Create(user).ok());
  auto clash = (*second)->users().Create(user);
  EXPECT_EQ(clash.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*(*second)->users().Count(), 1);
}

TEST_F(SqliteCatalogTest, AFailedWriteChangesNothing) {
  const std::string path = dir_.Sub("catalog.db");
  auto catalog = Open(path);
  ASSERT_TRUE(catalog.ok());
  FlowCatalog& flows = (*catalog)->flows();
  FlowRecord flow;
  flow.flow_id = "f";
  flow.user_id = "alice";
  flow.name = "Before";
  flow.shared_with = *Json::Parse(R"([{"userId": "bob", "permissions": ["read"]}])");
  ASSERT_TRUE(flows.Create(flow).ok());

  // Cap the size of files this process may write: SQLite's writes past it fail (as on a full
  // disk), so the update of the flow and of its share index cannot commit.
  struct rlimit old_limit {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = old_limit;
  limit.rlim_cur = 1 << 20;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  FlowRecord huge = flow;
  huge.name = "After";
  huge.descriptor = Json::MakeObject({{"big", std::string(8 << 20, 'h')}});
  huge.shared_with = *Json::Parse(R"([{"userId": "carol", "permissions": ["read"]}])");
  auto updated = flows.Update(huge);
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &old_limit), 0);
  std::signal(SIGXFSZ, old_handler);

  ASSERT_FALSE(updated.ok());
  EXPECT_THAT(updated.status().code(),
              ::testing::AnyOf(StatusCode::kResourceExhausted, StatusCode::kIOError));
  EXPECT_THAT(updated.status().message(), HasSubstr("flow update"));
  EXPECT_EQ(flows.Get("f")->name, "Before");
  FlowQuery bob;
  bob.viewer.user_id = "bob";
  bob.include_shared = true;
  EXPECT_EQ(*flows.Count(bob), 1);
  FlowQuery carol;
  carol.viewer.user_id = "carol";
  carol.include_shared = true;
  EXPECT_EQ(*flows.Count(carol), 0);
  // Works on once there is room again.
  huge.descriptor = Json::MakeObject();
  ASSERT_TRUE(flows.Update(huge).ok());
  EXPECT_EQ(*flows.Count(carol), 1);
}

}  // namespace
}  // namespace flowkit
