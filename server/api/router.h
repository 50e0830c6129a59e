// Routes of the REST API: each declares its method, path pattern, who may call it and how it
// runs. The dispatcher (api/dispatcher.h) authenticates, authorizes, rate-limits and hands the
// call to the route's handler; the OpenAPI document and the authorization test walk the same
// table, so a route cannot exist without a declared rule.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flowkit/catalog.h"
#include "flowkit/json.h"
#include "flowkit/status.h"
#include "http/http_server.h"

namespace flowkit::server {

// Who may call a route. Object-level rules (owner, sharedWith) are checked by the handler
// through the catalog, answering 404 where existence would leak.
enum class Access : uint8_t {
  kAnonymous,  // no token needed (webhooks: the URL is the capability; health; sign-in)
  kUser,       // any signed-in user; the handler scopes everything to that user
  kAdmin,      // a signed-in user with the "admin" scope
  // A signed-in user, or no token and a capability in the request that the handler checks
  // (people-task links: ?secret=); the handler answers 401 when neither is there. A token that
  // does not verify is refused as on kUser routes.
  kUserOrSecret,
};
std::string_view AccessName(Access access);  // "anonymous" | "user" | "admin" | "user-or-secret"

// The signed-in caller.
struct Caller {
  std::string user_id;
  std::string email;
  std::string username;
  std::vector<std::string> scope;
  bool admin = false;
  Viewer viewer() const { return Viewer{user_id, email}; }
};

// One call of a route handler. Answer once with Reply or Fail, from any thread.
class Call {
 public:
  Call(HttpRequest request, std::shared_ptr<Responder> responder) noexcept
      : request_(std::move(request)), responder_(std::move(responder)) {}

  const HttpRequest& request() const { return request_; }
  HttpRequest& mutable_request() { return request_; }
  // A `:name` segment of the route pattern; empty when absent.
  const std::string& Param(std::string_view name) const;
  // A query parameter, or `fallback`.
  std::string Query(std::string_view name, std::string_view fallback = {}) const;
  // The caller; null on anonymous routes called without a token.
  const Caller* caller() const { return caller_ ? &*caller_ : nullptr; }
  // REQUIRES: a route with Access::kUser or kAdmin.
  const Caller& user() const { return *caller_; }

  // The body parsed as JSON. kInvalidArgument "malformed JSON body: …" naming the offset, or
  // "the request body must be a JSON object" when `require_object` and it is not one. An empty
  // body parses as an empty object.
  Result<Json> JsonBody(bool require_object = true) const;
  // Integer query parameter within [min, max]; kInvalidArgument naming the parameter otherwise.
  Result<int64_t> IntQuery(std::string_view name, int64_t fallback, int64_t min, int64_t max) const;

  void Reply(HttpResponse response);
  void Reply(int status, const Json& body) { Reply(HttpResponse::WithJson(status, body)); }
  // The error shape {"error": code name, "message", "statusCode"}; the HTTP status follows the
  // code (status.h).
  void Fail(const Status& status);
  bool replied() const { return responder_->replied(); }
  std::shared_ptr<Responder> responder() const { return responder_; }

  // Set by the dispatcher.
  void set_params(std::vector<std::pair<std::string, std::string>> params) { params_ = std::move(params); }
  void set_caller(Caller caller) { caller_ = std::move(caller); }

 private:
  HttpRequest request_;
  std::shared_ptr<Responder> responder_;
  std::vector<std::pair<std::string, std::string>> params_;
  std::optional<Caller> caller_;
};

using RouteHandler = std::function<void(Call& call)>;

enum class RouteThread : uint8_t {
  kWorker,  // the API worker pool (default): may block on storage
  kLoop,    // the HTTP loop thread: must not block (webhooks, health, metrics)
};

struct Route {
  std::string method;   // "GET", ...; "*" = any method
  std::string pattern;  // "/flows/:id/coordinator"
  Access access = Access::kUser;
  RouteThread thread = RouteThread::kWorker;
  std::string summary;  // one line for the OpenAPI document
  std::string tag;      // OpenAPI tag (route group)
  RouteHandler handler;
  // For OpenAPI: query parameter names, and whether the route takes a JSON body.
  std::vector<std::string> query_params;
  bool json_body = false;
  // Answers 200 with JSON unless said otherwise.
  int success_status = 200;
};

class Router {
 public:
  // Adds a route. Duplicate (method, pattern) pairs are a programming error (aborts in tests
  // through the returned status).
  Status Add(Route route);
  // Adds each route in order; stops at the first error.
  Status AddAll(std::vector<Route> routes);

  struct Match {
    const Route* route = nullptr;
    std::vector<std::pair<std::string, std::string>> params;
    bool path_known = false;  // some route has this path with another method (→ 405)
  };
  // Literal segments win over `:param` segments at the same position.
  Match Find(std::string_view method, std::string_view path) const;

  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  std::vector<std::unique_ptr<Route>> routes_;
  std::vector<std::vector<std::string>> segments_;  // routes_[i].pattern split once
};

// "/flows/:id" → ["flows", ":id"]; trailing slashes ignored.
std::vector<std::string_view> SplitPath(std::string_view path);

}  // namespace flowkit::server
