// System configuration (Appmixer /config, administrators only): key → JSON value. The system
// webhook keys take comma-separated http(s) URLs and are checked.
#include "api/routes.h"
#include "app/system_webhooks.h"

namespace flowkit::server {
namespace {

constexpr size_t kMaxKeyBytes = 256;

Status CheckEntry(std::string_view key, const Json& value) {
  if (key.empty() || key.size() > kMaxKeyBytes) return Status::InvalidArgument("'key' must be 1 to 256 characters");
  if (value.IsUndefined()) return Status::InvalidArgument("'value' is required");
  if (key == kComponentErrorWebhookKey || key == kDeadLetterWebhookKey) {
    if (!value.IsString()) return Status::InvalidArgument(std::string(key) + " must be a string of comma-separated URLs");
    std::string_view urls = value.StringView();
    size_t start = 0;
    while (start <= urls.size()) {
      size_t comma = urls.find(',', start);
      if (comma == std::string_view::npos) comma = urls.size();
      std::string_view url = urls.substr(start, comma - start);
      while (!url.empty() && url.front() == ' ') url.remove_prefix(1);
      while (!url.empty() && url.back() == ' ') url.remove_suffix(1);
      if (!url.empty() && url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
        return Status::InvalidArgument(std::string(key) + ": '" + std::string(url) + "' is not an http(s) URL");
      }
      start = comma + 1;
    }
  }
  return Status::OK();
}

}  // namespace

Status AddConfigRoutes(Router& router, Services& services) {
  Services* s = &services;
  std::vector<Route> routes = {
      Route{.method = "GET", .pattern = "/config", .access = Access::kAdmin,
            .summary = "System configuration [{key, value}]", .tag = "config",
            .handler = [s](Call& c) {
              Result<std::vector<ConfigEntry>> entries = s->catalog->config().List();
              if (!entries.ok()) return c.Fail(entries.status());
              Json out = Json::MakeArray();
              for (const ConfigEntry& e : *entries) out.Push(Json::MakeObject({{"key", Json(e.key)}, {"value", e.value}}));
              c.Reply(200, out);
            }},
      Route{.method = "GET", .pattern = "/config/:key", .access = Access::kAdmin, .summary = "One key {key, value}",
            .tag = "config",
            .handler = [s](Call& c) {
              Result<Json> value = s->catalog->config().Get(c.Param("key"));
              if (!value.ok()) return c.Fail(value.status());
              c.Reply(200, Json::MakeObject({{"key", Json(c.Param("key"))}, {"value", *value}}));
            }},
      Route{.method = "POST", .pattern = "/config", .access = Access::kAdmin,
            .summary = "Set a key {key, value} (WEBHOOK_FLOW_COMPONENT_ERROR, WEBHOOK_UNPROCESSED_MESSAGE: "
                       "comma-separated http(s) URLs)",
            .tag = "config",
            .handler = [s](Call& c) {
              Result<Json> body = c.JsonBody();
              if (!body.ok()) return c.Fail(body.status());
              std::string key = body->Get("key").AsString();
              const Json& value = body->Get("value");
              if (Status st = CheckEntry(key, value); !st.ok()) return c.Fail(st);
              if (Status st = s->catalog->config().Set(key, value); !st.ok()) return c.Fail(st);
              c.Reply(200, Json::MakeObject({{"key", Json(key)}, {"value", value}}));
            },
            .json_body = true},
      Route{.method = "DELETE", .pattern = "/config/:key", .access = Access::kAdmin, .summary = "Remove a key → {}",
            .tag = "config",
            .handler = [s](Call& c) {
              if (Status st = s->catalog->config().Delete(c.Param("key")); !st.ok()) return c.Fail(st);
              c.Reply(200, Json::MakeObject());
            }},
  };
  for (Route& route : routes) {
    if (Status st = router.Add(std::move(route)); !st.ok()) return st;
  }
  return Status::OK();
}

}  // namespace flowkit::server
