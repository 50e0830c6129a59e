// Webhooks (any method on /flows/:flowId/components/:componentId, no login: the URL is the
// capability) and the component catalogue (GET /components, GET /apps).
#include <cctype>
#include <map>

#include "api/routes.h"
#include "flowkit/component.h"

namespace flowkit::server {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ContentTypeIs(const HttpRequest& request, std::string_view type) {
  const std::string* header = request.Header("content-type");
  if (header == nullptr) return false;
  std::string value = Lower(*header);
  return value.compare(0, type.size(), type) == 0;
}

// The request as the webhook component sees it: {method, data, query, headers}. JSON bodies are
// parsed (malformed → 400), form bodies become objects, anything else stays text.
Result<WebhookRequest> ToWebhookRequest(const HttpRequest& request) {
  WebhookRequest out;
  out.method = request.method;
  for (const auto& [name, value] : request.headers) {
    if (name == "authorization" || name == "cookie") continue;  // credentials stay out of flows and logs
    out.headers.Set(name, Json(value));
  }
  for (const auto& [name, value] : request.query) {
    if (name == "enqueueOnly") continue;
    out.query.Set(name, Json(value));
  }
  if (const std::string* host = request.Header("host")) out.hostname = host->substr(0, host->find(':'));
  if (request.body.empty()) {
    out.data = Json::MakeObject();
  } else if (ContentTypeIs(request, "application/json") ||
             (ContentTypeIs(request, "application/") &&
              Lower(*request.Header("content-type")).find("+json") != std::string::npos)) {
    Result<Json> parsed = Json::Parse(request.body);
    if (!parsed.ok()) return Status::InvalidArgument("malformed JSON body: " + parsed.status().message());
    out.data = std::move(*parsed);
  } else if (ContentTypeIs(request, "application/x-www-form-urlencoded")) {
    Json form = Json::MakeObject();
    for (const auto& [name, value] : ParseQueryString(request.body)) form.Set(name, Json(value));
    out.data = std::move(form);
  } else {
    out.data = Json(request.body);
  }
  return out;
}

HttpResponse ToHttpResponse(WebhookResponse response) {
  HttpResponse out;
  out.status = response.status >= 100 && response.status <= 599 ? response.status : 200;
  bool has_type = false;
  if (response.headers.IsObject()) {
    for (const auto& member : response.headers.object()) {
      std::string value = member.value.IsString() ? member.value.AsString() : member.value.Dump();
      has_type = has_type || Lower(member.key) == "content-type";
      out.headers.emplace_back(member.key, std::move(value));
    }
  }
  if (response.body.IsString()) {
    out.body = response.body.AsString();
    if (!has_type) out.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  } else if (response.body.IsUndefined()) {
    out.body.clear();
  } else {
    out.body = response.body.Dump();
    if (!has_type) out.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  }
  return out;
}

void HandleWebhook(Services& services, Call& call) {
  Result<WebhookRequest> request = ToWebhookRequest(call.request());
  if (!request.ok()) return call.Fail(request.status());
  bool enqueue_only = call.Query("enqueueOnly") == "true";
  std::shared_ptr<Responder> responder = call.responder();
  Status s = services.engine->SubmitWebhook(
      call.Param("flowId"), call.Param("componentId"), std::move(*request),
      [responder](WebhookResponse response) { responder->Reply(ToHttpResponse(std::move(response))); }, enqueue_only);
  if (!s.ok()) {
    if (s.code() == StatusCode::kNotFound) {
      // One answer for "no such flow", "not running" and "no such component".
      return call.Fail(Status::NotFound("no running flow '" + call.Param("flowId") + "' with component '" +
                                        call.Param("componentId") + "'"));
    }
    call.Fail(s);
  }
}

Json ComponentJson(const Manifest& manifest) {
  Json out = manifest.raw.IsObject() ? manifest.raw : Json::MakeObject({{"name", Json(manifest.name)}});
  return out;
}

}  // namespace

Status AddWebhookRoutes(Router& router, Services& services) {
  Services* s = &services;
  return router.Add(Route{
      .method = "*", .pattern = "/flows/:flowId/components/:componentId", .access = Access::kAnonymous,
      .thread = RouteThread::kLoop,
      .summary = "Webhook into a component of a running flow (any method). Answers with the flow's Response, 504 "
                 "after the webhook timeout, or 202 once durably queued with ?enqueueOnly=true",
      .tag = "webhooks", .handler = [s](Call& c) { HandleWebhook(*s, c); }, .query_params = {"enqueueOnly"},
      .json_body = true});
}

Status AddComponentRoutes(Router& router, Services& services) {
  Services* s = &services;
  Status st = router.Add(Route{
      .method = "GET", .pattern = "/components", .access = Access::kUser,
      .summary = "Component manifests (?selector=vendor.service prefix)", .tag = "components",
      .handler = [s](Call& c) {
        std::string selector = c.Query("selector");
        Json out = Json::MakeArray();
        for (const std::string& name : s->components->Names()) {
          if (!selector.empty() && name.compare(0, selector.size(), selector) != 0) continue;
          const ComponentType* type = s->components->Find(name);
          if (type == nullptr) continue;
          Json item = ComponentJson(*type->manifest);
          item.Set("runnable", Json(type->runnable()));
          out.Push(std::move(item));
        }
        c.Reply(200, out);
      },
      .query_params = {"selector"}});
  if (!st.ok()) return st;
  return router.Add(Route{
      .method = "GET", .pattern = "/apps", .access = Access::kUser,
      .summary = "Apps (vendor.service) with their components: {<vendor.service>: {name, components: [...]}}",
      .tag = "components",
      .handler = [s](Call& c) {
        std::map<std::string, Json> apps;
        for (const std::string& name : s->components->Names()) {
          size_t first = name.find('.');
          size_t second = first == std::string::npos ? std::string::npos : name.find('.', first + 1);
          std::string app = second == std::string::npos ? name : name.substr(0, second);
          Json& entry = apps[app];
          if (!entry.IsObject()) entry = Json::MakeObject({{"name", Json(app)}, {"components", Json::MakeArray()}});
          const ComponentType* type = s->components->Find(name);
          Json component = Json::MakeObject({{"name", Json(name)}});
          if (type != nullptr) {
            component.Set("label", Json(type->manifest->label));
            component.Set("description", Json(type->manifest->description));
            component.Set("runnable", Json(type->runnable()));
          }
          entry.Find("components")->Push(std::move(component));
        }
        Json out = Json::MakeObject();
        for (auto& [name, app] : apps) out.Set(name, std::move(app));
        c.Reply(200, out);
      }});
}

}  // namespace flowkit::server
