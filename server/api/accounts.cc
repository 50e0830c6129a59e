// Accounts (connected services): secrets sealed with the master key (XChaCha20-Poly1305, bound
// to the user and account ids), never returned, never logged.
#include "api/routes.h"
#include "app/account_service.h"
#include "flowkit/component.h"

namespace flowkit::server {
namespace {

std::string Associated(std::string_view user_id, std::string_view account_id) {
  return AccountAssociation(user_id, account_id);
}

std::string AuthTypeOf(const Json& token) {
  if (token.Get("accessToken").IsString()) return "oauth2";
  if (token.Get("username").IsString() && token.Get("password").IsString()) return "basic";
  return "apiKey";
}

Status ReadSecrets(const Json& body, Json* token) {
  const Json& given = body.Get("token");
  if (!given.IsObject() || given.empty()) {
    return Status::InvalidArgument("'token' must be a non-empty object: {accessToken, ...} | {apiKey, ...} | {username, password}");
  }
  *token = given;
  return Status::OK();
}

void CreateAccount(Services& services, Call& call) {
  Result<Json> body = call.JsonBody();
  if (!body.ok()) return call.Fail(body.status());
  std::string service = body->Get("service").AsString();
  if (service.empty()) return call.Fail(Status::InvalidArgument("'service' is required, e.g. \"appmixer:slack\""));
  Json token;
  if (Status s = ReadSecrets(*body, &token); !s.ok()) return call.Fail(s);
  AccountRecord account;
  account.account_id = Context::NewId();
  account.user_id = call.user().user_id;
  account.service = service;
  account.name = body->Get("name").AsString(service);
  account.display_name = body->Get("displayName").AsString(account.name);
  account.auth_type = body->Get("authType").AsString(AuthTypeOf(token));
  if (const Json& profile = body->Get("profileInfo"); profile.IsObject()) account.profile_info = profile;
  account.sealed_secrets = services.secrets->Seal(token.Dump(), Associated(account.user_id, account.account_id));
  Result<AccountRecord> created = services.catalog->accounts().Create(std::move(account));
  if (!created.ok()) return call.Fail(created.status());
  services.log->Info("account created", Json::MakeObject({{"accountId", Json(created->account_id)},
                                                          {"userId", Json(created->user_id)},
                                                          {"service", Json(created->service)}}));
  call.Reply(201, created->ToJson());
}

void UpdateAccount(Services& services, Call& call) {
  Result<Json> body = call.JsonBody();
  if (!body.ok()) return call.Fail(body.status());
  Result<AccountRecord> account = services.catalog->accounts().Get(call.user().user_id, call.Param("id"));
  if (!account.ok()) return call.Fail(account.status());
  if (const Json& v = body->Get("displayName"); v.IsString()) account->display_name = v.AsString();
  if (const Json& v = body->Get("name"); v.IsString()) account->name = v.AsString();
  if (const Json& v = body->Get("profileInfo"); v.IsObject()) account->profile_info = v;
  if (!body->Get("token").IsUndefined()) {
    Json token;
    if (Status s = ReadSecrets(*body, &token); !s.ok()) return call.Fail(s);
    account->auth_type = AuthTypeOf(token);
    account->sealed_secrets = services.secrets->Seal(token.Dump(), Associated(account->user_id, account->account_id));
  }
  Result<AccountRecord> updated = services.catalog->accounts().Update(std::move(*account));
  if (!updated.ok()) return call.Fail(updated.status());
  call.Reply(200, updated->ToJson());
}

// Checks that the stored secrets open with the master key and hold a credential.
void TestAccount(Services& services, Call& call) {
  Result<AccountRecord> account = services.catalog->accounts().Get(call.user().user_id, call.Param("id"));
  if (!account.ok()) return call.Fail(account.status());
  Result<std::string> opened = services.secrets->Unseal(account->sealed_secrets, Associated(account->user_id, account->account_id));
  if (!opened.ok()) return call.Fail(Status::FailedPrecondition("the account's secrets cannot be decrypted with this server's master key"));
  Result<Json> token = Json::Parse(*opened);
  if (!token.ok() || !token->IsObject() || token->empty()) {
    return call.Fail(Status::FailedPrecondition("the account holds no credentials"));
  }
  if (const Json& exp = token->Get("expDate"); exp.IsNumber() && exp.AsDouble() < static_cast<double>(services.clock->NowMillis())) {
    if (!token->Get("refreshToken").IsString()) {
      return call.Fail(Status::FailedPrecondition("the access token expired and there is no refresh token"));
    }
  }
  call.Reply(200, Json::MakeObject({{account->account_id, Json("valid")}}));
}

}  // namespace

Status AddAccountRoutes(Router& router, Services& services) {
  Services* s = &services;
  std::vector<Route> routes = {
      Route{.method = "GET", .pattern = "/accounts", .access = Access::kUser,
            .summary = "The caller's accounts (?filter=service:<id>), secrets never included", .tag = "accounts",
            .handler = [s](Call& c) {
              std::string service;
              if (std::string filter = c.Query("filter"); filter.rfind("service:", 0) == 0) service = filter.substr(8);
              Result<std::vector<AccountRecord>> accounts = s->catalog->accounts().List(c.user().user_id, service);
              if (!accounts.ok()) return c.Fail(accounts.status());
              Json out = Json::MakeArray();
              for (const AccountRecord& a : *accounts) out.Push(a.ToJson());
              c.Reply(200, out);
            },
            .query_params = {"filter"}},
      Route{.method = "POST", .pattern = "/accounts", .access = Access::kUser,
            .summary = "Create an account {service, token: {accessToken,...}|{apiKey,...}|{username,password}, name?, "
                       "displayName?, profileInfo?}",
            .tag = "accounts", .handler = [s](Call& c) { CreateAccount(*s, c); }, .json_body = true,
            .success_status = 201},
      Route{.method = "GET", .pattern = "/accounts/:id", .access = Access::kUser, .summary = "One account",
            .tag = "accounts",
            .handler = [s](Call& c) {
              Result<AccountRecord> a = s->catalog->accounts().Get(c.user().user_id, c.Param("id"));
              if (!a.ok()) return c.Fail(a.status());
              c.Reply(200, a->ToJson());
            }},
      Route{.method = "PUT", .pattern = "/accounts/:id", .access = Access::kUser,
            .summary = "Update {displayName?, name?, profileInfo?, token?}", .tag = "accounts",
            .handler = [s](Call& c) { UpdateAccount(*s, c); }, .json_body = true},
      Route{.method = "DELETE", .pattern = "/accounts/:id", .access = Access::kUser,
            .summary = "Delete an account → {accountId}", .tag = "accounts",
            .handler = [s](Call& c) {
              if (Status st = s->catalog->accounts().Delete(c.user().user_id, c.Param("id")); !st.ok()) return c.Fail(st);
              c.Reply(200, Json::MakeObject({{"accountId", Json(c.Param("id"))}}));
            }},
      Route{.method = "POST", .pattern = "/accounts/:id/test", .access = Access::kUser,
            .summary = "Check the account's credentials → {<accountId>: \"valid\"}", .tag = "accounts",
            .handler = [s](Call& c) { TestAccount(*s, c); }},
  };
  return router.AddAll(std::move(routes));
}

}  // namespace flowkit::server
