// One suite for every Catalog adapter: each case runs against memory and SQLite (a fresh
// database in a temporary directory), so the adapters answer the same calls the same way.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "flowkit/catalog.h"
#include "flowkit/clock.h"
#include "store/temp_dir.h"

namespace flowkit {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Adapter {
  std::string name;
  std::function<Result<std::unique_ptr<Catalog>>(const Clock* clock, const std::string& path)> open;
};

void PrintTo(const Adapter& adapter, std::ostream* out) { *out << adapter.name; }

std::vector<Adapter> Adapters() {
  return {
      {"Memory",
       [](const Clock* clock, const std::string&) -> Result<std::unique_ptr<Catalog>> {
         return NewMemoryCatalog(clock);
       }},
      {"Sqlite",
       [](const Clock* clock, const std::string& path) {
         return NewSqliteCatalog({.path = path, .clock = clock});
       }},
  };
}

Json J(const char* text) { return *Json::Parse(text); }

class CatalogConformance : public ::testing::TestWithParam<Adapter> {
 protected:
  void SetUp() override {
    auto catalog = GetParam().open(&clock_, dir_.Sub("catalog.db"));
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(catalog).value();
  }

  FlowRecord Flow(const std::string& id, const std::string& owner, const std::string& name) {
    FlowRecord flow;
    flow.flow_id = id;
    flow.user_id = owner;
    flow.name = name;
    flow.descriptor = J(R"({"c1": {"type": "appmixer.utils.controls.OnStart"}})");
    return flow;
  }
  static std::vector<std::string> Ids(const Result<std::vector<FlowRecord>>& flows) {
    std::vector<std::string> ids;
    EXPECT_TRUE(flows.ok()) << flows.status().ToString();
    if (flows.ok()) {
      for (const FlowRecord& f : *flows) ids.push_back(f.flow_id);
    }
    return ids;
  }
  static FlowQuery Owned(const std::string& user) {
    FlowQuery query;
    query.viewer.user_id = user;
    return query;
  }
  UserRecord User(const std::string& username, const std::string& email) {
    UserRecord user;
    user.username = username;
    user.email = email;
    user.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
    return user;
  }
  PeopleTaskRecord Task(const std::string& id, const std::string& owner,
                        const std::string& approver) {
    PeopleTaskRecord task;
    task.id = id;
    task.user_id = owner;
    task.flow_id = "f1";
    task.component_id = "c1";
    task.title = "Approve " + id;
    task.requester = "req@example.com";
    task.approver = approver;
    task.data = J(R"({"amount": 10})");
    return task;
  }

  ManualClock clock_{1700000000000};
  test::TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_P(CatalogConformance, FlowsAreCreatedReadUpdatedAndDeleted) {
  FlowCatalog& flows = catalog_->flows();
  FlowRecord input = Flow("f1", "alice", "First");
  input.custom_fields = J(R"({"category": "health"})");
  input.shared_with = J(R"([{"email": "bob@example.com", "permissions": ["read"]}])");
  input.thumbnail = "data:image/svg+xml,<svg/>";
  auto created = flows.Create(input);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->created_ms, 1700000000000);
  EXPECT_EQ(created->mtime_ms, 1700000000000);
  EXPECT_EQ(created->btime_ms, 1700000000000);
  EXPECT_EQ(created->stage, "stopped");

  auto got = flows.Get("f1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->user_id, "alice");
  EXPECT_EQ(got->name, "First");
  EXPECT_EQ(got->descriptor, input.descriptor);
  EXPECT_EQ(got->custom_fields, input.custom_fields);
  EXPECT_EQ(got->shared_with, input.shared_with);
  EXPECT_EQ(got->thumbnail, input.thumbnail);

  Json json = got->ToJson();
  EXPECT_EQ(json["flowId"].AsString(), "f1");
  EXPECT_EQ(json["userId"].AsString(), "alice");
  EXPECT_EQ(json["stage"].AsString(), "stopped");
  EXPECT_EQ(json["btime"].AsString(), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(json["mtime"].AsString(), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(json["customFields"]["category"].AsString(), "health");
  EXPECT_EQ(json["flow"], input.descriptor);
  EXPECT_FALSE(got->ToJson({"-flow", "-thumbnail"}).Contains("flow"));
  EXPECT_FALSE(got->ToJson({"-flow", "-thumbnail"}).Contains("thumbnail"));
  EXPECT_EQ(got->ToJson({"name"}).size(), 2u);  // flowId stays

  auto generated = flows.Create(Flow("", "alice", "Second"));
  ASSERT_TRUE(generated.ok());
  EXPECT_EQ(generated->flow_id.size(), 36u);

  auto again = flows.Create(Flow("f1", "bob", "Other"));
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(), HasSubstr("flow 'f1' already exists"));

  clock_.Advance(5000);
  FlowRecord change = Flow("f1", "mallory", "Renamed");
  change.stage = "running";  // ignored: SetStage changes the stage
  auto updated = flows.Update(change);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->name, "Renamed");
  EXPECT_EQ(updated->user_id, "alice");  // the owner stays
  EXPECT_EQ(updated->stage, "stopped");
  EXPECT_EQ(updated->mtime_ms, 1700000005000);
  EXPECT_EQ(updated->btime_ms, 1700000000000);
  EXPECT_TRUE(updated->shared_with.empty());
  EXPECT_EQ(flows.Get("f1")->name, "Renamed");
  EXPECT_EQ(flows.Get("f1")->mtime_ms, 1700000005000);

  ASSERT_TRUE(flows.SetStage("f1", "running").ok());
  EXPECT_EQ(flows.Get("f1")->stage, "running");
  EXPECT_EQ(flows.Get("f1")->mtime_ms, 1700000005000);
  EXPECT_EQ(flows.SetStage("f1", "paused").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(flows.SetStage("nope", "running").code(), StatusCode::kNotFound);

  ASSERT_TRUE(flows.Delete("f1").ok());
  auto missing = flows.Get("f1");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "flow 'f1' not found");
  EXPECT_EQ(flows.Delete("f1").code(), StatusCode::kNotFound);
  EXPECT_EQ(flows.Update(Flow("f1", "alice", "x")).status().code(), StatusCode::kNotFound);
}

TEST_P(CatalogConformance, FlowCreateRejectsBadInput) {
  FlowCatalog& flows = catalog_->flows();
  EXPECT_EQ(flows.Create(Flow("f", "", "n")).status().code(), StatusCode::kInvalidArgument);
  FlowRecord bad_stage = Flow("f", "u", "n");
  bad_stage.stage = "paused";
  EXPECT_EQ(flows.Create(bad_stage).status().code(), StatusCode::kInvalidArgument);
  FlowRecord bad_fields = Flow("f", "u", "n");
  bad_fields.custom_fields = Json(3);
  EXPECT_THAT(flows.Create(bad_fields).status().message(), HasSubstr("customFields"));
  FlowRecord bad_shares = Flow("f", "u", "n");
  bad_shares.shared_with = Json::MakeObject();
  EXPECT_THAT(flows.Create(bad_shares).status().message(), HasSubstr("sharedWith"));
  FlowRecord given_btime = Flow("f", "u", "n");
  given_btime.btime_ms = 1000;
  EXPECT_EQ(flows.Create(given_btime)->btime_ms, 1000);
  EXPECT_EQ(flows.Get("f")->btime_ms, 1000);
}

TEST_P(CatalogConformance, FlowListFiltersSortsPagesAndProjects) {
  FlowCatalog& flows = catalog_->flows();
  const char* names[] = {"Charlie", "alpha", "Bravo", "delta"};
  const char* categories[] = {"health", "finance", "health", "retail"};
  for (int i = 0; i < 4; ++i) {
    FlowRecord flow = Flow("f" + std::to_string(i), "alice", names[i]);
    flow.custom_fields = Json::MakeObject({{"category", categories[i]}, {"rank", 4 - i}});
    flow.thumbnail = "thumb";
    ASSERT_TRUE(flows.Create(flow).ok());
    clock_.Advance(1000);
  }
  ASSERT_TRUE(flows.Create(Flow("other", "bob", "alpha bob")).ok());
  ASSERT_TRUE(flows.SetStage("f2", "running").ok());

  FlowQuery query = Owned("alice");
  EXPECT_THAT(Ids(flows.List(query)), ElementsAre("f0", "f1", "f2", "f3"));  // creation order
  EXPECT_EQ(*flows.Count(query), 4);

  query.filter = J(R"({"customFields.category": "health"})");
  EXPECT_THAT(Ids(flows.List(query)), ElementsAre("f0", "f2"));
  EXPECT_EQ(*flows.Count(query), 2);
  query.filter = J(R"({"stage": "running"})");
  EXPECT_THAT(Ids(flows.List(query)), ElementsAre("f2"));
  query.filter = J(R"({"name": {"$regex": "^[a-c]", "$options": "i"}})");
  EXPECT_THAT(Ids(flows.List(query)), ElementsAre("f0", "f1", "f2"));
  query.filter = J(R"({"customFields.rank": {"$gte": 3}})");
  EXPECT_THAT(Ids(flows.List(query)), ElementsAre("f0", "f1"));
  query.filter = J(R"({"btime": {"$gte": "2023-11-14T22:13:22.000Z"}})");
  EXPECT_THAT(Ids(flows.List(query)), ElementsAre("f2", "f3"));
  query.filter = J(R"({"$or": [{"name": "delta"}, {"customFields.category": "finance"}]})");
  EXPECT_THAT(Ids(flows.List(query)), ElementsAre("f1", "f3"));
  query.filter = J(R"({"flow.c1": 1})");
  auto bad = flows.List(query);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("unknown flow field 'flow.c1'"));
  EXPECT_EQ(flows.Count(query).status().code(), StatusCode::kInvalidArgument);
  query.filter = Json();

  query.pattern = "AL";
  EXPECT_THAT(Ids(flows.List(query)), ElementsAre("f1"));
  query.pattern.clear();

  query.sort_by = "name";
  EXPECT_THAT(Ids(flows.List(query)), ElementsAre("f2", "f0", "f1", "f3"));  // code-point order
  query.sort_by = "mtime";
  query.descending = true;
  EXPECT_THAT(Ids(flows.List(query)), ElementsAre("f3", "f2", "f1", "f0"));
  query.sort_by = "customFields.rank";
  query.descending = false;
  EXPECT_THAT(Ids(flows.List(query)), ElementsAre("f3", "f2", "f1", "f0"));
  query.offset = 1;
  query.limit = 2;
  EXPECT_THAT(Ids(flows.List(query)), ElementsAre("f2", "f1"));
  EXPECT_EQ(*flows.Count(query), 4);  // paging does not change the count
  query.offset = 10;
  EXPECT_TRUE(flows.List(query)->empty());
  query.offset = -1;
  EXPECT_EQ(flows.List(query).status().code(), StatusCode::kInvalidArgument);
  query.offset = 0;
  query.limit = -1;
  query.sort_by = "nope";
  EXPECT_EQ(flows.List(query).status().code(), StatusCode::kInvalidArgument);
  query.sort_by.clear();

  query.projection = {"-flow", "-thumbnail"};
  auto projected = flows.List(query);
  ASSERT_TRUE(projected.ok()) << projected.status().ToString();
  ASSERT_EQ(projected->size(), 4u);
  EXPECT_TRUE(projected->front().thumbnail.empty());
  Json first = projected->front().ToJson(query.projection);
  EXPECT_FALSE(first.Contains("flow"));
  EXPECT_FALSE(first.Contains("thumbnail"));
  EXPECT_EQ(first["name"].AsString(), "Charlie");
  EXPECT_EQ(first["customFields"]["category"].AsString(), "health");
  query.projection = {"name", "stage"};
  Json kept = flows.List(query)->front().ToJson(query.projection);
  EXPECT_EQ(kept, J(R"({"flowId": "f0", "name": "Charlie", "stage": "stopped"})"));
  query.projection = {"-flow", "name"};
  EXPECT_EQ(flows.List(query).status().code(), StatusCode::kInvalidArgument);
  query.projection = {"-bogus"};
  EXPECT_EQ(flows.List(query).status().code(), StatusCode::kInvalidArgument);

  FlowQuery all;
  all.all_users = true;
  EXPECT_EQ(*flows.Count(all), 5);
  EXPECT_EQ(flows.List(FlowQuery{}).status().code(), StatusCode::kInvalidArgument);  // no viewer
}

TEST_P(CatalogConformance, SharedFlowsAreVisibleOnlyToThoseTheyAreSharedWith) {
  FlowCatalog& flows = catalog_->flows();
  FlowRecord shared = Flow("shared", "alice", "Shared");
  shared.shared_with = J(R"([{"email": "Bob@Example.com", "permissions": ["read", "start"]},
                             {"userId": "carol", "permissions": ["read"]}])");
  ASSERT_TRUE(flows.Create(shared).ok());
  ASSERT_TRUE(flows.Create(Flow("private", "alice", "Private")).ok());
  ASSERT_TRUE(flows.Create(Flow("bobs", "bob", "Bob's")).ok());

  FlowQuery bob;
  bob.viewer = {"bob", "bob@example.com"};
  EXPECT_THAT(Ids(flows.List(bob)), ElementsAre("bobs"));  // own flows only by default
  bob.include_shared = true;
  EXPECT_THAT(Ids(flows.List(bob)), ElementsAre("shared", "bobs"));
  EXPECT_EQ(*flows.Count(bob), 2);
  bob.shared_permission = "stop";
  EXPECT_THAT(Ids(flows.List(bob)), ElementsAre("bobs"));
  bob.shared_permission = "start";
  EXPECT_THAT(Ids(flows.List(bob)), ElementsAre("shared", "bobs"));

  FlowQuery carol;
  carol.viewer = {"carol", ""};
  carol.include_shared = true;
  EXPECT_THAT(Ids(flows.List(carol)), ElementsAre("shared"));
  FlowQuery dave;
  dave.viewer = {"dave", "dave@example.com"};
  dave.include_shared = true;
  EXPECT_TRUE(flows.List(dave)->empty());

  EXPECT_TRUE(flows.GetFor({"alice", ""}, "private").ok());
  EXPECT_TRUE(flows.GetFor({"bob", "BOB@example.com"}, "shared").ok());
  EXPECT_TRUE(flows.GetFor({"bob", "bob@example.com"}, "shared", "start").ok());
  EXPECT_EQ(flows.GetFor({"bob", "bob@example.com"}, "shared", "stop").status().code(),
            StatusCode::kNotFound);
  auto hidden = flows.GetFor({"bob", "bob@example.com"}, "private");
  EXPECT_EQ(hidden.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(hidden.status().message(), "flow 'private' not found");  // same as a missing flow

  // Unsharing takes effect at once.
  FlowRecord unshared = Flow("shared", "alice", "Shared");
  ASSERT_TRUE(flows.Update(unshared).ok());
  bob.shared_permission = "read";
  EXPECT_THAT(Ids(flows.List(bob)), ElementsAre("bobs"));
  EXPECT_EQ(flows.GetFor({"carol", ""}, "shared").status().code(), StatusCode::kNotFound);
}

TEST_P(CatalogConformance, UsersAreUniqueByUsernameAndEmail) {
  UserCatalog& users = catalog_->users();
  UserRecord input = User("alice", "Alice@Example.com");
  input.scope = {"admin"};
  input.metadata = J(R"({"team": "a"})");
  input.plan = "pro";
  auto alice = users.Create(input);
  ASSERT_TRUE(alice.ok()) << alice.status().ToString();
  EXPECT_EQ(alice->id.size(), 36u);
  EXPECT_EQ(alice->created_ms, 1700000000000);

  auto got = users.Get(alice->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->username, "alice");
  EXPECT_EQ(got->email, "Alice@Example.com");
  EXPECT_EQ(got->password_hash, input.password_hash);
  EXPECT_THAT(got->scope, ElementsAre("admin"));
  EXPECT_TRUE(got->is_active);
  EXPECT_EQ(got->metadata, input.metadata);
  EXPECT_EQ(got->plan, "pro");
  Json json = got->ToJson();
  EXPECT_EQ(json["id"].AsString(), alice->id);
  EXPECT_TRUE(json["isActive"].AsBool());
  EXPECT_FALSE(json.Dump().find("argon2") != std::string::npos);  // never the hash

  EXPECT_EQ(users.FindByEmail("alice@EXAMPLE.com")->id, alice->id);
  EXPECT_EQ(users.FindByUsername("alice")->id, alice->id);
  EXPECT_EQ(users.FindByUsername("Alice").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(users.FindByEmail("nobody@example.com").status().code(), StatusCode::kNotFound);

  auto same_name = users.Create(User("alice", "other@example.com"));
  EXPECT_EQ(same_name.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(same_name.status().message(), HasSubstr("username 'alice'"));
  auto same_email = users.Create(User("alice2", "ALICE@example.COM"));
  EXPECT_EQ(same_email.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(same_email.status().message(), HasSubstr("email 'ALICE@example.COM'"));
  UserRecord same_id = User("x", "x@example.com");
  same_id.id = alice->id;
  EXPECT_THAT(users.Create(same_id).status().message(),
              HasSubstr("user '" + alice->id + "' already exists"));
  EXPECT_EQ(users.Create(User("", "e@example.com")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(users.Create(User("nomail", "")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*users.Count(), 1);

  auto bob = users.Create(User("bob", "bob@example.com"));
  ASSERT_TRUE(bob.ok());
  ASSERT_TRUE(users.Create(User("carol", "carol@example.com")).ok());
  EXPECT_EQ(*users.Count(), 3);
  auto list = users.List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].username, "alice");
  EXPECT_EQ((*list)[2].username, "carol");
  auto page = users.List(1, 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ(page->front().username, "bob");
  EXPECT_TRUE(users.List(5, 10)->empty());
  EXPECT_EQ(users.List(-1, 1).status().code(), StatusCode::kInvalidArgument);

  // Update: keeps created_ms, rechecks uniqueness against others only.
  clock_.Advance(1000);
  UserRecord change = *bob;
  change.email = "BOB@example.com";  // its own email in another case is fine
  change.scope = {"user", "tester"};
  change.is_active = false;
  auto updated = users.Update(change);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->created_ms, bob->created_ms);
  EXPECT_FALSE(users.Get(bob->id)->is_active);
  EXPECT_THAT(users.Get(bob->id)->scope, ElementsAre("user", "tester"));
  change.username = "alice";
  EXPECT_EQ(users.Update(change).status().code(), StatusCode::kAlreadyExists);
  change.username = "bobby";
  change.email = "alice@example.com";
  EXPECT_EQ(users.Update(change).status().code(), StatusCode::kAlreadyExists);
  change.email = "bobby@example.com";
  ASSERT_TRUE(users.Update(change).ok());
  EXPECT_EQ(users.FindByUsername("bob").status().code(), StatusCode::kNotFound);  // old names freed
  EXPECT_EQ(users.FindByEmail("bob@example.com").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(users.FindByUsername("bobby")->id, bob->id);
  ASSERT_TRUE(users.Create(User("bob", "bob@example.com")).ok());

  UserRecord ghost = User("ghost", "ghost@example.com");
  ghost.id = "ghost";
  EXPECT_EQ(users.Update(ghost).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(users.Delete(alice->id).ok());
  auto gone = users.Get(alice->id);
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(gone.status().message(), HasSubstr(alice->id));
  EXPECT_EQ(users.Delete(alice->id).code(), StatusCode::kNotFound);
  EXPECT_TRUE(users.Create(User("alice", "alice@example.com")).ok());  // names free again
}

TEST_P(CatalogConformance, AccountsAreIsolatedBetweenUsers) {
  AccountCatalog& accounts = catalog_->accounts();
  AccountRecord slack;
  slack.account_id = "a1";
  slack.user_id = "alice";
  slack.service = "appmixer:slack";
  slack.name = "alice@slack";
  slack.display_name = "Work";
  slack.auth_type = "oauth2";
  slack.profile_info = J(R"({"team": "acme"})");
  slack.sealed_secrets = std::string("sealed\0bytes", 12);
  auto created = accounts.Create(slack);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->created_ms, 1700000000000);
  EXPECT_EQ(created->updated_ms, 1700000000000);

  AccountRecord github = slack;
  github.account_id.clear();
  github.service = "appmixer:github";
  github.auth_type = "apiKey";
  auto generated = accounts.Create(github);
  ASSERT_TRUE(generated.ok());
  EXPECT_EQ(generated->account_id.size(), 36u);
  AccountRecord bobs = slack;
  bobs.account_id = "b1";
  bobs.user_id = "bob";
  ASSERT_TRUE(accounts.Create(bobs).ok());

  auto got = accounts.Get("alice", "a1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->service, "appmixer:slack");
  EXPECT_EQ(got->display_name, "Work");
  EXPECT_EQ(got->auth_type, "oauth2");
  EXPECT_EQ(got->profile_info, slack.profile_info);
  EXPECT_EQ(got->sealed_secrets, slack.sealed_secrets);
  Json json = got->ToJson();
  EXPECT_EQ(json["accountId"].AsString(), "a1");
  EXPECT_EQ(json["displayName"].AsString(), "Work");
  EXPECT_FALSE(json.Contains("sealedSecrets"));

  auto stolen = accounts.Get("bob", "a1");
  EXPECT_EQ(stolen.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(stolen.status().message(), "account 'a1' not found");
  EXPECT_EQ(accounts.List("alice")->size(), 2u);
  EXPECT_EQ(accounts.List("alice", "appmixer:slack")->size(), 1u);
  EXPECT_EQ(accounts.List("bob")->size(), 1u);
  EXPECT_TRUE(accounts.List("carol")->empty());
  EXPECT_EQ(accounts.List("alice")->front().account_id, "a1");  // creation order

  AccountRecord again = slack;
  again.user_id = "bob";
  EXPECT_EQ(accounts.Create(again).status().code(), StatusCode::kAlreadyExists);
  AccountRecord no_service = slack;
  no_service.account_id = "x";
  no_service.service.clear();
  EXPECT_EQ(accounts.Create(no_service).status().code(), StatusCode::kInvalidArgument);

  clock_.Advance(2000);
  AccountRecord change = *got;
  change.display_name = "Renamed";
  change.sealed_secrets = "new";
  change.service = "appmixer:other";  // ignored
  auto updated = accounts.Update(change);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->updated_ms, 1700000002000);
  EXPECT_EQ(updated->created_ms, 1700000000000);
  EXPECT_EQ(accounts.Get("alice", "a1")->display_name, "Renamed");
  EXPECT_EQ(accounts.Get("alice", "a1")->sealed_secrets, "new");
  EXPECT_EQ(accounts.Get("alice", "a1")->service, "appmixer:slack");
  change.user_id = "bob";
  EXPECT_EQ(accounts.Update(change).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(accounts.Delete("bob", "a1").code(), StatusCode::kNotFound);
  EXPECT_TRUE(accounts.Get("alice", "a1").ok());
  ASSERT_TRUE(accounts.Delete("alice", "a1").ok());
  EXPECT_EQ(accounts.Get("alice", "a1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(accounts.Delete("alice", "a1").code(), StatusCode::kNotFound);
}

TEST_P(CatalogConformance, PeopleTasksAreListedByOwnerAndApproverAndDecidedOnce) {
  PeopleTaskCatalog& tasks = catalog_->people_tasks();
  PeopleTaskRecord input = Task("t1", "alice", "Bob@Example.com");
  input.decision = "approved";  // ignored: tasks start pending
  input.deadline_ms = 1700000100000;
  auto created = tasks.Create(input);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->decision, "pending");
  EXPECT_EQ(created->status, "pending");
  EXPECT_EQ(created->created_ms, 1700000000000);
  ASSERT_TRUE(tasks.Create(Task("t2", "alice", "carol@example.com")).ok());
  ASSERT_TRUE(tasks.Create(Task("t3", "dave", "bob@example.com")).ok());
  EXPECT_EQ(tasks.Create(Task("t1", "x", "y@example.com")).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(tasks.Create(Task("t9", "alice", "")).status().code(), StatusCode::kInvalidArgument);
  auto generated = tasks.Create(Task("", "alice", "z@example.com"));
  ASSERT_TRUE(generated.ok());
  EXPECT_EQ(generated->id.size(), 36u);

  auto ids = [&](const PeopleTaskQuery& query) {
    std::vector<std::string> out;
    auto list = tasks.List(query);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    if (list.ok()) {
      for (const PeopleTaskRecord& t : *list) out.push_back(t.id);
    }
    return out;
  };
  PeopleTaskQuery alice;
  alice.viewer = {"alice", "alice@example.com"};
  alice.role = PeopleTaskQuery::Role::kOwner;
  EXPECT_EQ(ids(alice), (std::vector<std::string>{"t1", "t2", generated->id}));
  alice.limit = 1;
  alice.offset = 1;
  EXPECT_THAT(ids(alice), ElementsAre("t2"));
  EXPECT_EQ(*tasks.Count(alice), 3);
  PeopleTaskQuery bob;
  bob.viewer = {"bob", "bob@EXAMPLE.com"};
  bob.role = PeopleTaskQuery::Role::kApprover;
  EXPECT_THAT(ids(bob), ElementsAre("t1", "t3"));
  bob.role = PeopleTaskQuery::Role::kOwner;
  EXPECT_TRUE(ids(bob).empty());
  bob.role = PeopleTaskQuery::Role::kAny;
  EXPECT_THAT(ids(bob), ElementsAre("t1", "t3"));
  PeopleTaskQuery requester;
  requester.viewer = {"rita", "req@example.com"};
  requester.role = PeopleTaskQuery::Role::kRequester;
  EXPECT_EQ(*tasks.Count(requester), 4);
  PeopleTaskQuery stranger;
  stranger.viewer = {"eve", ""};
  EXPECT_TRUE(ids(stranger).empty());
  stranger.offset = -1;
  EXPECT_EQ(tasks.List(stranger).status().code(), StatusCode::kInvalidArgument);

  EXPECT_TRUE(tasks.Get({"alice", ""}, "t1").ok());
  EXPECT_TRUE(tasks.Get({"bob", "bob@example.com"}, "t1").ok());
  auto hidden = tasks.Get({"eve", "eve@example.com"}, "t1");
  EXPECT_EQ(hidden.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(hidden.status().message(), "people task 't1' not found");
  Json json = tasks.Get({"alice", ""}, "t1")->ToJson();
  EXPECT_EQ(json["approver"].AsString(), "Bob@Example.com");
  EXPECT_EQ(json["decisionBy"].AsString(), "2023-11-14T22:15:00.000Z");
  EXPECT_EQ(json["data"]["amount"].AsInt(), 10);

  // Decisions: only the approver, only once.
  EXPECT_EQ(tasks.Decide({"alice", "alice@example.com"}, "t1", "approved").status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(tasks.Decide({"eve", "eve@example.com"}, "t1", "approved").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(tasks.Decide({"bob", "bob@example.com"}, "t1", "maybe").status().code(),
            StatusCode::kInvalidArgument);
  clock_.Advance(3000);
  auto decided = tasks.Decide({"bob", "bob@example.com"}, "t1", "approved");
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->decision, "approved");
  EXPECT_EQ(decided->status, "approved");
  EXPECT_EQ(decided->updated_ms, 1700000003000);
  auto twice = tasks.Decide({"bob", "bob@example.com"}, "t1", "rejected");
  EXPECT_EQ(twice.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(twice.status().message(), HasSubstr("already approved"));
  ASSERT_TRUE(tasks.Decide({"bob", "bob@example.com"}, "t3", "rejected").ok());

  PeopleTaskQuery pending;
  pending.viewer = {"bob", "bob@example.com"};
  pending.status = "pending";
  EXPECT_TRUE(ids(pending).empty());
  pending.status = "rejected";
  EXPECT_THAT(ids(pending), ElementsAre("t3"));

  // Update by the owner only.
  PeopleTaskRecord change = *tasks.Get({"alice", ""}, "t2");
  change.title = "New title";
  change.status = "due";
  change.approver = "bob@example.com";
  auto updated = tasks.Update(change);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->title, "New title");
  EXPECT_EQ(tasks.Get({"bob", "bob@example.com"}, "t2")->status, "due");  // now bob approves it
  change.user_id = "bob";
  EXPECT_EQ(tasks.Update(change).status().code(), StatusCode::kNotFound);

  EXPECT_EQ(tasks.Delete("bob", "t2").code(), StatusCode::kNotFound);
  ASSERT_TRUE(tasks.Delete("alice", "t2").ok());
  EXPECT_EQ(tasks.Get({"alice", ""}, "t2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(tasks.Delete("alice", "t2").code(), StatusCode::kNotFound);
}

TEST_P(CatalogConformance, PeopleTasksFallDueOnceEarliestDeadlineFirst) {
  PeopleTaskCatalog& tasks = catalog_->people_tasks();
  auto with_deadline = [&](const std::string& id, const std::string& owner, int64_t deadline_ms) {
    PeopleTaskRecord task = Task(id, owner, "bob@example.com");
    task.deadline_ms = deadline_ms;
    ASSERT_TRUE(tasks.Create(task).ok());
  };
  with_deadline("late", "alice", 1700000300000);
  with_deadline("early", "dave", 1700000100000);
  with_deadline("later", "alice", 1700000200000);
  with_deadline("none", "alice", 0);
  with_deadline("decided", "alice", 1700000050000);
  ASSERT_TRUE(tasks.Decide({"bob", "bob@example.com"}, "decided", "rejected").ok());

  auto ids = [](const Result<std::vector<PeopleTaskRecord>>& due) {
    std::vector<std::string> out;
    EXPECT_TRUE(due.ok()) << due.status().ToString();
    if (due.ok()) {
      for (const PeopleTaskRecord& t : *due) out.push_back(t.id);
    }
    return out;
  };
  EXPECT_TRUE(ids(tasks.MarkDue(1700000099999)).empty());
  // Every user's tasks, earliest deadline first, limited; each one once.
  auto first = tasks.MarkDue(1700000200000, 1);
  EXPECT_THAT(ids(first), ElementsAre("early"));
  EXPECT_EQ(first->at(0).status, "due");
  EXPECT_EQ(first->at(0).decision, "pending");
  EXPECT_EQ(first->at(0).updated_ms, 1700000200000);
  EXPECT_THAT(ids(tasks.MarkDue(1700000200000)), ElementsAre("later"));
  EXPECT_TRUE(ids(tasks.MarkDue(1700000200000)).empty());
  EXPECT_THAT(ids(tasks.MarkDue(1800000000000)), ElementsAre("late"));
  EXPECT_TRUE(ids(tasks.MarkDue(1800000000000)).empty());
  EXPECT_EQ(tasks.Get({"dave", ""}, "early")->status, "due");
  EXPECT_EQ(tasks.Get({"alice", ""}, "none")->status, "pending");
  EXPECT_EQ(tasks.Get({"alice", ""}, "decided")->status, "rejected");
  // A due task may still be decided.
  auto decided = tasks.Decide({"bob", "bob@example.com"}, "early", "approved");
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->status, "approved");
}

TEST_P(CatalogConformance, SystemConfigIsAKeyValueMap) {
  ConfigCatalog& config = catalog_->config();
  EXPECT_TRUE(config.List()->empty());
  auto missing = config.Get("JWTSecret");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "config key 'JWTSecret' not found");
  ASSERT_TRUE(config.Set("WEBHOOK_FLOW_COMPONENT_ERROR", Json("https://a.example/hook")).ok());
  ASSERT_TRUE(config.Set("LIMIT_WEBHOOK_BYTES", Json(1048576)).ok());
  ASSERT_TRUE(config.Set("nested", J(R"({"a": [1, 2]})")).ok());
  EXPECT_EQ(*config.Get("LIMIT_WEBHOOK_BYTES"), Json(1048576));
  EXPECT_EQ(*config.Get("nested"), J(R"({"a": [1, 2]})"));
  ASSERT_TRUE(config.Set("LIMIT_WEBHOOK_BYTES", Json(2)).ok());
  EXPECT_EQ(*config.Get("LIMIT_WEBHOOK_BYTES"), Json(2));
  EXPECT_EQ(config.Set("", Json(1)).code(), StatusCode::kInvalidArgument);
  auto list = config.List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].key, "LIMIT_WEBHOOK_BYTES");  // by key
  EXPECT_EQ((*list)[2].key, "nested");
  ASSERT_TRUE(config.Delete("nested").ok());
  EXPECT_EQ(config.Delete("nested").code(), StatusCode::kNotFound);
  EXPECT_EQ(config.List()->size(), 2u);
}

TEST_P(CatalogConformance, ServiceConfigIsOverwrittenWhole) {
  ConfigCatalog& config = catalog_->config();
  auto put = config.PutService(
      "appmixer:google", J(R"({"serviceId": "ignored", "clientId": "id", "clientSecret": "s"})"));
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->values, J(R"({"clientId": "id", "clientSecret": "s"})"));
  EXPECT_EQ(put->ToJson(),
            J(R"({"serviceId": "appmixer:google", "clientId": "id", "clientSecret": "s"})"));
  ASSERT_TRUE(config.PutService("appmixer:google", J(R"({"callbackUrl": "https://cb"})")).ok());
  EXPECT_EQ(config.GetService("appmixer:google")->values, J(R"({"callbackUrl": "https://cb"})"));
  ASSERT_TRUE(config.PutService("appmixer:slack", J("{}")).ok());
  ASSERT_TRUE(config.PutService("acme:crm", J(R"({"k": 1})")).ok());
  EXPECT_EQ(config.PutService("x", Json(1)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(config.PutService("", J("{}")).status().code(), StatusCode::kInvalidArgument);

  auto ids = [&](std::string_view pattern, int64_t offset, int64_t limit) {
    std::vector<std::string> out;
    auto list = config.ListServices(pattern, offset, limit);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    if (list.ok()) {
      for (const ServiceConfig& s : *list) out.push_back(s.service_id);
    }
    return out;
  };
  EXPECT_THAT(ids("", 0, -1), ElementsAre("acme:crm", "appmixer:google", "appmixer:slack"));
  EXPECT_THAT(ids("APPMIXER", 0, -1), ElementsAre("appmixer:google", "appmixer:slack"));
  EXPECT_THAT(ids("", 1, 1), ElementsAre("appmixer:google"));
  EXPECT_EQ(config.ListServices("", -1, 1).status().code(), StatusCode::kInvalidArgument);

  ASSERT_TRUE(config.DeleteService("appmixer:slack").ok());
  auto gone = config.GetService("appmixer:slack");
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(gone.status().message(), "service config 'appmixer:slack' not found");
  EXPECT_EQ(config.DeleteService("appmixer:slack").code(), StatusCode::kNotFound);
}

TEST_P(CatalogConformance, ConcurrentCreatesFromSeveralThreads) {
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::atomic<int> username_wins{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string n = std::to_string(t) + "-" + std::to_string(i);
        ASSERT_TRUE(catalog_->flows().Create(Flow("", "u" + std::to_string(t), "flow " + n)).ok());
        ASSERT_TRUE(catalog_->users().Create(User("user" + n, n + "@example.com")).ok());
        // Every thread races for the same names; exactly one create per name wins.
        auto race = catalog_->users().Create(
            User("race" + std::to_string(i), "race" + std::to_string(i) + "@x.com"));
        if (race.ok()) {
          ++username_wins;
        } else {
          ASSERT_EQ(race.status().code(), StatusCode::kAlreadyExists) << race.status().ToString();
        }
        AccountRecord account;
        account.user_id = "u" + std::to_string(t);
        account.service = "appmixer:slack";
        ASSERT_TRUE(catalog_->accounts().Create(account).ok());
        ASSERT_TRUE(catalog_->config().Set("k" + n, Json(i)).ok());
        ASSERT_TRUE(catalog_->people_tasks().Create(Task("", "u", "a@example.com")).ok());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  FlowQuery all;
  all.all_users = true;
  EXPECT_EQ(*catalog_->flows().Count(all), kThreads * kEach);
  EXPECT_EQ(*catalog_->flows().Count(Owned("u1")), kEach);
  EXPECT_EQ(username_wins.load(), kEach);
  EXPECT_EQ(*catalog_->users().Count(), kThreads * kEach + kEach);
  EXPECT_EQ(catalog_->accounts().List("u2")->size(), static_cast<size_t>(kEach));
  EXPECT_EQ(catalog_->config().List()->size(), static_cast<size_t>(kThreads * kEach));
  PeopleTaskQuery owner;
  owner.viewer.user_id = "u";
  EXPECT_EQ(*catalog_->people_tasks().Count(owner), kThreads * kEach);
}

std::string AdapterName(const ::testing::TestParamInfo<Adapter>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(Adapters, CatalogConformance, ::testing::ValuesIn(Adapters()),
                         AdapterName);

}  // namespace
}  // namespace flowkit
