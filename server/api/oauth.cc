// /auth/*: connecting OAuth 2 accounts (Appmixer's ticket flow) and assigning accounts to
// components.
//
//   POST /auth/ticket                          → {ticket}
//   GET  /auth/:componentType/auth-url/:ticket → {authUrl}   (open it in the browser)
//   GET  /auth/:service/callback?code&state    ← the provider sends the browser back here
//   GET  /auth/status/:ticket                  → {accountId, finished, updatedAt, error}
//   GET  /auth/:componentType                  → the accounts a component type can use
//   POST /auth/:service/client-credentials      → {accountId} (client-credentials grant)
//   PUT  /auth/component/:componentId/:accountId, DELETE /auth/component/:componentId
#include "api/routes.h"
#include "app/account_service.h"

namespace flowkit::server {
namespace {

// The auth service of a component type ("acme.crm.core.Find" → "acme:crm"), from its manifest.
Result<std::string> ServiceOf(Services& s, std::string_view component_type) {
  const ComponentType* type = s.components->Find(component_type);
  if (type == nullptr) return Status::NotFound("unknown component type '" + std::string(component_type) + "'");
  if (!type->manifest->auth) {
    return Status::InvalidArgument("component type '" + std::string(component_type) + "' uses no account");
  }
  return type->manifest->auth->service;
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

// The page the provider's redirect lands on: tells the opener (Appmixer's SDK listens for this
// message) and closes the popup.
HttpResponse CallbackPage(bool ok, std::string_view ticket, std::string_view message) {
  const std::string event = std::string("appmixer.auth.") + (ok ? "success." : "failure.") + std::string(ticket);
  Json event_json(event);
  std::string html = "<!doctype html><meta charset=\"utf-8\"><title>flowkit</title><p>" +
                     HtmlEscape(ok ? "Account connected. You can close this window." : message) +
                     "</p><script>if (window.opener) { window.opener.postMessage(" + event_json.Dump() +
                     ", '*'); window.close(); }</script>";
  return HttpResponse::WithText(ok ? 200 : 400, std::move(html), "text/html; charset=utf-8");
}

}  // namespace

Status AddAuthRoutes(Router& router, Services& services) {
  Services* s = &services;
  return router.AddAll({
      Route{.method = "POST", .pattern = "/auth/ticket", .access = Access::kUser,
            .summary = "Start connecting an account → {ticket}", .tag = "auth",
            .handler = [s](Call& c) { c.Reply(200, Json::MakeObject({{"ticket", s->accounts->NewTicket(c.user().user_id)}})); }},
      Route{.method = "GET", .pattern = "/auth/:componentType/auth-url/:ticket", .access = Access::kUser,
            .summary = "The provider's authorization URL for a component type's service → {authUrl}", .tag = "auth",
            .handler =
                [s](Call& c) {
                  Result<std::string> service = ServiceOf(*s, c.Param("componentType"));
                  if (!service.ok()) return c.Fail(service.status());
                  Result<std::string> url = s->accounts->AuthorizeUrl(c.user().user_id, *service, c.Param("ticket"));
                  if (!url.ok()) return c.Fail(url.status());
                  c.Reply(200, Json::MakeObject({{"authUrl", *url}}));
                }},
      // The browser comes back from the provider without a token: the ticket in `state` is the
      // capability, and it works once.
      Route{.method = "GET", .pattern = "/auth/:service/callback", .access = Access::kAnonymous,
            .summary = "OAuth 2 redirect target: exchanges ?code for tokens and creates the account", .tag = "auth",
            .handler =
                [s](Call& c) {
                  const std::string ticket = c.Query("state");
                  Result<std::string> account = s->accounts->Callback(c.Param("service"), ticket, c.Query("code"),
                                                                      c.Query("error"));
                  if (!account.ok()) return c.Reply(CallbackPage(false, ticket, account.status().message()));
                  c.Reply(CallbackPage(true, ticket, ""));
                },
            .query_params = {"code", "state", "error"}},
      Route{.method = "POST", .pattern = "/auth/:service/client-credentials", .access = Access::kUser,
            .summary = "Connect an account with the OAuth 2 client-credentials grant → {accountId}", .tag = "auth",
            .handler =
                [s](Call& c) {
                  Result<std::string> account = s->accounts->ConnectClientCredentials(c.user().user_id, c.Param("service"));
                  if (!account.ok()) return c.Fail(account.status());
                  c.Reply(201, Json::MakeObject({{"accountId", *account}}));
                },
            .success_status = 201},
      Route{.method = "GET", .pattern = "/auth/status/:ticket", .access = Access::kUser,
            .summary = "Where a connection stands → {accountId, finished, updatedAt, error}", .tag = "auth",
            .handler =
                [s](Call& c) {
                  Result<Json> status = s->accounts->TicketStatus(c.user().user_id, c.Param("ticket"));
                  if (!status.ok()) return c.Fail(status.status());
                  c.Reply(200, *status);
                }},
      Route{.method = "GET", .pattern = "/auth/:componentType", .access = Access::kUser,
            .summary = "The caller's accounts a component type can use (?componentId= marks the assigned one)",
            .tag = "auth",
            .handler =
                [s](Call& c) {
                  Result<std::string> service = ServiceOf(*s, c.Param("componentType"));
                  if (!service.ok()) return c.Fail(service.status());
                  Result<std::vector<AccountRecord>> accounts = s->catalog->accounts().List(c.user().user_id, *service);
                  if (!accounts.ok()) return c.Fail(accounts.status());
                  const std::string component_id = c.Query("componentId");
                  std::string assigned;
                  if (!component_id.empty()) {
                    Result<std::string> a = s->accounts->Assigned(c.user().user_id, component_id);
                    if (!a.ok()) return c.Fail(a.status());
                    assigned = *a;
                  }
                  Json list = Json::MakeObject();
                  for (const AccountRecord& account : *accounts) {
                    Result<Json> secrets = s->accounts->Secrets(account);
                    const bool valid = secrets.ok() && !(*secrets)["$invalid"].IsString();
                    list.Set(account.account_id, Json::MakeObject({{"accountId", account.account_id},
                                                                   {"name", account.name},
                                                                   {"displayName", account.display_name},
                                                                   {"accessTokenValid", valid},
                                                                   {"componentAssigned", account.account_id == assigned},
                                                                   {"componentId", component_id}}));
                  }
                  c.Reply(200, Json::MakeObject({{"componentType", c.Param("componentType")},
                                                 {"auth", Json::MakeObject({{"accounts", list}})}}));
                },
            .query_params = {"componentId"}},
      Route{.method = "PUT", .pattern = "/auth/component/:componentId/:accountId", .access = Access::kUser,
            .summary = "Assign one of the caller's accounts to a component", .tag = "auth",
            .handler =
                [s](Call& c) {
                  if (Status st = s->accounts->Assign(c.user().user_id, c.Param("componentId"), c.Param("accountId"));
                      !st.ok()) {
                    return c.Fail(st);
                  }
                  c.Reply(200, Json::MakeObject({{"componentId", c.Param("componentId")},
                                                 {"accountId", c.Param("accountId")}}));
                }},
      Route{.method = "DELETE", .pattern = "/auth/component/:componentId", .access = Access::kUser,
            .summary = "Unassign a component's account", .tag = "auth",
            .handler =
                [s](Call& c) {
                  if (Status st = s->accounts->Unassign(c.user().user_id, c.Param("componentId")); !st.ok()) {
                    return c.Fail(st);
                  }
                  c.Reply(200, Json::MakeObject({{"componentId", c.Param("componentId")}}));
                }},
  });
}

}  // namespace flowkit::server
