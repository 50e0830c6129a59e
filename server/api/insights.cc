// Insights: GET/POST /logs (filters, time range, text, sort, paging, histogram buckets) and
// GET /telemetry, always limited to the caller's records.
#include <algorithm>
#include <climits>
#include <map>

#include "api/routes.h"
#include "util/js.h"

namespace flowkit::server {
namespace {

Result<int64_t> TimeValue(std::string_view name, std::string_view text) {
  bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) return static_cast<int64_t>(std::stoll(std::string(text)));
  std::optional<int64_t> ms = js::ParseDateString(text);
  if (!ms) return Status::InvalidArgument("'" + std::string(name) + "' must be a date or epoch ms, not '" + std::string(text) + "'");
  return *ms;
}

// Appmixer's Lucene-like `query`: `field:value` terms for severity, portType, flowId,
// componentId, `gridTimestamp:[A TO B]` ranges; other words are full-text.
Status ApplyQueryText(std::string_view text, InsightsQuery& query) {
  std::string free_text;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size()) break;
    size_t end = text.find(' ', i);
    std::string_view word = text.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    if (word.rfind("gridTimestamp:[", 0) == 0) {
      size_t close = text.find(']', i);
      if (close == std::string_view::npos) return Status::InvalidArgument("unterminated range in 'query'");
      std::string_view range = text.substr(i + 15, close - i - 15);
      size_t to = range.find(" TO ");
      if (to == std::string_view::npos) return Status::InvalidArgument("a range must be [A TO B]");
      std::string_view a = range.substr(0, to);
      std::string_view b = range.substr(to + 4);
      if (a != "*") {
        Result<int64_t> from = TimeValue("query", a);
        if (!from.ok()) return from.status();
        query.from_ms = *from;
      }
      if (b != "*") {
        Result<int64_t> until = TimeValue("query", b);
        if (!until.ok()) return until.status();
        query.to_ms = *until + 1;
      }
      i = close + 1;
      continue;
    }
    size_t colon = word.find(':');
    std::string_view field = colon == std::string_view::npos ? std::string_view() : word.substr(0, colon);
    std::string value(colon == std::string_view::npos ? word : word.substr(colon + 1));
    if (field == "severity") query.severity = value;
    else if (field == "portType") query.port_type = value;
    else if (field == "flowId") query.flow_ids.push_back(value);
    else if (field == "componentId") query.component_ids.push_back(value);
    else free_text += (free_text.empty() ? "" : " ") + std::string(word);
    i = end == std::string_view::npos ? text.size() : end;
  }
  query.text = free_text;
  return Status::OK();
}

// Parameters from the query string (GET) or a JSON body (POST): the same names.
struct Params {
  const Call* call = nullptr;
  const Json* body = nullptr;
  std::vector<std::string> All(std::string_view name) const {
    if (body != nullptr) {
      const Json& v = body->Get(name);
      std::vector<std::string> out;
      if (v.IsArray()) {
        for (const Json& item : v.array()) out.push_back(item.IsString() ? item.AsString() : item.Dump());
      } else if (!v.IsNullish()) {
        out.push_back(v.IsString() ? v.AsString() : v.Dump());
      }
      return out;
    }
    return call->request().QueryParams(name);
  }
  std::string One(std::string_view name) const {
    std::vector<std::string> all = All(name);
    return all.empty() ? std::string() : all.front();
  }
};

Result<InsightsQuery> BuildQuery(const Params& p, const Caller& caller) {
  InsightsQuery q;
  q.user_id = caller.user_id;
  q.flow_ids = p.All("flowId");
  q.component_ids = p.All("componentId");
  q.severity = p.One("severity");
  q.port_type = p.One("portType");
  if (!q.port_type.empty() && q.port_type != "in" && q.port_type != "out") {
    return Status::InvalidArgument("'portType' must be in or out");
  }
  for (const char* name : {"from_time", "since"}) {
    if (std::string v = p.One(name); !v.empty()) {
      Result<int64_t> t = TimeValue(name, v);
      if (!t.ok()) return t.status();
      q.from_ms = *t;
    }
  }
  if (std::string v = p.One("until"); !v.empty()) {
    Result<int64_t> t = TimeValue("until", v);
    if (!t.ok()) return t.status();
    q.to_ms = *t;
  }
  if (Status s = ApplyQueryText(p.One("query"), q); !s.ok()) return s;
  for (const std::string& sort : p.All("sort")) {
    if (sort == "gridTimestamp:asc") q.sort = InsightsSort::kOldestFirst;
    else if (sort == "gridTimestamp:desc") q.sort = InsightsSort::kNewestFirst;
    else return Status::InvalidArgument("'sort' must be gridTimestamp:asc or gridTimestamp:desc");
  }
  auto number = [&](std::string_view name, int64_t fallback, int64_t max) -> Result<int64_t> {
    std::string v = p.One(name);
    if (v.empty()) return fallback;
    bool digits = std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || v.size() > 12 || std::stoll(v) > max) {
      return Status::InvalidArgument("'" + std::string(name) + "' must be an integer from 0 to " + std::to_string(max));
    }
    return std::stoll(v);
  };
  Result<int64_t> size = number("size", 50, static_cast<int64_t>(kMaxInsightsPageSize));
  if (!size.ok()) return size.status();
  Result<int64_t> from = number("from", 0, INT32_MAX);
  if (!from.ok()) return from.status();
  q.size = static_cast<size_t>(*size);
  q.from = static_cast<size_t>(*from);
  // searchAfter: "<time ms>,<_id>" as returned in the previous page.
  if (std::string after = p.One("searchAfter"); !after.empty()) {
    size_t comma = after.find(',');
    if (comma == std::string::npos) return Status::InvalidArgument("'searchAfter' must be the value a previous page returned");
    Result<int64_t> t = TimeValue("searchAfter", after.substr(0, comma));
    if (!t.ok()) return t.status();
    q.search_after = InsightsCursor{*t, after.substr(comma + 1)};
  }
  return q;
}

int64_t BucketFor(const InsightsQuery& q, int64_t now_ms) {
  int64_t from = q.from_ms.value_or(now_ms - 24 * 3600 * 1000);
  int64_t to = q.to_ms.value_or(now_ms);
  int64_t span = std::max<int64_t>(to - from, 1000);
  for (int64_t step : {1000LL, 5000LL, 10000LL, 30000LL, 60000LL, 300000LL, 600000LL, 1800000LL, 3600000LL,
                       10800000LL, 21600000LL, 43200000LL, 86400000LL, 604800000LL}) {
    if (span / step <= 60) return step;
  }
  return 2592000000LL;
}

void Logs(Services& services, Call& call, bool post) {
  Result<Json> body = post ? call.JsonBody() : Result<Json>(Json());
  if (!body.ok()) return call.Fail(body.status());
  Params params{&call, post ? &*body : nullptr};
  Result<InsightsQuery> query = BuildQuery(params, call.user());
  if (!query.ok()) return call.Fail(query.status());
  Result<InsightsPage> page = services.insights->Query(*query);
  if (!page.ok()) return call.Fail(page.status());
  Json hits = Json::MakeArray();
  for (const InsightsRecord& r : page->hits) hits.Push(r.ToJson());
  int64_t bucket_ms = BucketFor(*query, services.clock->NowMillis());
  Result<std::vector<InsightsBucket>> histogram = services.insights->Histogram(*query, bucket_ms);
  if (!histogram.ok()) return call.Fail(histogram.status());
  Json buckets = Json::MakeArray();
  for (const InsightsBucket& b : *histogram) {
    Json severity = Json::MakeObject();
    for (const auto& [name, n] : b.by_severity) severity.Set(name, Json(static_cast<int64_t>(n)));
    buckets.Push(Json::MakeObject({{"key_as_string", Json(js::FormatIso(b.key_ms))},
                                   {"key", Json(b.key_ms)},
                                   {"doc_count", Json(static_cast<int64_t>(b.doc_count))},
                                   {"severity", severity}}));
  }
  Json out = Json::MakeObject({{"hits", hits}, {"total", Json(static_cast<int64_t>(page->total))}, {"buckets", buckets},
                               {"interval", Json(bucket_ms)}});
  if (page->next) out.Set("searchAfter", Json(std::to_string(page->next->time_ms) + "," + page->next->id));
  call.Reply(200, out);
}

void Telemetry(Services& services, Call& call) {
  InsightsQuery q;
  q.user_id = call.user().user_id;
  q.port_type = "in";
  q.size = 0;
  for (const char* name : {"from", "to"}) {
    if (std::string v = call.Query(name); !v.empty()) {
      Result<int64_t> t = TimeValue(name, v);
      if (!t.ok()) return call.Fail(t.status());
      (std::string_view(name) == "from" ? q.from_ms : q.to_ms) = *t;
    }
  }
  Result<InsightsPage> messages = services.insights->Query(q);
  if (!messages.ok()) return call.Fail(messages.status());
  FlowQuery flows;
  flows.viewer = call.user().viewer();
  flows.filter = Json::MakeObject({{"stage", Json("running")}});
  flows.projection = {"flowId", "flow"};
  Result<std::vector<FlowRecord>> running = services.catalog->flows().List(flows);
  if (!running.ok()) return call.Fail(running.status());
  std::map<std::string, int> apps;
  int64_t connectors = 0;
  for (const FlowRecord& f : *running) {
    for (const auto& node : f.descriptor.object()) {
      std::string type = node.value.Get("type").AsString();
      size_t second = type.find('.', type.find('.') + 1);
      std::string app = type.substr(0, second);
      if (apps[app]++ == 0) ++connectors;
    }
  }
  Json used = Json::MakeArray();
  for (const auto& [app, n] : apps) used.Push(Json(app));
  call.Reply(200, Json::MakeObject({{"messageCounts", Json::MakeObject({{"count", Json(static_cast<int64_t>(messages->total))}})},
                                    {"runningFlows", Json::MakeObject({{"count", Json(static_cast<int64_t>(running->size()))}})},
                                    {"activeConnectors", Json::MakeObject({{"count", Json(connectors)}})},
                                    {"usedApps", used}}));
}

}  // namespace

Status AddInsightsRoutes(Router& router, Services& services) {
  Services* s = &services;
  std::vector<std::string> params = {"flowId", "componentId", "severity", "portType", "query", "sort", "size", "from", "searchAfter"};
  std::vector<Route> routes = {
      Route{.method = "GET", .pattern = "/logs", .access = Access::kUser,
            .summary = "The caller's insights logs {hits, total, buckets, searchAfter?}; query takes field:value terms, "
                       "gridTimestamp:[A TO B] and free text",
            .tag = "insights", .handler = [s](Call& c) { Logs(*s, c, false); }, .query_params = params},
      Route{.method = "POST", .pattern = "/logs", .access = Access::kUser,
            .summary = "GET /logs with the parameters in a JSON body", .tag = "insights",
            .handler = [s](Call& c) { Logs(*s, c, true); }, .json_body = true},
      Route{.method = "GET", .pattern = "/telemetry", .access = Access::kUser,
            .summary = "{messageCounts, runningFlows, activeConnectors, usedApps} of the caller", .tag = "insights",
            .handler = [s](Call& c) { Telemetry(*s, c); }, .query_params = {"from", "to"}},
  };
  return router.AddAll(std::move(routes));
}

}  // namespace flowkit::server
