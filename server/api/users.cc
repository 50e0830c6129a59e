// Users and sign-in: POST /user, POST /user/auth, GET /user, admin /users.
#include <algorithm>
#include <climits>

#include "api/routes.h"
#include "app/flow_service.h"

namespace flowkit::server {
namespace {

constexpr size_t kMinPasswordLength = 8;

bool LooksLikeEmail(std::string_view email) {
  size_t at = email.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < email.size() && email.find(' ') == std::string_view::npos;
}

std::string IssueToken(Services& services, const UserRecord& user) {
  int64_t now_s = services.clock->NowMillis() / 1000;
  Json scope = Json::MakeArray();
  for (const std::string& s : user.scope) scope.Push(Json(s));
  return services.jwt->Sign(Json::MakeObject({{"id", Json(user.id)},
                                              {"scope", scope},
                                              {"iat", Json(now_s)},
                                              {"exp", Json(now_s + services.options.token_ttl_s)}}));
}

void CreateUser(Services& services, Call& call) {
  Result<Json> body = call.JsonBody();
  if (!body.ok()) return call.Fail(body.status());
  std::string email = body->Get("email").AsString();
  std::string username = body->Get("username").AsString(email);
  std::string password = body->Get("password").AsString();
  if (!LooksLikeEmail(email)) return call.Fail(Status::InvalidArgument("'email' must be an email address"));
  if (password.size() < kMinPasswordLength) {
    return call.Fail(Status::InvalidArgument("'password' must have at least " + std::to_string(kMinPasswordLength) + " characters"));
  }
  if (username.empty()) return call.Fail(Status::InvalidArgument("'username' must not be empty"));
  const Json& metadata = body->Get("metadata");
  if (!metadata.IsUndefined() && !metadata.IsObject()) return call.Fail(Status::InvalidArgument("'metadata' must be an object"));

  Result<int64_t> existing = services.catalog->users().Count();
  if (!existing.ok()) return call.Fail(existing.status());
  bool first = *existing == 0;
  bool by_admin = call.caller() != nullptr && call.caller()->admin;
  if (!first && !by_admin && !services.options.open_signup) {
    return call.Fail(Status::PermissionDenied("sign-up is closed: only an administrator may create users"));
  }
  Result<std::string> hash = HashPassword(password, services.options.password_hash);
  if (!hash.ok()) return call.Fail(hash.status());
  UserRecord user;
  user.username = username;
  user.email = email;
  user.password_hash = std::move(*hash);
  user.metadata = metadata.IsObject() ? metadata : Json::MakeObject();
  // The first user administers the server; an admin may grant scopes to the users it creates.
  user.scope = first ? std::vector<std::string>{"user", "admin"} : std::vector<std::string>{"user"};
  if (by_admin && body->Get("scope").IsArray()) {
    user.scope.clear();
    for (const Json& s : body->Get("scope").array()) {
      if (s.IsString() && (s.StringView() == "user" || s.StringView() == "admin")) user.scope.push_back(s.AsString());
    }
    if (user.scope.empty()) user.scope.push_back("user");
  }
  Result<UserRecord> created = services.catalog->users().Create(std::move(user));
  if (!created.ok()) return call.Fail(created.status());
  services.log->Info("user created", Json::MakeObject({{"userId", Json(created->id)}, {"admin", Json(first)}}));
  Json reply = Json::MakeObject({{"id", Json(created->id)}, {"token", Json(IssueToken(services, *created))}});
  reply.Set("user", created->ToJson());
  call.Reply(201, reply);
}

void SignIn(Services& services, Call& call) {
  Result<Json> body = call.JsonBody();
  if (!body.ok()) return call.Fail(body.status());
  std::string password = body->Get("password").AsString();
  std::string name = body->Get("email").AsString(body->Get("username").AsString());
  if (name.empty() || password.empty()) {
    return call.Fail(Status::InvalidArgument("give 'email' (or 'username') and 'password'"));
  }
  Result<UserRecord> user = services.catalog->users().FindByEmail(name);
  if (!user.ok() && user.status().code() == StatusCode::kNotFound) user = services.catalog->users().FindByUsername(name);
  // One answer for an unknown user and a wrong password; the hash is checked either way so the
  // timing does not tell which.
  static const std::string kDummyHash = [] {
    Result<std::string> h = HashPassword("flowkit-timing-equaliser", PasswordHashParams::ForTests());
    return h.ok() ? *h : std::string();
  }();
  bool valid = VerifyPassword(user.ok() ? user->password_hash : kDummyHash, password);
  if (!user.ok() || !valid || !user->is_active) {
    if (!user.ok() && user.status().code() != StatusCode::kNotFound) return call.Fail(user.status());
    return call.Fail(Status::Unauthenticated("wrong email or password"));
  }
  call.Reply(200, Json::MakeObject({{"user", user->ToJson()}, {"token", Json(IssueToken(services, *user))}}));
}

void ChangePassword(Services& services, Call& call) {
  Result<Json> body = call.JsonBody();
  if (!body.ok()) return call.Fail(body.status());
  std::string old_password = body->Get("oldPassword").AsString();
  std::string new_password = body->Get("newPassword").AsString();
  if (new_password.size() < kMinPasswordLength) {
    return call.Fail(Status::InvalidArgument("'newPassword' must have at least " + std::to_string(kMinPasswordLength) + " characters"));
  }
  Result<UserRecord> user = services.catalog->users().Get(call.user().user_id);
  if (!user.ok()) return call.Fail(user.status());
  if (!VerifyPassword(user->password_hash, old_password)) return call.Fail(Status::PermissionDenied("'oldPassword' is wrong"));
  Result<std::string> hash = HashPassword(new_password, services.options.password_hash);
  if (!hash.ok()) return call.Fail(hash.status());
  user->password_hash = std::move(*hash);
  Result<UserRecord> updated = services.catalog->users().Update(std::move(*user));
  if (!updated.ok()) return call.Fail(updated.status());
  call.Reply(200, Json::MakeObject());
}

void UpdateUser(Services& services, Call& call) {
  Result<Json> body = call.JsonBody();
  if (!body.ok()) return call.Fail(body.status());
  Result<UserRecord> user = services.catalog->users().Get(call.Param("id"));
  if (!user.ok()) return call.Fail(user.status());
  if (const Json& email = body->Get("email"); !email.IsUndefined()) {
    if (!LooksLikeEmail(email.StringView())) return call.Fail(Status::InvalidArgument("'email' must be an email address"));
    user->email = email.AsString();
  }
  if (const Json& metadata = body->Get("metadata"); !metadata.IsUndefined()) {
    if (!metadata.IsObject()) return call.Fail(Status::InvalidArgument("'metadata' must be an object"));
    user->metadata = metadata;
  }
  if (const Json& scope = body->Get("scope"); !scope.IsUndefined()) {
    if (!scope.IsArray()) return call.Fail(Status::InvalidArgument("'scope' must be an array of strings"));
    std::vector<std::string> scopes;
    for (const Json& s : scope.array()) {
      if (!s.IsString() || (s.StringView() != "user" && s.StringView() != "admin")) {
        return call.Fail(Status::InvalidArgument("'scope' entries must be \"user\" or \"admin\""));
      }
      scopes.push_back(s.AsString());
    }
    if (user->id == call.user().user_id &&
        std::find(scopes.begin(), scopes.end(), "admin") == scopes.end()) {
      return call.Fail(Status::FailedPrecondition("an administrator cannot remove its own admin scope"));
    }
    user->scope = std::move(scopes);
  }
  if (const Json& active = body->Get("isActive"); active.IsBool()) user->is_active = active.AsBool();
  Result<UserRecord> updated = services.catalog->users().Update(std::move(*user));
  if (!updated.ok()) return call.Fail(updated.status());
  call.Reply(200, updated->ToJson());
}

// Deleting a user stops and deletes its flows and deletes its accounts, then the user.
void DeleteUser(Services& services, Call& call) {
  const std::string& id = call.Param("id");
  if (id == call.user().user_id) return call.Fail(Status::FailedPrecondition("an administrator cannot delete itself"));
  Result<UserRecord> user = services.catalog->users().Get(id);
  if (!user.ok()) return call.Fail(user.status());
  FlowQuery query;
  query.viewer = Viewer{id, {}};
  query.projection = {"flowId"};
  Result<std::vector<FlowRecord>> flows = services.catalog->flows().List(query);
  if (!flows.ok()) return call.Fail(flows.status());
  for (const FlowRecord& flow : *flows) {
    if (Status s = services.flows->Delete(flow.flow_id); !s.ok() && s.code() != StatusCode::kNotFound) return call.Fail(s);
  }
  // Everything else the user owns goes too; the user record last, so a failure part-way can be
  // finished by deleting again.
  Result<std::vector<AccountRecord>> accounts = services.catalog->accounts().List(id);
  if (!accounts.ok()) return call.Fail(accounts.status());
  for (const AccountRecord& account : *accounts) {
    if (Status s = services.catalog->accounts().Delete(id, account.account_id); !s.ok()) return call.Fail(s);
  }
  DataStore& stores = services.documents->DataStoresOf(id);
  Result<std::vector<StoreInfo>> store_list = stores.ListStores();
  if (!store_list.ok()) return call.Fail(store_list.status());
  for (const StoreInfo& store : *store_list) {
    if (Status s = stores.DeleteStore(store.store_id); !s.ok()) return call.Fail(s);
  }
  FileStore& files = services.documents->FilesOf(id);
  Result<std::vector<FileInfo>> file_list = files.List();
  if (!file_list.ok()) return call.Fail(file_list.status());
  for (const FileInfo& file : *file_list) {
    if (Status s = files.Remove(file.file_id); !s.ok()) return call.Fail(s);
  }
  if (Status s = ForgetPeopleTasksOf(services, id); !s.ok()) return call.Fail(s);
  if (Status s = services.catalog->users().Delete(id); !s.ok()) return call.Fail(s);
  services.log->Info("user deleted", Json::MakeObject({{"userId", Json(id)}, {"by", Json(call.user().user_id)}}));
  call.Reply(200, Json::MakeObject({{"id", Json(id)}, {"deletedFlows", Json(static_cast<int64_t>(flows->size()))}}));
}

}  // namespace

Status AddUserRoutes(Router& router, Services& services) {
  Services* s = &services;
  std::vector<Route> routes = {
      Route{.method = "POST", .pattern = "/user", .access = Access::kAnonymous,
            .summary = "Create a user {username?, email, password, metadata?}; the first user becomes admin, "
                       "later ones need an admin token unless open sign-up is configured",
            .tag = "users", .handler = [s](Call& c) { CreateUser(*s, c); }, .json_body = true, .success_status = 201},
      Route{.method = "POST", .pattern = "/user/auth", .access = Access::kAnonymous,
            .summary = "Sign in {email|username, password} → {user, token}", .tag = "users",
            .handler = [s](Call& c) { SignIn(*s, c); }, .json_body = true},
      Route{.method = "GET", .pattern = "/user", .access = Access::kUser, .summary = "The signed-in user",
            .tag = "users",
            .handler = [s](Call& c) {
              Result<UserRecord> user = s->catalog->users().Get(c.user().user_id);
              if (!user.ok()) return c.Fail(user.status());
              c.Reply(200, user->ToJson());
            }},
      Route{.method = "POST", .pattern = "/user/change-password", .access = Access::kUser,
            .summary = "Change the signed-in user's password {oldPassword, newPassword}", .tag = "users",
            .handler = [s](Call& c) { ChangePassword(*s, c); }, .json_body = true},
      Route{.method = "GET", .pattern = "/users", .access = Access::kAdmin,
            .summary = "Every user (offset, limit)", .tag = "users",
            .handler = [s](Call& c) {
              Result<int64_t> offset = c.IntQuery("offset", 0, 0, INT64_MAX);
              Result<int64_t> limit = c.IntQuery("limit", 100, 0, 10000);
              if (!offset.ok()) return c.Fail(offset.status());
              if (!limit.ok()) return c.Fail(limit.status());
              Result<std::vector<UserRecord>> users = s->catalog->users().List(*offset, *limit);
              if (!users.ok()) return c.Fail(users.status());
              Json out = Json::MakeArray();
              for (const UserRecord& u : *users) out.Push(u.ToJson());
              c.Reply(200, out);
            },
            .query_params = {"offset", "limit"}},
      Route{.method = "GET", .pattern = "/users/count", .access = Access::kAdmin, .summary = "{count} of users",
            .tag = "users",
            .handler = [s](Call& c) {
              Result<int64_t> n = s->catalog->users().Count();
              if (!n.ok()) return c.Fail(n.status());
              c.Reply(200, Json::MakeObject({{"count", Json(*n)}}));
            }},
      Route{.method = "GET", .pattern = "/users/:id", .access = Access::kAdmin, .summary = "One user", .tag = "users",
            .handler = [s](Call& c) {
              Result<UserRecord> user = s->catalog->users().Get(c.Param("id"));
              if (!user.ok()) return c.Fail(user.status());
              c.Reply(200, user->ToJson());
            }},
      Route{.method = "PUT", .pattern = "/users/:id", .access = Access::kAdmin,
            .summary = "Update a user {email?, scope?, metadata?, isActive?}", .tag = "users",
            .handler = [s](Call& c) { UpdateUser(*s, c); }, .json_body = true},
      Route{.method = "DELETE", .pattern = "/users/:id", .access = Access::kAdmin,
            .summary = "Delete a user with its flows, accounts, data stores, files and people tasks", .tag = "users",
            .handler = [s](Call& c) { DeleteUser(*s, c); }},
  };
  return router.AddAll(std::move(routes));
}

}  // namespace flowkit::server
