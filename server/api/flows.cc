// Flows: GET|POST /flows, GET /flows/count, GET|PUT|DELETE /flows/:id, coordinator (start/stop),
// validate, clone. Access: the owner; sharedWith grants read/start/stop; admins see all.
#include <algorithm>
#include <climits>

#include "api/routes.h"
#include "app/flow_service.h"
#include "flowkit/component.h"

namespace flowkit::server {
namespace {

// The flow, if the caller may act on it with `permission`; kNotFound otherwise (never 403, so
// the existence of other users' flows does not leak).
Result<FlowRecord> FlowFor(Services& services, const Caller& caller, std::string_view flow_id,
                           std::string_view permission) {
  if (caller.admin) return services.catalog->flows().Get(flow_id);
  return services.catalog->flows().GetFor(caller.viewer(), flow_id, permission);
}

// Only the owner (or an admin) changes or deletes a flow; sharing grants read/start/stop only.
Result<FlowRecord> OwnedFlow(Services& services, const Caller& caller, std::string_view flow_id) {
  Result<FlowRecord> flow = FlowFor(services, caller, flow_id, "read");
  if (!flow.ok()) return flow;
  if (!caller.admin && flow->user_id != caller.user_id) {
    return Status::PermissionDenied("only the owner of flow '" + std::string(flow_id) + "' may change it");
  }
  return flow;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(start, comma - start);
    if (!item.empty()) out.emplace_back(item);
    start = comma + 1;
  }
  return out;
}

// GET /flows query → FlowQuery. `filter` is Appmixer's "field:value" (repeatable, or joined
// with commas); `sort` is "field:1|-1".
Result<FlowQuery> ListQuery(const Call& call) {
  const Caller& caller = call.user();
  FlowQuery query;
  query.viewer = caller.viewer();
  query.include_shared = true;
  query.shared_permission = "read";
  if (std::string p = call.Query("sharedWithPermissions"); !p.empty()) query.shared_permission = SplitList(p).front();
  Json filter = Json::MakeObject();
  for (const std::string& raw : call.request().QueryParams("filter")) {
    for (const std::string& clause : SplitList(raw)) {
      size_t colon = clause.find(':');
      if (colon == std::string::npos || colon == 0) {
        return Status::InvalidArgument("filter '" + clause + "' must be field:value");
      }
      std::string field = clause.substr(0, colon);
      std::string value = clause.substr(colon + 1);
      if (field == "userId" && caller.admin) {
        query.all_users = true;
      } else if (field == "userId" && value != caller.user_id) {
        return Status::PermissionDenied("only administrators may list other users' flows");
      }
      filter.Set(field, Json(value));
    }
  }
  if (!filter.empty()) query.filter = filter;
  query.pattern = call.Query("pattern");
  if (std::string sort = call.Query("sort"); !sort.empty()) {
    size_t colon = sort.find(':');
    query.sort_by = sort.substr(0, colon);
    if (colon != std::string::npos) {
      std::string direction = sort.substr(colon + 1);
      if (direction != "1" && direction != "-1") return Status::InvalidArgument("sort direction must be 1 or -1");
      query.descending = direction == "-1";
    }
  }
  Result<int64_t> offset = call.IntQuery("offset", 0, 0, INT64_MAX);
  if (!offset.ok()) return offset.status();
  Result<int64_t> limit = call.IntQuery("limit", 100, 0, 10000);
  if (!limit.ok()) return limit.status();
  query.offset = *offset;
  query.limit = *limit;
  if (std::string projection = call.Query("projection"); !projection.empty()) query.projection = SplitList(projection);
  return query;
}

// The body of POST/PUT /flows: checked fields copied into `record`.
Status ReadFlowBody(Services& services, const Json& body, FlowRecord& record, bool creating) {
  if (const Json& flow = body.Get("flow"); !flow.IsUndefined()) {
    if (!flow.IsObject()) return Status::InvalidArgument("'flow' must be an object of components");
    if (Status s = services.flows->CheckDescriptor(flow); !s.ok()) return s;
    record.descriptor = flow;
  } else if (creating) {
    record.descriptor = Json::MakeObject();
  }
  if (const Json& name = body.Get("name"); !name.IsUndefined()) {
    if (!name.IsString()) return Status::InvalidArgument("'name' must be a string");
    record.name = name.AsString();
  }
  if (const Json& fields = body.Get("customFields"); !fields.IsUndefined()) {
    if (!fields.IsObject()) return Status::InvalidArgument("'customFields' must be an object");
    record.custom_fields = fields;
  }
  if (const Json& thumbnail = body.Get("thumbnail"); !thumbnail.IsUndefined()) {
    if (!thumbnail.IsString() && !thumbnail.IsNull()) return Status::InvalidArgument("'thumbnail' must be a string");
    record.thumbnail = thumbnail.AsString();
  }
  if (const Json& shared = body.Get("sharedWith"); !shared.IsUndefined()) {
    if (!shared.IsArray()) return Status::InvalidArgument("'sharedWith' must be an array");
    for (const Json& entry : shared.array()) {
      if (!entry.IsObject() || (!entry.Get("email").IsString() && !entry.Get("userId").IsString())) {
        return Status::InvalidArgument("'sharedWith' entries must be {email | userId, permissions: [...]}");
      }
      for (const Json& p : entry.Get("permissions").array()) {
        std::string_view v = p.StringView();
        if (v != "read" && v != "start" && v != "stop") {
          return Status::InvalidArgument("'sharedWith' permissions must be read, start or stop");
        }
      }
    }
    record.shared_with = shared;
  }
  return Status::OK();
}

void CreateFlow(Services& services, Call& call) {
  Result<Json> body = call.JsonBody();
  if (!body.ok()) return call.Fail(body.status());
  FlowRecord record;
  record.user_id = call.user().user_id;
  if (Status s = ReadFlowBody(services, *body, record, true); !s.ok()) return call.Fail(s);
  if (record.name.empty()) record.name = "New flow";
  Result<FlowRecord> created = services.catalog->flows().Create(std::move(record));
  if (!created.ok()) return call.Fail(created.status());
  call.Reply(201, Json::MakeObject({{"flowId", Json(created->flow_id)}}));
}

void UpdateFlow(Services& services, Call& call) {
  Result<Json> body = call.JsonBody();
  if (!body.ok()) return call.Fail(body.status());
  Result<FlowRecord> record = OwnedFlow(services, call.user(), call.Param("id"));
  if (!record.ok()) return call.Fail(record.status());
  if (Status s = ReadFlowBody(services, *body, *record, false); !s.ok()) return call.Fail(s);
  bool running = record->stage == "running";
  if (running && call.Query("forceUpdate") != "true") {
    return call.Fail(Status::FailedPrecondition("flow '" + record->flow_id +
                                                "' is running: stop it first or pass ?forceUpdate=true"));
  }
  std::string flow_id = record->flow_id;
  if (running) {
    if (Status s = services.flows->Stop(flow_id); !s.ok()) return call.Fail(s);
  }
  Result<FlowRecord> updated = services.catalog->flows().Update(std::move(*record));
  if (!updated.ok()) return call.Fail(updated.status());
  if (running) {
    if (Status s = services.flows->Start(flow_id); !s.ok()) {
      return call.Fail(Status(s.code(), "flow updated but it did not start again: " + s.message()));
    }
  }
  call.Reply(200, Json::MakeObject({{"flowId", Json(flow_id)}, {"result", Json("updated")}}));
}

void Coordinate(Services& services, Call& call) {
  Result<Json> body = call.JsonBody();
  if (!body.ok()) return call.Fail(body.status());
  std::string command = body->Get("command").AsString();
  if (command != "start" && command != "stop") {
    return call.Fail(Status::InvalidArgument("'command' must be \"start\" or \"stop\""));
  }
  Result<FlowRecord> record = FlowFor(services, call.user(), call.Param("id"), command);
  if (!record.ok()) {
    // Visible but not shared with this permission: say so (the flow's existence is known).
    if (record.status().code() == StatusCode::kNotFound &&
        FlowFor(services, call.user(), call.Param("id"), "read").ok()) {
      return call.Fail(Status::PermissionDenied("flow '" + call.Param("id") + "' is not shared with you for " + command));
    }
    return call.Fail(record.status());
  }
  Status s = command == "start" ? services.flows->Start(record->flow_id) : services.flows->Stop(record->flow_id);
  if (!s.ok()) {
    if (s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kFailedPrecondition) return call.Fail(s);
    return call.Fail(Status(s.code(), "flow '" + record->flow_id + "' did not " + command + ": " + s.message()));
  }
  call.Reply(200, Json::MakeObject({{"flowId", Json(record->flow_id)}, {"ticket", Json(Context::NewId())},
                                    {"stage", Json(command == "start" ? "running" : "stopped")}}));
}

void Validate(Services& services, Call& call) {
  Result<FlowRecord> record = FlowFor(services, call.user(), call.Param("id"), "read");
  if (!record.ok()) return call.Fail(record.status());
  Diagnostics diagnostics;
  (void)services.flows->Parse(*record, &diagnostics);
  Json errors = Json::MakeArray();
  Json warnings = Json::MakeArray();
  for (const Diagnostic& d : diagnostics.items()) {
    Json item = Json::MakeObject({{"pointer", Json(d.pointer)}, {"message", Json(d.message)}});
    (d.severity == Diagnostic::Severity::kError ? errors : warnings).Push(item);
  }
  call.Reply(200, Json::MakeObject({{"errors", errors}, {"warnings", warnings}}));
}

void Clone(Services& services, Call& call) {
  Result<Json> body = call.JsonBody();
  if (!body.ok()) return call.Fail(body.status());
  Result<FlowRecord> source = FlowFor(services, call.user(), call.Param("id"), "read");
  if (!source.ok()) return call.Fail(source.status());
  FlowRecord clone;
  clone.user_id = call.user().user_id;
  std::string prefix = body->Get("prefix").AsString("Copy of ");
  clone.name = body->Get("name").IsString() ? body->Get("name").AsString() : prefix + source->name;
  clone.descriptor = source->descriptor;
  clone.custom_fields = source->custom_fields;
  clone.thumbnail = source->thumbnail;
  Result<FlowRecord> created = services.catalog->flows().Create(std::move(clone));
  if (!created.ok()) return call.Fail(created.status());
  call.Reply(201, Json::MakeObject({{"cloneId", Json(created->flow_id)}}));
}

}  // namespace

Status AddFlowRoutes(Router& router, Services& services) {
  Services* s = &services;
  std::vector<Route> routes = {
      Route{.method = "GET", .pattern = "/flows", .access = Access::kUser,
            .summary = "The caller's flows and flows shared with it (filter, sort, pattern, projection, offset, limit)",
            .tag = "flows",
            .handler = [s](Call& c) {
              Result<FlowQuery> query = ListQuery(c);
              if (!query.ok()) return c.Fail(query.status());
              Result<std::vector<FlowRecord>> flows = s->catalog->flows().List(*query);
              if (!flows.ok()) return c.Fail(flows.status());
              Json out = Json::MakeArray();
              for (const FlowRecord& f : *flows) out.Push(f.ToJson(query->projection));
              c.Reply(200, out);
            },
            .query_params = {"filter", "sharedWithPermissions", "projection", "sort", "pattern", "offset", "limit"}},
      Route{.method = "GET", .pattern = "/flows/count", .access = Access::kUser,
            .summary = "{count} of the flows GET /flows would list", .tag = "flows",
            .handler = [s](Call& c) {
              Result<FlowQuery> query = ListQuery(c);
              if (!query.ok()) return c.Fail(query.status());
              Result<int64_t> n = s->catalog->flows().Count(*query);
              if (!n.ok()) return c.Fail(n.status());
              c.Reply(200, Json::MakeObject({{"count", Json(*n)}}));
            },
            .query_params = {"filter", "sharedWithPermissions", "pattern"}},
      Route{.method = "POST", .pattern = "/flows", .access = Access::kUser,
            .summary = "Create a flow {flow, name, customFields?, thumbnail?, sharedWith?} → {flowId}", .tag = "flows",
            .handler = [s](Call& c) { CreateFlow(*s, c); }, .json_body = true, .success_status = 201},
      Route{.method = "GET", .pattern = "/flows/:id", .access = Access::kUser, .summary = "One flow", .tag = "flows",
            .handler = [s](Call& c) {
              Result<FlowRecord> f = FlowFor(*s, c.user(), c.Param("id"), "read");
              if (!f.ok()) return c.Fail(f.status());
              c.Reply(200, f->ToJson());
            }},
      Route{.method = "PUT", .pattern = "/flows/:id", .access = Access::kUser,
            .summary = "Update a flow {flow?, name?, customFields?, thumbnail?, sharedWith?}; a running flow needs "
                       "?forceUpdate=true (it restarts)",
            .tag = "flows", .handler = [s](Call& c) { UpdateFlow(*s, c); }, .query_params = {"forceUpdate"},
            .json_body = true},
      Route{.method = "DELETE", .pattern = "/flows/:id", .access = Access::kUser,
            .summary = "Stop and delete a flow → {flowId}", .tag = "flows",
            .handler = [s](Call& c) {
              Result<FlowRecord> f = OwnedFlow(*s, c.user(), c.Param("id"));
              if (!f.ok()) return c.Fail(f.status());
              if (Status st = s->flows->Delete(f->flow_id); !st.ok()) return c.Fail(st);
              c.Reply(200, Json::MakeObject({{"flowId", Json(f->flow_id)}}));
            }},
      Route{.method = "POST", .pattern = "/flows/:id/coordinator", .access = Access::kUser,
            .summary = "Start or stop a flow {command: start|stop} → {flowId, ticket}", .tag = "flows",
            .handler = [s](Call& c) { Coordinate(*s, c); }, .json_body = true},
      Route{.method = "GET", .pattern = "/flows/:id/validate", .access = Access::kUser,
            .summary = "Validation problems of a stored flow {errors: [{pointer, message}], warnings}", .tag = "flows",
            .handler = [s](Call& c) { Validate(*s, c); }},
      Route{.method = "POST", .pattern = "/flows/:id/clone", .access = Access::kUser,
            .summary = "Copy a flow into a new stopped flow of the caller {prefix?, name?} → {cloneId}", .tag = "flows",
            .handler = [s](Call& c) { Clone(*s, c); }, .json_body = true, .success_status = 201},
  };
  return router.AddAll(std::move(routes));
}

}  // namespace flowkit::server
