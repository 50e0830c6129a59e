#include "app/account_service.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "api/routes.h"
#include "app/system_webhooks.h"
#include "http/http_server.h"
#include "flowkit/component.h"
#include "flowkit/http_client.h"
#include "util/js.h"

namespace flowkit::server {
namespace {

namespace fs = std::filesystem;

// Refresh a token this long before it expires.
constexpr int64_t kRefreshMarginMs = 60 * 1000;
// Tickets of the authorization flow live this long.
constexpr int64_t kTicketTtlMs = 15 * 60 * 1000;

std::string AssignmentKey(std::string_view user_id, std::string_view component_id) {
  return "flowkit:auth-component:" + std::string(user_id) + ":" + std::string(component_id);
}

std::string Form(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (value.empty()) continue;
    if (!out.empty()) out.push_back('&');
    // Form encoding leaves only unreserved characters bare (RFC 3986).
    out += js::EncodeUriComponent(name, "-_.~") + "=" + js::EncodeUriComponent(value, "-_.~");
  }
  return out;
}

// What a component sees: the stored secrets without flowkit's own $-members.
Json Public(const Json& secrets) {
  Json out = Json::MakeObject();
  for (const JsonMember& m : secrets.object()) {
    if (!m.key.empty() && m.key[0] == '$') continue;
    out.Set(m.key, m.value);
  }
  return out;
}

std::string ScopeText(const Json& definition) {
  const Json& scope = definition["scope"];
  if (scope.IsString()) return std::string(scope.StringView());
  std::string delimiter = definition["scopeDelimiter"].IsString() ? definition["scopeDelimiter"].AsString() : " ";
  std::string out;
  if (scope.IsArray()) {
    for (const Json& s : scope.array()) {
      if (!out.empty()) out += delimiter;
      out += s.AsString();
    }
  }
  return out;
}

}  // namespace

std::string AccountAssociation(std::string_view user_id, std::string_view account_id) {
  return "account:" + std::string(user_id) + ":" + std::string(account_id);
}

Result<size_t> LoadAuthDefinitions(const std::string& dir, AuthRegistry& registry) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::NotFound("no such directory: " + dir);
  size_t loaded = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file() || it->path().filename() != "auth.json") continue;
    std::ifstream in(it->path());
    std::stringstream text;
    text << in.rdbuf();
    Result<Json> json = Json::Parse(text.str());
    if (!json.ok()) return Status::InvalidArgument(it->path().string() + ": " + json.status().message());
    Result<ServiceAuth> auth = ServiceAuth::FromJson(*json);
    if (!auth.ok()) return Status::InvalidArgument(it->path().string() + ": " + auth.status().message());
    FLOWKIT_RETURN_IF_ERROR(registry.Register(std::move(auth).value()));
    ++loaded;
  }
  if (ec) return Status::IOError("reading " + dir + ": " + ec.message());
  return loaded;
}

std::string AccountService::CallbackUrl(std::string_view service) const {
  return s_.public_url + "/auth/" + std::string(service) + "/callback";
}

std::shared_ptr<std::mutex> AccountService::AccountLock(std::string_view account_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = account_locks_.find(account_id);
  if (it == account_locks_.end()) it = account_locks_.emplace(std::string(account_id), std::make_shared<std::mutex>()).first;
  return it->second;
}

Status AccountService::Assign(std::string_view user_id, std::string_view component_id, std::string_view account_id) {
  FLOWKIT_RETURN_IF_ERROR(s_.catalog->accounts().Get(user_id, account_id).status());
  return s_.catalog->config().Set(AssignmentKey(user_id, component_id), Json(std::string(account_id)));
}

Status AccountService::Unassign(std::string_view user_id, std::string_view component_id) {
  Status st = s_.catalog->config().Delete(AssignmentKey(user_id, component_id));
  return st.code() == StatusCode::kNotFound ? Status::OK() : st;
}

Result<std::string> AccountService::Assigned(std::string_view user_id, std::string_view component_id) {
  Result<Json> value = s_.catalog->config().Get(AssignmentKey(user_id, component_id));
  if (!value.ok()) return value.status().code() == StatusCode::kNotFound ? Result<std::string>(std::string()) : value.status();
  return value->AsString();
}

Result<std::string> AccountService::AccountFor(const CredentialsRequest& request) {
  FLOWKIT_ASSIGN_OR_RETURN(std::string assigned, Assigned(request.user_id, request.component_id));
  if (!assigned.empty()) return assigned;
  FLOWKIT_ASSIGN_OR_RETURN(std::vector<AccountRecord> accounts, s_.catalog->accounts().List(request.user_id, request.service));
  if (accounts.size() == 1) return accounts[0].account_id;
  return std::string();
}

Result<Json> AccountService::Secrets(const AccountRecord& account) {
  Result<std::string> opened = s_.secrets->Unseal(account.sealed_secrets, AccountAssociation(account.user_id, account.account_id));
  if (!opened.ok()) {
    return Status::FailedPrecondition("the secrets of account '" + account.account_id +
                                      "' cannot be decrypted with this server's master key");
  }
  return Json::Parse(*opened);
}

Status AccountService::Store(AccountRecord account, const Json& secrets) {
  account.sealed_secrets = s_.secrets->Seal(secrets.Dump(), AccountAssociation(account.user_id, account.account_id));
  return s_.catalog->accounts().Update(std::move(account)).status();
}

Result<Json> AccountService::Credentials(const CredentialsRequest& request) {
  FLOWKIT_ASSIGN_OR_RETURN(std::string account_id, AccountFor(request));
  if (account_id.empty()) return Json::MakeObject();
  Result<AccountRecord> account = s_.catalog->accounts().Get(request.user_id, account_id);
  if (!account.ok()) {
    return Status::FailedPrecondition("account '" + account_id + "' assigned to component '" + request.component_id +
                                      "' no longer exists; assign another");
  }
  FLOWKIT_ASSIGN_OR_RETURN(Json secrets, Secrets(*account));
  if (secrets["$invalid"].IsString()) {
    return Status::Unauthenticated("account '" + account->name + "' is no longer valid (" +
                                   secrets["$invalid"].AsString() + "); reconnect it");
  }
  const int64_t expires = secrets["$expiresAtMs"].AsInt(0);
  const ServiceAuth* auth = s_.auth ? s_.auth->Find(account->service) : nullptr;
  const bool renewable = secrets["refreshToken"].IsString() || (auth != nullptr && IsClientCredentials(*auth));
  if (expires > 0 && renewable && expires - s_.clock->NowMillis() < kRefreshMarginMs) {
    return RefreshAccount(request.user_id, account_id, secrets["accessToken"].AsString());
  }
  return Public(secrets);
}

Result<Json> AccountService::Refresh(const CredentialsRequest& request, const Json& rejected) {
  FLOWKIT_ASSIGN_OR_RETURN(std::string account_id, AccountFor(request));
  if (account_id.empty()) {
    return Status::Unauthenticated("component '" + request.component_id + "' has no account for '" + request.service + "'");
  }
  return RefreshAccount(request.user_id, account_id, rejected["accessToken"].AsString());
}

Result<Json> AccountService::RefreshAccount(std::string_view user_id, std::string_view account_id,
                                            std::string_view rejected_token) {
  std::shared_ptr<std::mutex> account_lock = AccountLock(account_id);
  std::lock_guard<std::mutex> serialized(*account_lock);
  FLOWKIT_ASSIGN_OR_RETURN(AccountRecord account, s_.catalog->accounts().Get(user_id, account_id));
  FLOWKIT_ASSIGN_OR_RETURN(Json secrets, Secrets(account));
  if (secrets["$invalid"].IsString()) {
    return Status::Unauthenticated("account '" + account.name + "' is no longer valid (" +
                                   secrets["$invalid"].AsString() + "); reconnect it");
  }
  // Someone refreshed while this caller waited: its token is the answer.
  const int64_t expires = secrets["$expiresAtMs"].AsInt(0);
  const bool fresh = expires == 0 || expires - s_.clock->NowMillis() >= kRefreshMarginMs;
  if (secrets["accessToken"].AsString() != rejected_token && fresh) return Public(secrets);

  const ServiceAuth* auth = s_.auth ? s_.auth->Find(account.service) : nullptr;
  const std::string refresh_token = secrets["refreshToken"].AsString();
  if (auth != nullptr && IsClientCredentials(*auth)) {
    // Nothing to refresh with: ask for a new token with the client's own credentials.
    Result<Json> token = ClientCredentialsToken(*auth);
    if (!token.ok()) {
      if (token.status().IsRetryable()) return token.status().WithPrefix("renewing account '" + account.name + "'");
      FLOWKIT_RETURN_IF_ERROR(Invalidate(account, secrets, "token request refused: " + token.status().message()));
      return Status::Unauthenticated("account '" + account.name + "': the provider refused a new token (" +
                                     token.status().message() + "); reconnect it");
    }
    FLOWKIT_RETURN_IF_ERROR(Store(account, *token));
    return Public(*token);
  }
  if (auth == nullptr || auth->type != "oauth2" || refresh_token.empty()) {
    std::string why = auth == nullptr || auth->type != "oauth2" ? "the service '" + account.service + "' has no OAuth 2 definition"
                                                                 : "the account has no refresh token";
    FLOWKIT_RETURN_IF_ERROR(Invalidate(account, secrets, "the service refused its token and " + why));
    return Status::Unauthenticated("account '" + account.name + "' was refused and cannot be refreshed: " + why);
  }
  FLOWKIT_ASSIGN_OR_RETURN(auto client, ClientCredentials(*auth));
  const Json& def = auth->definition;
  const std::string url = def["refreshAccessToken"].IsString() ? def["refreshAccessToken"].AsString()
                                                               : def["requestAccessToken"].AsString();
  Result<Json> answer = TokenRequest(url, Form({{"grant_type", "refresh_token"},
                                                {"refresh_token", refresh_token},
                                                {"client_id", client.first},
                                                {"client_secret", client.second}}));
  if (!answer.ok()) {
    if (answer.status().IsRetryable()) return answer.status().WithPrefix("refreshing account '" + account.name + "'");
    FLOWKIT_RETURN_IF_ERROR(Invalidate(account, secrets, "refresh refused: " + answer.status().message()));
    return Status::Unauthenticated("account '" + account.name + "': the provider refused to refresh its token (" +
                                   answer.status().message() + "); reconnect it");
  }
  secrets.Set("accessToken", (*answer)["access_token"]);
  if ((*answer)["refresh_token"].IsString()) secrets.Set("refreshToken", (*answer)["refresh_token"]);
  if ((*answer)["scope"].IsString()) secrets.Set("scope", (*answer)["scope"]);
  const int64_t expires_in = (*answer)["expires_in"].AsInt(0);
  if (expires_in > 0) {
    const int64_t at = s_.clock->NowMillis() + expires_in * 1000;
    secrets.Set("$expiresAtMs", Json(at));
    secrets.Set("accessTokenExpDate", Json(js::FormatIso(at)));
  } else {
    secrets.Erase("$expiresAtMs");
    secrets.Erase("accessTokenExpDate");
  }
  FLOWKIT_RETURN_IF_ERROR(Store(account, secrets));
  s_.log->Info("account token refreshed", Json::MakeObject({{"accountId", Json(account.account_id)},
                                                           {"service", Json(account.service)}}));
  return Public(secrets);
}

Status AccountService::Invalidate(AccountRecord account, Json secrets, const std::string& reason) {
  secrets.Set("$invalid", Json(reason));
  FLOWKIT_RETURN_IF_ERROR(Store(account, secrets));
  s_.log->Warn("account invalid", Json::MakeObject({{"accountId", Json(account.account_id)},
                                                      {"service", Json(account.service)},
                                                      {"reason", Json(reason)}}));
  if (s_.system_webhooks) {
    s_.system_webhooks->ComponentError(Json::MakeObject({{"type", "account"},
                                                         {"accountId", account.account_id},
                                                         {"service", account.service},
                                                         {"userId", account.user_id},
                                                         {"err", Json::MakeObject({{"message", reason}})}}));
  }
  return Status::OK();
}

Result<std::pair<std::string, std::string>> AccountService::ClientCredentials(const ServiceAuth& auth) {
  std::string id = auth.definition["clientId"].AsString();
  std::string secret = auth.definition["clientSecret"].AsString();
  if (id.empty() || secret.empty()) {
    Result<Json> config = ServiceConfigValues(s_, auth.service);
    if (config.ok()) {
      if (id.empty()) id = (*config)["clientId"].AsString();
      if (secret.empty()) secret = (*config)["clientSecret"].AsString();
    }
  }
  if (id.empty()) {
    return Status::FailedPrecondition("service '" + auth.service +
                                      "' has no clientId: an administrator sets it with POST /service-config");
  }
  return std::make_pair(id, secret);
}

Result<Json> AccountService::TokenRequest(const std::string& url, const std::string& form) {
  flowkit::HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  request.body = form;
  Result<flowkit::HttpResponse> response = s_.http->Perform(std::move(request));
  if (!response.ok()) return response.status();
  Json body;
  Result<Json> parsed = Json::Parse(response->body);
  if (parsed.ok() && parsed->IsObject()) {
    body = std::move(parsed).value();
  } else {
    // Some providers answer form-encoded (access_token=...&scope=...).
    body = Json::MakeObject();
    for (const auto& [name, value] : ParseQueryString(response->body)) body.Set(name, Json(value));
  }
  if (response->status >= 500) {
    return Status::Unavailable("the token endpoint answered " + std::to_string(response->status));
  }
  if (response->status >= 400 || !body["access_token"].IsString()) {
    std::string why = body["error"].IsString() ? body["error"].AsString() : "no access_token in the answer";
    if (body["error_description"].IsString()) why += ": " + body["error_description"].AsString();
    return Status::PermissionDenied("the token endpoint answered " + std::to_string(response->status) + " (" + why + ")");
  }
  return body;
}

bool AccountService::IsClientCredentials(const ServiceAuth& auth) {
  return auth.type == "oauth2" && auth.definition["grantType"].IsString() &&
         auth.definition["grantType"].StringView() == "client_credentials";
}

Result<Json> AccountService::ClientCredentialsToken(const ServiceAuth& auth) {
  FLOWKIT_ASSIGN_OR_RETURN(auto client, ClientCredentials(auth));
  FLOWKIT_ASSIGN_OR_RETURN(Json answer, TokenRequest(auth.definition["requestAccessToken"].AsString(),
                                                     Form({{"grant_type", "client_credentials"},
                                                           {"client_id", client.first},
                                                           {"client_secret", client.second},
                                                           {"scope", ScopeText(auth.definition)}})));
  Json secrets = Json::MakeObject({{"accessToken", answer["access_token"]}});
  if (answer["token_type"].IsString()) secrets.Set("tokenType", answer["token_type"]);
  if (const int64_t expires_in = answer["expires_in"].AsInt(0); expires_in > 0) {
    const int64_t at = s_.clock->NowMillis() + expires_in * 1000;
    secrets.Set("$expiresAtMs", Json(at));
    secrets.Set("accessTokenExpDate", Json(js::FormatIso(at)));
  }
  return secrets;
}

Result<std::string> AccountService::ConnectClientCredentials(std::string_view user_id, std::string_view service) {
  const ServiceAuth* auth = s_.auth ? s_.auth->Find(service) : nullptr;
  if (auth == nullptr || !IsClientCredentials(*auth)) {
    return Status::FailedPrecondition("service '" + std::string(service) +
                                      "' does not connect with the OAuth 2 client-credentials grant");
  }
  FLOWKIT_ASSIGN_OR_RETURN(Json secrets, ClientCredentialsToken(*auth));
  AccountRecord account;
  account.account_id = Context::NewId();
  account.user_id = std::string(user_id);
  account.service = std::string(service);
  account.name = std::string(service);
  account.display_name = account.name;
  account.auth_type = "oauth2";
  account.sealed_secrets = s_.secrets->Seal(secrets.Dump(), AccountAssociation(account.user_id, account.account_id));
  FLOWKIT_ASSIGN_OR_RETURN(AccountRecord created, s_.catalog->accounts().Create(std::move(account)));
  return created.account_id;
}

std::string AccountService::NewTicket(std::string_view user_id) {
  const std::string ticket = std::string(user_id) + ":" + Context::NewId();
  const int64_t now = s_.clock->NowMillis();
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(tickets_, [&](const auto& entry) { return entry.second.updated_ms + kTicketTtlMs < now; });
  tickets_[ticket] = Ticket{std::string(user_id), "", "", "", false, now};
  return ticket;
}

Result<std::string> AccountService::AuthorizeUrl(std::string_view user_id, std::string_view service,
                                                 std::string_view ticket) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tickets_.find(ticket);
    if (it == tickets_.end() || it->second.user_id != user_id) {
      return Status::NotFound("unknown or expired ticket; get one with POST /auth/ticket");
    }
    it->second.service = std::string(service);
  }
  const ServiceAuth* auth = s_.auth ? s_.auth->Find(service) : nullptr;
  if (auth == nullptr || auth->type != "oauth2") {
    return Status::FailedPrecondition("service '" + std::string(service) + "' does not connect with OAuth 2");
  }
  FLOWKIT_ASSIGN_OR_RETURN(auto client, ClientCredentials(*auth));
  std::string url = auth->definition["authUrl"].AsString();
  url += url.find('?') == std::string::npos ? "?" : "&";
  url += Form({{"response_type", "code"},
               {"client_id", client.first},
               {"redirect_uri", CallbackUrl(service)},
               {"scope", ScopeText(auth->definition)},
               {"state", ticket}});
  return url;
}

Result<std::string> AccountService::Callback(std::string_view service, std::string_view ticket, std::string_view code,
                                             std::string_view error) {
  std::string user_id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tickets_.find(ticket);
    if (it == tickets_.end() || it->second.finished || it->second.service != service) {
      return Status::NotFound("unknown, used or expired authorization ticket");
    }
    user_id = it->second.user_id;
  }
  auto finish = [&](std::string account_id, std::string message) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tickets_.find(ticket);
    if (it == tickets_.end()) return;
    it->second.finished = true;
    it->second.account_id = std::move(account_id);
    it->second.error = std::move(message);
    it->second.updated_ms = s_.clock->NowMillis();
  };
  auto fail = [&](Status status) -> Result<std::string> {
    finish("", status.message());
    return status;
  };
  if (!error.empty()) return fail(Status::PermissionDenied("the provider refused the authorization: " + std::string(error)));
  if (code.empty()) return fail(Status::InvalidArgument("the provider's answer has no 'code'"));
  const ServiceAuth* auth = s_.auth ? s_.auth->Find(service) : nullptr;
  if (auth == nullptr || auth->type != "oauth2") {
    return fail(Status::FailedPrecondition("service '" + std::string(service) + "' does not connect with OAuth 2"));
  }
  Result<std::pair<std::string, std::string>> client = ClientCredentials(*auth);
  if (!client.ok()) return fail(client.status());
  Result<Json> answer = TokenRequest(auth->definition["requestAccessToken"].AsString(),
                                     Form({{"grant_type", "authorization_code"},
                                           {"code", code},
                                           {"redirect_uri", CallbackUrl(service)},
                                           {"client_id", client->first},
                                           {"client_secret", client->second}}));
  if (!answer.ok()) return fail(answer.status().WithPrefix("exchanging the authorization code"));
  Json secrets = Json::MakeObject({{"accessToken", (*answer)["access_token"]}});
  if ((*answer)["refresh_token"].IsString()) secrets.Set("refreshToken", (*answer)["refresh_token"]);
  if ((*answer)["token_type"].IsString()) secrets.Set("tokenType", (*answer)["token_type"]);
  secrets.Set("scope", (*answer)["scope"].IsString() ? (*answer)["scope"] : Json(ScopeText(auth->definition)));
  if (const int64_t expires_in = (*answer)["expires_in"].AsInt(0); expires_in > 0) {
    const int64_t at = s_.clock->NowMillis() + expires_in * 1000;
    secrets.Set("$expiresAtMs", Json(at));
    secrets.Set("accessTokenExpDate", Json(js::FormatIso(at)));
  }
  AccountRecord account;
  account.account_id = Context::NewId();
  account.user_id = user_id;
  account.service = std::string(service);
  account.name = std::string(service);
  account.display_name = account.name;
  account.auth_type = "oauth2";
  account.sealed_secrets = s_.secrets->Seal(secrets.Dump(), AccountAssociation(account.user_id, account.account_id));
  Result<AccountRecord> created = s_.catalog->accounts().Create(std::move(account));
  if (!created.ok()) return fail(created.status());
  s_.log->Info("account connected", Json::MakeObject({{"accountId", Json(created->account_id)},
                                                      {"userId", Json(created->user_id)},
                                                      {"service", Json(created->service)}}));
  finish(created->account_id, "");
  return created->account_id;
}

Result<Json> AccountService::TicketStatus(std::string_view user_id, std::string_view ticket) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tickets_.find(ticket);
  if (it == tickets_.end() || it->second.user_id != user_id) return Status::NotFound("unknown or expired ticket");
  const Ticket& t = it->second;
  return Json::MakeObject({{"accountId", t.account_id.empty() ? Json() : Json(t.account_id)},
                           {"finished", t.finished},
                           {"updatedAt", js::FormatIso(t.updated_ms)},
                           {"error", t.error.empty() ? Json() : Json(t.error)}});
}

}  // namespace flowkit::server
