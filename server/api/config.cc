// System configuration (Appmixer /config, administrators only): key → JSON value. The system
// webhook keys take comma-separated http(s) URLs and are checked; keys starting "flowkit:" are
// the server's own (modifier overrides, task webhooks) and stay out of this API.
//
// Service configuration (Appmixer /service-config, administrators only): a JSON object per
// service id ("appmixer:google": {clientId, clientSecret, ...}). Values hold OAuth client
// secrets and API keys, so they are sealed at rest under the master key.
#include <algorithm>

#include "api/routes.h"
#include "app/system_webhooks.h"

namespace flowkit::server {
namespace {

constexpr size_t kMaxKeyBytes = 256;
constexpr std::string_view kReservedPrefix = "flowkit:";
constexpr std::string_view kSealedMember = "$sealed";

bool Reserved(std::string_view key) { return key.rfind(kReservedPrefix, 0) == 0; }

Status CheckKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyBytes) return Status::InvalidArgument("'key' must be 1 to 256 characters");
  if (Reserved(key)) return Status::InvalidArgument("keys starting with 'flowkit:' are reserved for the server");
  return Status::OK();
}

Status CheckEntry(std::string_view key, const Json& value) {
  FLOWKIT_RETURN_IF_ERROR(CheckKey(key));
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

Status CheckServiceId(std::string_view id) {
  if (id.empty() || id.size() > kMaxKeyBytes) return Status::InvalidArgument("'serviceId' must be 1 to 256 characters");
  if (id.find('/') != std::string_view::npos) return Status::InvalidArgument("'serviceId' must not contain '/'");
  return Status::OK();
}

std::string ServiceAssociated(std::string_view id) { return "service-config:" + std::string(id); }

// {"$sealed": base64url(seal(values))} bound to the service id.
Json SealValues(const Services& s, std::string_view id, const Json& values) {
  return Json::MakeObject({{std::string(kSealedMember), Json(Base64UrlEncode(s.secrets->Seal(values.Dump(), ServiceAssociated(id))))}});
}

Result<Json> UnsealValues(const Services& s, std::string_view id, const Json& stored) {
  if (!stored.Contains(kSealedMember)) return stored;  // written by another tool unsealed
  FLOWKIT_ASSIGN_OR_RETURN(std::string sealed, Base64Decode(stored.Get(kSealedMember).StringView()));
  FLOWKIT_ASSIGN_OR_RETURN(std::string text, s.secrets->Unseal(sealed, ServiceAssociated(id)));
  return Json::Parse(text);
}

Result<Json> ServiceJson(const Services& s, const ServiceConfig& config) {
  FLOWKIT_ASSIGN_OR_RETURN(Json values, UnsealValues(s, config.service_id, config.values));
  Json out = Json::MakeObject({{"serviceId", Json(config.service_id)}});
  for (const JsonMember& m : values.object()) out.Set(m.key, m.value);
  return out;
}

// The values of a POST/PUT body: everything but serviceId; an object of at most 64 KiB.
Result<Json> ServiceValues(const Json& body) {
  Json values = body;
  values.Erase("serviceId");
  if (values.Dump().size() > 64 * 1024) return Status::InvalidArgument("service configuration is larger than 64 KiB");
  return values;
}

void PutService(Services& s, Call& c, const std::string& id, const Json& body) {
  if (Status st = CheckServiceId(id); !st.ok()) return c.Fail(st);
  Result<Json> values = ServiceValues(body);
  if (!values.ok()) return c.Fail(values.status());
  Result<ServiceConfig> stored = s.catalog->config().PutService(id, SealValues(s, id, *values));
  if (!stored.ok()) return c.Fail(stored.status());
  Result<Json> out = ServiceJson(s, *stored);
  if (!out.ok()) return c.Fail(out.status());
  c.Reply(200, *out);
}

}  // namespace

Result<Json> ServiceConfigValues(Services& services, std::string_view service_id) {
  FLOWKIT_ASSIGN_OR_RETURN(ServiceConfig config, services.catalog->config().GetService(service_id));
  return UnsealValues(services, service_id, config.values);
}

Status AddConfigRoutes(Router& router, Services& services) {
  Services* s = &services;
  std::vector<Route> routes = {
      Route{.method = "GET", .pattern = "/config", .access = Access::kAdmin,
            .summary = "System configuration [{key, value}]", .tag = "config",
            .handler = [s](Call& c) {
              Result<std::vector<ConfigEntry>> entries = s->catalog->config().List();
              if (!entries.ok()) return c.Fail(entries.status());
              Json out = Json::MakeArray();
              for (const ConfigEntry& e : *entries) {
                if (!Reserved(e.key)) out.Push(Json::MakeObject({{"key", Json(e.key)}, {"value", e.value}}));
              }
              c.Reply(200, out);
            }},
      Route{.method = "GET", .pattern = "/config/:key", .access = Access::kAdmin, .summary = "One key {key, value}",
            .tag = "config",
            .handler = [s](Call& c) {
              if (Status st = CheckKey(c.Param("key")); !st.ok()) return c.Fail(st);
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
              if (Status st = CheckKey(c.Param("key")); !st.ok()) return c.Fail(st);
              if (Status st = s->catalog->config().Delete(c.Param("key")); !st.ok()) return c.Fail(st);
              c.Reply(200, Json::MakeObject());
            }},
      Route{.method = "GET", .pattern = "/service-config", .access = Access::kAdmin,
            .summary = "Service configurations [{serviceId, ...values}] (?pattern= substring of the id, "
                       "sort=serviceId:1|-1, offset, limit)",
            .tag = "service-config",
            .handler = [s](Call& c) {
              Result<int64_t> offset = c.IntQuery("offset", 0, 0, INT64_MAX);
              Result<int64_t> limit = c.IntQuery("limit", -1, -1, 100000);
              if (!offset.ok()) return c.Fail(offset.status());
              if (!limit.ok()) return c.Fail(limit.status());
              std::string sort = c.Query("sort", "serviceId:1");
              if (sort != "serviceId:1" && sort != "serviceId:-1") {
                return c.Fail(Status::InvalidArgument("'sort' must be serviceId:1 or serviceId:-1"));
              }
              Result<std::vector<ServiceConfig>> all = s->catalog->config().ListServices(c.Query("pattern"));
              if (!all.ok()) return c.Fail(all.status());
              if (sort == "serviceId:-1") std::reverse(all->begin(), all->end());
              Json out = Json::MakeArray();
              size_t from = std::min(all->size(), static_cast<size_t>(*offset));
              size_t to = *limit < 0 ? all->size() : std::min(all->size(), from + static_cast<size_t>(*limit));
              for (size_t i = from; i < to; ++i) {
                Result<Json> item = ServiceJson(*s, (*all)[i]);
                if (!item.ok()) return c.Fail(item.status());
                out.Push(std::move(*item));
              }
              c.Reply(200, out);
            },
            .query_params = {"pattern", "sort", "offset", "limit"}},
      Route{.method = "GET", .pattern = "/service-config/:serviceId", .access = Access::kAdmin,
            .summary = "One service's configuration {serviceId, ...values}", .tag = "service-config",
            .handler = [s](Call& c) {
              Result<ServiceConfig> config = s->catalog->config().GetService(c.Param("serviceId"));
              if (!config.ok()) return c.Fail(config.status());
              Result<Json> out = ServiceJson(*s, *config);
              if (!out.ok()) return c.Fail(out.status());
              c.Reply(200, *out);
            }},
      Route{.method = "POST", .pattern = "/service-config", .access = Access::kAdmin,
            .summary = "Create or replace {serviceId, ...values} (sealed at rest)", .tag = "service-config",
            .handler = [s](Call& c) {
              Result<Json> body = c.JsonBody();
              if (!body.ok()) return c.Fail(body.status());
              if (!body->Get("serviceId").IsString()) return c.Fail(Status::InvalidArgument("'serviceId' is required"));
              PutService(*s, c, body->Get("serviceId").AsString(), *body);
            },
            .json_body = true},
      Route{.method = "PUT", .pattern = "/service-config/:serviceId", .access = Access::kAdmin,
            .summary = "Replace a service's configuration with the body's keys", .tag = "service-config",
            .handler = [s](Call& c) {
              Result<Json> body = c.JsonBody();
              if (!body.ok()) return c.Fail(body.status());
              PutService(*s, c, c.Param("serviceId"), *body);
            },
            .json_body = true},
      Route{.method = "DELETE", .pattern = "/service-config/:serviceId", .access = Access::kAdmin,
            .summary = "Remove a service's configuration → {}", .tag = "service-config",
            .handler = [s](Call& c) {
              if (Status st = s->catalog->config().DeleteService(c.Param("serviceId")); !st.ok()) return c.Fail(st);
              c.Reply(200, Json::MakeObject());
            }},
  };
  return router.AddAll(std::move(routes));
}

}  // namespace flowkit::server
