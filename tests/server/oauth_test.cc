// OAuth 2 end to end against a fake provider on 127.0.0.1: the /auth/* ticket flow, token
// storage, refresh before expiry, refresh on a 401 (one refresh for many callers), a revoked
// token, and the engine handing the account to a component.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/account_service.h"
#include "http/http_server.h"
#include "test_server.h"

namespace flowkit::server::testing {
namespace {

// The provider's token endpoint: code "good-code" gives at-1/rt-1; each refresh_token grant for
// the current refresh token gives the next access token; a revoked refresh token is refused.
class FakeProvider {
 public:
  FakeProvider() {
    HttpServerOptions options;
    auto started = HttpServer::Start(options, [this](HttpRequest&& request, std::shared_ptr<Responder> responder) {
      responder->Reply(Handle(request));
    });
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    server_ = std::move(*started);
  }
  ~FakeProvider() { server_->Stop(1000); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  int refreshes() const { return refreshes_.load(); }
  void Revoke() { revoked_ = true; }
  std::map<std::string, std::string> last_form() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_form_;
  }

 private:
  static std::map<std::string, std::string> ParseForm(const std::string& body) {
    std::map<std::string, std::string> out;
    size_t start = 0;
    while (start < body.size()) {
      size_t amp = body.find('&', start);
      if (amp == std::string::npos) amp = body.size();
      std::string pair = body.substr(start, amp - start);
      size_t eq = pair.find('=');
      std::string value = eq == std::string::npos ? "" : pair.substr(eq + 1);
      std::string decoded;
      for (size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '%' && i + 2 < value.size()) {
          decoded.push_back(static_cast<char>(std::stoi(value.substr(i + 1, 2), nullptr, 16)));
          i += 2;
        } else {
          decoded.push_back(value[i] == '+' ? ' ' : value[i]);
        }
      }
      out[pair.substr(0, eq)] = decoded;
      start = amp + 1;
    }
    return out;
  }

  HttpResponse Handle(const HttpRequest& request) {
    if (request.path != "/token" || request.method != "POST") return HttpResponse::WithText(404, "no");
    std::map<std::string, std::string> form = ParseForm(request.body);
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_form_ = form;
    }
    if (form["client_id"] != "client-1" || form["client_secret"] != "secret-1") {
      return HttpResponse::WithJson(401, Json::MakeObject({{"error", "invalid_client"}}));
    }
    if (form["grant_type"] == "authorization_code") {
      if (form["code"] != "good-code") return HttpResponse::WithJson(400, Json::MakeObject({{"error", "invalid_grant"}}));
      return HttpResponse::WithJson(200, Json::MakeObject({{"access_token", "at-1"},
                                                           {"refresh_token", "rt-1"},
                                                           {"token_type", "Bearer"},
                                                           {"expires_in", 3600}}));
    }
    if (form["grant_type"] == "refresh_token") {
      // Slow enough that concurrent callers overlap.
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (revoked_ || form["refresh_token"] != "rt-1") {
        return HttpResponse::WithJson(400, Json::MakeObject({{"error", "invalid_grant"},
                                                             {"error_description", "refresh token revoked"}}));
      }
      const int n = ++refreshes_;
      return HttpResponse::WithJson(200, Json::MakeObject({{"access_token", "at-" + std::to_string(n + 1)},
                                                           {"expires_in", 3600}}));
    }
    if (form["grant_type"] == "client_credentials") {
      const int n = ++client_tokens_;
      return HttpResponse::WithJson(200, Json::MakeObject({{"access_token", "cc-" + std::to_string(n)},
                                                           {"token_type", "Bearer"},
                                                           {"expires_in", 60}}));
    }
    return HttpResponse::WithJson(400, Json::MakeObject({{"error", "unsupported_grant_type"}}));
  }

  std::unique_ptr<HttpServer> server_;
  std::atomic<int> refreshes_{0};
  std::atomic<int> client_tokens_{0};
  std::atomic<bool> revoked_{false};
  std::mutex mu_;
  std::map<std::string, std::string> last_form_;
};

class OAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    namespace fs = std::filesystem;
    fs::create_directories(dir_.path() + "/acme/crm/core/FindContact");
    std::ofstream(dir_.path() + "/acme/crm/core/FindContact/component.json")
        << R"({"name":"acme.crm.core.FindContact","auth":{"service":"acme:crm","scope":["contacts"]},
              "inPorts":["in"],"outPorts":["out"]})";
    std::ofstream(dir_.path() + "/acme/crm/auth.json")
        << R"({"service":"acme:crm","type":"oauth2","definition":{
              "authUrl":"https://login.acme.example/authorize",
              "requestAccessToken":")" << provider_.url() << R"(/token",
              "refreshAccessToken":")" << provider_.url() << R"(/token",
              "scope":["contacts","offline"]}})";
    fs::create_directories(dir_.path() + "/acme/ledger");
    std::ofstream(dir_.path() + "/acme/ledger/auth.json")
        << R"({"service":"acme:ledger","type":"oauth2","definition":{"grantType":"client_credentials",
              "authUrl":"https://login.acme.example/authorize",
              "requestAccessToken":")" << provider_.url() << R"(/token",
              "clientId":"client-1","clientSecret":"secret-1","scope":["ledger"]}})";
    ServerOptions options = MemoryOptions();
    options.component_dirs = {dir_.path()};
    options.clock = &clock_;
    server_ = std::make_unique<TestServer>(options);
    // The client id and secret come from the service configuration.
    ASSERT_EQ(client().Post("/service-config", Json::MakeObject({{"serviceId", "acme:crm"},
                                                                 {"clientId", "client-1"},
                                                                 {"clientSecret", "secret-1"}}),
                            server_->AdminToken())
                  .status,
              200);
    token_ = server_->CreateUser("ada@example.com", &user_id_);
  }

  const TestClient& client() { return server_->client(); }

  // Runs the ticket flow as a browser would; returns the new account id.
  std::string Connect() {
    HttpResult ticket = client().Post("/auth/ticket", Json::MakeObject(), token_);
    EXPECT_EQ(ticket.status, 200) << ticket.body;
    const std::string t = ticket.json()["ticket"].AsString();
    EXPECT_EQ(t.rfind(user_id_ + ":", 0), 0u) << t;
    HttpResult url = client().Get("/auth/acme.crm.core.FindContact/auth-url/" + t, token_);
    EXPECT_EQ(url.status, 200) << url.body;
    const std::string auth_url = url.json()["authUrl"].AsString();
    EXPECT_EQ(auth_url.rfind("https://login.acme.example/authorize?response_type=code&client_id=client-1", 0), 0u)
        << auth_url;
    EXPECT_NE(auth_url.find("scope=contacts%20offline"), std::string::npos) << auth_url;
    EXPECT_NE(auth_url.find("state=" + t.substr(0, t.find(':')) + "%3A"), std::string::npos) << auth_url;
    EXPECT_NE(auth_url.find("redirect_uri=" + std::string("http%3A%2F%2F127.0.0.1%3A")), std::string::npos);
    // The provider sends the browser back with a code.
    HttpResult back = client().Get("/auth/acme:crm/callback?code=good-code&state=" + t);
    EXPECT_EQ(back.status, 200) << back.body;
    EXPECT_NE(back.body.find("appmixer.auth.success." + t), std::string::npos) << back.body;
    EXPECT_EQ(provider_.last_form()["redirect_uri"], server_->url() + "/auth/acme:crm/callback");
    HttpResult status = client().Get("/auth/status/" + t, token_);
    EXPECT_EQ(status.status, 200);
    EXPECT_TRUE(status.json()["finished"].AsBool());
    EXPECT_TRUE(status.json()["error"].IsNull()) << status.body;
    // A ticket works once.
    EXPECT_EQ(client().Get("/auth/acme:crm/callback?code=good-code&state=" + t).status, 400);
    return status.json()["accountId"].AsString();
  }

  CredentialsRequest Request(const std::string& component = "find") {
    return CredentialsRequest{user_id_, "flow-1", component, "acme.crm.core.FindContact", "acme:crm"};
  }

  TempDir dir_;
  FakeProvider provider_;
  ManualClock clock_{1'800'000'000'000};
  std::unique_ptr<TestServer> server_;
  std::string token_;
  std::string user_id_;
};

TEST_F(OAuthTest, TheTicketFlowStoresTokensSealedAndTheComponentGetsThem) {
  const std::string account_id = Connect();
  ASSERT_FALSE(account_id.empty());
  // GET /accounts lists it without secrets.
  HttpResult accounts = client().Get("/accounts", token_);
  ASSERT_EQ(accounts.status, 200);
  EXPECT_EQ(accounts.body.find("at-1"), std::string::npos) << "secrets are never returned";
  EXPECT_NE(accounts.body.find(account_id), std::string::npos);
  // The user's only acme:crm account is what the component gets.
  Result<Json> secrets = server_->services().accounts->Credentials(Request());
  ASSERT_TRUE(secrets.ok()) << secrets.status().ToString();
  EXPECT_EQ((*secrets)["accessToken"], Json("at-1"));
  EXPECT_EQ((*secrets)["refreshToken"], Json("rt-1"));
  EXPECT_TRUE((*secrets)["accessTokenExpDate"].IsString());
  EXPECT_FALSE(secrets->Contains("$expiresAtMs")) << "flowkit's own members stay inside";
  // Listed for the component type, assignable, and assigned.
  HttpResult usable = client().Get("/auth/acme.crm.core.FindContact?componentId=find", token_);
  ASSERT_EQ(usable.status, 200);
  EXPECT_TRUE(usable.json()["auth"]["accounts"][account_id]["accessTokenValid"].AsBool());
  EXPECT_EQ(client().Put("/auth/component/find/" + account_id, Json::MakeObject(), token_).status, 200);
  usable = client().Get("/auth/acme.crm.core.FindContact?componentId=find", token_);
  EXPECT_TRUE(usable.json()["auth"]["accounts"][account_id]["componentAssigned"].AsBool());
  // Another user cannot assign it, nor read the ticket flow's status.
  std::string other = server_->CreateUser("eve@example.com");
  EXPECT_EQ(client().Put("/auth/component/x/" + account_id, Json::MakeObject(), other).status, 404);
}

TEST_F(OAuthTest, TokensAreRefreshedBeforeTheyExpire) {
  Connect();
  EXPECT_EQ((*server_->services().accounts->Credentials(Request()))["accessToken"], Json("at-1"));
  clock_.Advance(3600 * 1000 - 30 * 1000);  // 30 s before expiry
  Result<Json> secrets = server_->services().accounts->Credentials(Request());
  ASSERT_TRUE(secrets.ok()) << secrets.status().ToString();
  EXPECT_EQ((*secrets)["accessToken"], Json("at-2"));
  EXPECT_EQ((*secrets)["refreshToken"], Json("rt-1")) << "kept when the provider sends none";
  EXPECT_EQ(provider_.refreshes(), 1);
  EXPECT_EQ(provider_.last_form()["grant_type"], "refresh_token");
  // Fresh again: no more refreshes.
  EXPECT_EQ((*server_->services().accounts->Credentials(Request()))["accessToken"], Json("at-2"));
  EXPECT_EQ(provider_.refreshes(), 1);
}

TEST_F(OAuthTest, A401RefreshesOnceForEveryCallerHoldingTheRejectedToken) {
  Connect();
  const Json rejected = *server_->services().accounts->Credentials(Request());
  std::vector<std::thread> callers;
  std::mutex mu;
  std::vector<std::string> got;
  for (int i = 0; i < 8; ++i) {
    callers.emplace_back([&] {
      Result<Json> fresh = server_->services().accounts->Refresh(Request(), rejected);
      std::lock_guard<std::mutex> lock(mu);
      got.push_back(fresh.ok() ? (*fresh)["accessToken"].AsString() : fresh.status().ToString());
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(provider_.refreshes(), 1) << "one refresh shared by eight callers";
  for (const std::string& g : got) EXPECT_EQ(g, "at-2");
}

TEST_F(OAuthTest, ARevokedTokenMarksTheAccountInvalidAndFailsCallsWithoutRetrying) {
  const std::string account_id = Connect();
  const Json rejected = *server_->services().accounts->Credentials(Request());
  provider_.Revoke();
  Result<Json> refused = server_->services().accounts->Refresh(Request(), rejected);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(refused.status().message().find("refresh token revoked"), std::string::npos) << refused.status().message();
  // From now on every call fails at once, without asking the provider again.
  const int before = provider_.refreshes();
  Result<Json> next = server_->services().accounts->Credentials(Request());
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(next.status().message().find("reconnect it"), std::string::npos);
  EXPECT_EQ(provider_.refreshes(), before);
  HttpResult usable = client().Get("/auth/acme.crm.core.FindContact", token_);
  EXPECT_FALSE(usable.json()["auth"]["accounts"][account_id]["accessTokenValid"].AsBool());
}

TEST_F(OAuthTest, ClientCredentialsAccountsGetANewTokenWhenTheirsExpires) {
  HttpResult created = client().Post("/auth/acme:ledger/client-credentials", Json::MakeObject(), token_);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(provider_.last_form()["grant_type"], "client_credentials");
  EXPECT_EQ(provider_.last_form()["scope"], "ledger");
  CredentialsRequest request{user_id_, "flow-1", "books", "acme.ledger.core.Books", "acme:ledger"};
  EXPECT_EQ((*server_->services().accounts->Credentials(request))["accessToken"], Json("cc-1"));
  clock_.Advance(30 * 1000);  // within a minute of expiry
  EXPECT_EQ((*server_->services().accounts->Credentials(request))["accessToken"], Json("cc-2"));
  // A 401 gets a new one too.
  Result<Json> fresh = server_->services().accounts->Refresh(request, Json::MakeObject({{"accessToken", "cc-2"}}));
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_EQ((*fresh)["accessToken"], Json("cc-3"));
  // A service without that grant cannot be connected this way.
  EXPECT_EQ(client().Post("/auth/acme:crm/client-credentials", Json::MakeObject(), token_).status, 409);
}

TEST_F(OAuthTest, BadInputAnswersClearly) {
  HttpResult ticket = client().Post("/auth/ticket", Json::MakeObject(), token_);
  const std::string t = ticket.json()["ticket"].AsString();
  // A component type without an account, an unknown type, an unknown ticket.
  EXPECT_EQ(client().Get("/auth/appmixer.utils.controls.OnStart/auth-url/" + t, token_).status, 400);
  EXPECT_EQ(client().Get("/auth/nope.nope.nope.Nope/auth-url/" + t, token_).status, 404);
  EXPECT_EQ(client().Get("/auth/acme.crm.core.FindContact/auth-url/someone:else", token_).status, 404);
  // The provider refusing the code finishes the ticket with the error.
  ASSERT_EQ(client().Get("/auth/acme.crm.core.FindContact/auth-url/" + t, token_).status, 200);
  HttpResult back = client().Get("/auth/acme:crm/callback?code=bad-code&state=" + t);
  EXPECT_EQ(back.status, 400);
  EXPECT_NE(back.body.find("appmixer.auth.failure."), std::string::npos);
  HttpResult status = client().Get("/auth/status/" + t, token_);
  EXPECT_TRUE(status.json()["finished"].AsBool());
  EXPECT_NE(status.json()["error"].AsString().find("invalid_grant"), std::string::npos) << status.body;
  // The callback of an unknown ticket.
  EXPECT_EQ(client().Get("/auth/acme:crm/callback?code=good-code&state=forged").status, 400);
}

}  // namespace
}  // namespace flowkit::server::testing
