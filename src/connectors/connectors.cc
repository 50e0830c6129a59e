// Declarative connectors: loading their JSON and the one behaviour that runs them.
#include "flowkit/connectors.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <span>
#include <sstream>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "components/http/request_util.h"
#include "connectors/template.h"
#include "flowkit/component.h"
#include "util/base64.h"
#include "util/js.h"

namespace flowkit {
namespace {

using connectors::CheckTemplate;
using js::EncodeUriComponent;
using connectors::Evaluate;
using connectors::ValueText;

constexpr std::array<std::string_view, 4> kRequestRoots = {"input", "properties", "auth", "config"};
constexpr std::array<std::string_view, 6> kOutputRoots = {"input", "properties", "auth", "config", "response", "item"};
// A polling trigger has no input; its `state` root carries the cursor.
constexpr std::array<std::string_view, 4> kTriggerRequestRoots = {"properties", "auth", "config", "state"};
constexpr std::array<std::string_view, 6> kTriggerOutputRoots = {"properties", "auth", "config", "state", "response", "item"};

constexpr int64_t kDefaultMaxPages = 10;
// Keys a trigger remembers: enough for any sane page of new items, small enough to rewrite on
// every poll.
constexpr size_t kMaxRememberedKeys = 1000;
using Roots = std::span<const std::string_view>;

bool IsHttpToken(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+.^_`|~-").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

void CheckObjectOfTemplates(const Json& value, const std::string& pointer, Roots roots, Diagnostics* d) {
  if (value.IsUndefined()) return;
  if (!value.IsObject()) {
    d->Error(pointer, "must be an object of name → template");
    return;
  }
  CheckTemplate(value, pointer, roots, d);
}

// RFC 6901: "" or '/'-separated tokens in which '~' only starts "~0" or "~1".
bool IsJsonPointer(std::string_view text) {
  if (!text.empty() && text[0] != '/') return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '~' && (i + 1 == text.size() || (text[i + 1] != '0' && text[i + 1] != '1'))) return false;
  }
  return true;
}

// A JSON pointer member `value` at `pointer`; `required` reports a missing one.
void CheckPointer(const Json& value, const std::string& pointer, bool required, std::string_view into, Diagnostics* d) {
  if (value.IsUndefined() && !required) return;
  if (!value.IsString() || !IsJsonPointer(value.StringView())) {
    d->Error(pointer, "must be a JSON pointer into " + std::string(into) + " (\"\" or starting with '/')");
  }
}

void CheckKnownKeys(const Json& object, const std::string& pointer, std::span<const std::string_view> known,
                    std::string_view what, Diagnostics* d) {
  for (const auto& member : object.object()) {
    if (std::find(known.begin(), known.end(), member.key) != known.end()) continue;
    std::string list;
    for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    d->Error(JsonPointerAppend(pointer, member.key), "unknown " + std::string(what) + " key (known: " + list + ")");
  }
}

bool IsNonEmptyString(const Json& value) { return value.IsString() && !value.StringView().empty(); }

void CheckPagination(const Json& p, Diagnostics* d) {
  if (p.IsUndefined()) return;
  if (!p.IsObject()) {
    d->Error("/pagination", "must be an object {type: \"page\" | \"cursor\" | \"link\", ...}");
    return;
  }
  const Json& type = p["type"];
  if (!type.IsString() || (type.StringView() != "page" && type.StringView() != "cursor" && type.StringView() != "link")) {
    d->Error("/pagination/type", "unknown pagination type " + (type.IsUndefined() ? std::string("(none)") : "'" + ValueText(type) + "'") +
                                     " (known: page, cursor, link)");
    return;
  }
  const Json& max_pages = p["maxPages"];
  if (!max_pages.IsUndefined() && (!max_pages.IsInteger() || max_pages.AsInt() < 1)) {
    d->Error("/pagination/maxPages", "must be an integer of at least 1");
  }
  if (type.StringView() == "page") {
    static constexpr std::array<std::string_view, 7> kKeys = {"type", "maxPages", "param", "start", "step", "size", "sizeParam"};
    CheckKnownKeys(p, "/pagination", kKeys, "page pagination", d);
    if (!IsNonEmptyString(p["param"])) d->Error("/pagination/param", "names the page or offset query parameter");
    if (!p["start"].IsUndefined() && !p["start"].IsNumber()) d->Error("/pagination/start", "must be a number");
    if (!p["step"].IsUndefined() && (!p["step"].IsNumber() || p["step"].AsDouble() == 0)) {
      d->Error("/pagination/step", "must be a number other than 0");
    }
    if (!p["size"].IsUndefined() && (!p["size"].IsInteger() || p["size"].AsInt() < 1)) {
      d->Error("/pagination/size", "must be an integer of at least 1 (the page size)");
    }
    if (!p["sizeParam"].IsUndefined() && (!IsNonEmptyString(p["sizeParam"]) || p["size"].IsUndefined())) {
      d->Error("/pagination/sizeParam", "names the query parameter that sends `size` (which it needs)");
    }
  } else if (type.StringView() == "cursor") {
    static constexpr std::array<std::string_view, 4> kKeys = {"type", "maxPages", "from", "param"};
    CheckKnownKeys(p, "/pagination", kKeys, "cursor pagination", d);
    CheckPointer(p["from"], "/pagination/from", true, "the response body (where the next cursor is)", d);
    if (!IsNonEmptyString(p["param"])) d->Error("/pagination/param", "names the query parameter that sends the cursor");
  } else {
    static constexpr std::array<std::string_view, 2> kKeys = {"type", "maxPages"};
    CheckKnownKeys(p, "/pagination", kKeys, "link pagination", d);
  }
}

void CheckTrigger(const Json& t, Diagnostics* d) {
  if (!t.IsObject()) {
    d->Error("/trigger", "must be an object {key?, cursor?, emitInitial?}");
    return;
  }
  static constexpr std::array<std::string_view, 3> kKeys = {"key", "cursor", "emitInitial"};
  CheckKnownKeys(t, "/trigger", kKeys, "trigger", d);
  CheckPointer(t["key"], "/trigger/key", false, "an item (its unique key)", d);
  const Json& cursor = t["cursor"];
  if (!cursor.IsUndefined()) {
    if (!cursor.IsObject()) {
      d->Error("/trigger/cursor", "must be an object {from, param?}");
    } else {
      static constexpr std::array<std::string_view, 2> kCursorKeys = {"from", "param"};
      CheckKnownKeys(cursor, "/trigger/cursor", kCursorKeys, "trigger cursor", d);
      CheckPointer(cursor["from"], "/trigger/cursor/from", true, "an item (its ordered value, e.g. \"/updated_at\")", d);
      if (!cursor["param"].IsUndefined() && !IsNonEmptyString(cursor["param"])) {
        d->Error("/trigger/cursor/param", "names the query parameter that sends the cursor");
      }
    }
  }
  if (t["key"].IsUndefined() && cursor.IsUndefined()) {
    d->Error("/trigger", "a polling trigger needs \"key\" and/or \"cursor\" to tell new items from seen ones");
  }
  if (!t["emitInitial"].IsUndefined() && !t["emitInitial"].IsBool()) d->Error("/trigger/emitInitial", "must be true or false");
}

void CheckRequest(const Json& request, Roots roots, Diagnostics* d) {
  if (!request.IsObject()) {
    d->Error("/request", "a connector needs a request object {method, url, ...}");
    return;
  }
  for (const auto& member : request.object()) {
    static constexpr std::array<std::string_view, 7> kKeys = {"method", "url", "query", "headers", "basicAuth", "body", "bodyType"};
    if (std::find(kKeys.begin(), kKeys.end(), member.key) == kKeys.end()) {
      d->Error(JsonPointerAppend("/request", member.key),
               "unknown request key (known: method, url, query, headers, basicAuth, body, bodyType)");
    }
  }
  const Json& method = request["method"];
  if (!method.IsUndefined() && (!method.IsString() || !IsHttpToken(method.StringView()))) {
    d->Error("/request/method", "must be an HTTP method name such as \"GET\"");
  }
  const Json& url = request["url"];
  if (!url.IsString() || url.StringView().empty()) {
    d->Error("/request/url", "a request needs a url (a string template)");
  } else {
    CheckTemplate(url, "/request/url", roots, d);
    std::string_view text = url.StringView();
    if (!text.starts_with("http://") && !text.starts_with("https://") && !text.starts_with("{{")) {
      d->Error("/request/url", "must start with http:// or https://");
    }
  }
  CheckObjectOfTemplates(request["query"], "/request/query", roots, d);
  CheckObjectOfTemplates(request["headers"], "/request/headers", roots, d);
  const Json& basic = request["basicAuth"];
  if (!basic.IsUndefined()) {
    if (!basic.IsObject() || !basic["username"].IsString()) {
      d->Error("/request/basicAuth", "must be {\"username\": template, \"password\": template}");
    } else {
      CheckTemplate(basic, "/request/basicAuth", roots, d);
    }
  }
  CheckTemplate(request["body"], "/request/body", roots, d);
  const Json& body_type = request["bodyType"];
  if (!body_type.IsUndefined() &&
      !(body_type.IsString() && (body_type.StringView() == "json" || body_type.StringView() == "form" ||
                                 body_type.StringView() == "raw"))) {
    d->Error("/request/bodyType", "must be \"json\", \"form\" or \"raw\"");
  }
}

void CheckOutput(const Json& output, const Manifest* manifest, Roots roots, Diagnostics* d) {
  if (output.IsUndefined()) return;
  if (!output.IsObject()) {
    d->Error("/output", "must be an object {port, from?, each?, map?}");
    return;
  }
  for (const auto& member : output.object()) {
    if (member.key != "port" && member.key != "from" && member.key != "each" && member.key != "map") {
      d->Error(JsonPointerAppend("/output", member.key), "unknown output key (known: port, from, each, map)");
    }
  }
  const Json& port = output["port"];
  if (!port.IsString()) {
    d->Error("/output/port", "names the out-port the response goes to");
  } else if (manifest != nullptr && manifest->FindOutPort(port.StringView()) == nullptr) {
    d->Error("/output/port", "the manifest has no out-port '" + port.AsString() + "'");
  }
  CheckPointer(output["from"], "/output/from", false, "the response body", d);
  if (!output["each"].IsUndefined() && !output["each"].IsBool()) d->Error("/output/each", "must be true or false");
  CheckTemplate(output["map"], "/output/map", roots, d);
}

// RFC 6901 lookup; Undefined when the pointer leads nowhere.
const Json& AtPointer(const Json& doc, std::string_view pointer) {
  static const Json kUndefined = Json::Undefined();
  const Json* at = &doc;
  while (!pointer.empty() && !at->IsUndefined()) {
    pointer.remove_prefix(1);  // '/'
    size_t end = std::min(pointer.find('/'), pointer.size());
    std::string token;
    for (size_t i = 0; i < end; ++i) {
      if (pointer[i] == '~' && i + 1 < end && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
        token += pointer[++i] == '0' ? '~' : '/';
      } else {
        token += pointer[i];
      }
    }
    if (at->IsArray()) {
      bool digits = !token.empty() && token.size() < 10 && std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits) return kUndefined;
      at = &at->At(static_cast<size_t>(std::stoull(token)));
    } else {
      at = &at->Get(token);
    }
    pointer.remove_prefix(end);
  }
  return *at;
}

// What a page request changes in the template's request: query parameters set after the
// template's own (replacing one of the same name), or a whole URL (a `Link: rel="next"`), which
// is sent as given, without the template's query.
struct PageRequest {
  Json query = Json::MakeObject();
  std::string url;
};

Result<HttpRequest> BuildRequest(const Connector& c, const Json& data, const PageRequest& page) {
  const Json& t = c.request;
  HttpRequest request;
  request.method = t["method"].IsString() ? t["method"].AsString() : "GET";
  if (!page.url.empty()) {
    request.url = page.url;
  } else {
    FLOWKIT_ASSIGN_OR_RETURN(request.url, connectors::EvaluateUrl(t["url"].StringView(), data));
    std::string query;
    Json params = Evaluate(t["query"], data);
    if (!params.IsObject()) params = Json::MakeObject();
    for (const auto& member : page.query.object()) params.Set(member.key, member.value);
    for (const auto& member : params.object()) {
      auto add = [&](const Json& value) {
        if (value.IsNullish()) return;
        query += (query.empty() ? "" : "&") + EncodeUriComponent(member.key) + "=" + EncodeUriComponent(ValueText(value));
      };
      if (member.value.IsArray()) {
        for (const Json& item : member.value.array()) add(item);
      } else {
        add(member.value);
      }
    }
    if (!query.empty()) request.url += (request.url.find('?') == std::string::npos ? "?" : "&") + query;
  }

  Json headers = Evaluate(t["headers"], data);
  for (const auto& member : headers.object()) {
    if (!member.value.IsNullish()) request.headers.emplace_back(member.key, ValueText(member.value));
  }
  if (!t["basicAuth"].IsUndefined() && FindHttpHeader(request.headers, "authorization") == nullptr) {
    Json basic = Evaluate(t["basicAuth"], data);
    if (basic["username"].IsString()) {
      std::string pair = basic["username"].AsString() + ":" + ValueText(basic["password"].IsNullish() ? Json("") : basic["password"]);
      request.headers.emplace_back("Authorization", "Basic " + internal::Base64Encode(pair));
    }
  }

  Json body = Evaluate(t["body"], data);
  if (!body.IsUndefined()) {
    std::string_view type = t["bodyType"].IsString() ? t["bodyType"].StringView() : "json";
    std::string_view content_type;
    if (type == "form") {
      for (const auto& member : body.object()) {
        if (member.value.IsNullish()) continue;
        if (!request.body.empty()) request.body += '&';
        request.body += EncodeUriComponent(member.key) + "=" + EncodeUriComponent(ValueText(member.value));
      }
      content_type = "application/x-www-form-urlencoded";
    } else if (type == "raw") {
      request.body = ValueText(body);
    } else {
      request.body = body.Dump();
      content_type = "application/json";
    }
    if (!content_type.empty() && FindHttpHeader(request.headers, "content-type") == nullptr) {
      request.headers.emplace_back("Content-Type", std::string(content_type));
    }
  }
  return request;
}

// "scheme://host:port", lower-cased, default ports written out; "" when `url` is not absolute.
std::string OriginOf(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "";
  std::string scheme(url.substr(0, scheme_end));
  std::string_view rest = url.substr(scheme_end + 3);
  std::string authority(rest.substr(0, rest.find_first_of("/?#")));
  if (size_t at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  for (char& ch : scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (char& ch : authority) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  // A port follows the last ':' unless that ':' is inside an IPv6 literal "[::1]".
  size_t colon = authority.rfind(':');
  if (colon == std::string::npos || authority.find(']', colon) != std::string::npos) {
    authority += scheme == "https" ? ":443" : ":80";
  }
  return scheme + "://" + authority;
}

// `reference` (a Link target) made absolute against `base`, the URL that answered.
std::string ResolveUrl(std::string_view base, std::string_view reference) {
  if (reference.find("://") != std::string_view::npos &&
      reference.find("://") < reference.find_first_of("/?#")) {
    return std::string(reference);
  }
  const size_t scheme_end = base.find("://");
  const size_t path_start = std::min(base.find_first_of("/?#", scheme_end + 3), base.size());
  if (reference.starts_with("//")) return std::string(base.substr(0, scheme_end + 1)) + std::string(reference);
  if (reference.starts_with("/")) return std::string(base.substr(0, path_start)) + std::string(reference);
  const std::string_view without_query = base.substr(0, std::min(base.find_first_of("?#", path_start), base.size()));
  if (reference.starts_with("?")) return std::string(without_query) + std::string(reference);
  const size_t slash = without_query.rfind('/');
  std::string_view directory = slash != std::string_view::npos && slash >= path_start ? without_query.substr(0, slash + 1)
                                                                                      : without_query;
  return std::string(directory) + (slash != std::string_view::npos && slash >= path_start ? "" : "/") + std::string(reference);
}

// The target of the first `rel="next"` link of a Link header (RFC 8288); "" when none.
std::string NextLink(std::string_view header) {
  size_t at = 0;
  while (true) {
    size_t open = header.find('<', at);
    if (open == std::string_view::npos) return "";
    size_t close = header.find('>', open);
    if (close == std::string_view::npos) return "";
    std::string_view target = header.substr(open + 1, close - open - 1);
    // The link's parameters run to the next ',' outside a quoted string.
    size_t end = close + 1;
    bool quoted = false;
    for (; end < header.size() && (quoted || header[end] != ','); ++end) {
      if (header[end] == '"') quoted = !quoted;
    }
    std::string_view params = header.substr(close + 1, end - close - 1);
    for (size_t p = params.find(';'); p != std::string_view::npos; p = params.find(';', p + 1)) {
      std::string_view param = js::Trim(params.substr(p + 1, params.find(';', p + 1) - p - 1));
      size_t eq = param.find('=');
      if (eq == std::string_view::npos) continue;
      std::string name(js::Trim(param.substr(0, eq)));
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (name != "rel") continue;
      std::string_view value = js::Trim(param.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      // rel may hold several space-separated relation types.
      std::string rels(value);
      for (char& ch : rels) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::istringstream words(rels);
      for (std::string word; words >> word;) {
        if (word == "next") return std::string(js::Trim(target));
      }
    }
    at = end;
  }
}

// Appends a page's value at `output.from` to `items`: an array's elements, nothing for a missing
// or null value, any other value as one item. Returns how many items the page had.
size_t AppendPageItems(const Json& value, Json* items) {
  if (value.IsNullish()) return 0;
  if (!value.IsArray()) {
    items->Push(value);
    return 1;
  }
  for (const Json& item : value.array()) items->Push(item);
  return value.array().size();
}

// The answer of one connector call: the value `output.from` selects (with pagination: the items
// of every page, concatenated) and the first page's response.
struct Fetched {
  Json selected;
  Json response;
};

// Sends the requests of one call — every page — with `data` as the template data. An HTTP 401
// refreshes the account once per call and sends that page again with the new secrets (which
// `data` then holds).
class Fetcher {
 public:
  Fetcher(Context& ctx, const Connector& c, Json* data) : ctx_(ctx), c_(c), data_(*data) {}

  // `first`: what the first request adds (a trigger's cursor parameter).
  Result<Fetched> Fetch(PageRequest first) {
    const std::string_view from = c_.output["from"].StringView();
    const Json& p = c_.pagination;
    if (!p.IsObject()) {
      FLOWKIT_ASSIGN_OR_RETURN(Json response, Send(first));
      Json selected = AtPointer(response["body"], from);
      return Fetched{std::move(selected), std::move(response)};
    }
    const std::string_view type = p["type"].StringView();
    const int64_t max_pages = p["maxPages"].AsInt(kDefaultMaxPages);
    Fetched out{Json::MakeArray(), Json::Undefined()};
    PageRequest page = std::move(first);
    double number = p["start"].AsDouble(1);
    const double step = p["step"].AsDouble(1);
    const int64_t size = p["size"].AsInt(0);
    if (type == "page") {
      if (p["sizeParam"].IsString()) page.query.Set(p["sizeParam"].StringView(), Json(size));
    }
    std::string origin;
    std::string previous_cursor;
    for (int64_t n = 1;; ++n) {
      if (type == "page") page.query.Set(p["param"].StringView(), Json(number));
      FLOWKIT_ASSIGN_OR_RETURN(Json response, Send(page));
      const size_t count = AppendPageItems(AtPointer(response["body"], from), &out.selected);
      bool more = false;
      if (type == "page") {
        more = count > 0 && (size == 0 || static_cast<int64_t>(count) >= size);
        number += step;
      } else if (type == "cursor") {
        const Json& next = AtPointer(response["body"], p["from"].StringView());
        const std::string text = next.IsNullish() || (next.IsBool() && !next.AsBool()) ? "" : ValueText(next);
        // A cursor that does not move would fetch the same page again.
        more = !text.empty() && text != previous_cursor;
        previous_cursor = text;
        page.query.Set(p["param"].StringView(), next);
      } else {
        const std::string here = response["request"]["uri"].AsString();
        if (origin.empty()) origin = OriginOf(here);
        const Json& header = response["headers"]["link"];
        const std::string next = header.IsString() ? NextLink(header.StringView()) : "";
        if (!next.empty()) {
          page.url = ResolveUrl(here, next);
          if (OriginOf(page.url) != origin) {
            return Status::PermissionDenied("pagination: the next-page link " + page.url +
                                            " leaves the origin of the first request (" + origin + ")");
          }
          more = true;
        }
      }
      if (out.response.IsUndefined()) out.response = std::move(response);
      if (!more) break;
      if (n >= max_pages) {
        ctx_.Log(Json::MakeObject({{"message", Json("pagination stopped after maxPages (" + std::to_string(max_pages) +
                                                    ") pages; the rest was not read")}}),
                 LogLevel::kWarning);
        break;
      }
    }
    return out;
  }

 private:
  Result<Json> Send(const PageRequest& page) {
    using components::http::ResponseEncoding;
    FLOWKIT_ASSIGN_OR_RETURN(HttpRequest request, BuildRequest(c_, data_, page));
    Result<Json> response = components::http::SendRequest(ctx_.http(), std::move(request), ResponseEncoding::kUtf8);
    if (!response.ok() && response.status().http_status() == 401 && c_.manifest->auth.has_value() && !refreshed_) {
      // The token may have expired: refresh once and try again with the new secrets.
      refreshed_ = true;
      FLOWKIT_ASSIGN_OR_RETURN(Json fresh, ctx_.RefreshAuth());
      data_.Set("auth", std::move(fresh));
      FLOWKIT_ASSIGN_OR_RETURN(HttpRequest again, BuildRequest(c_, data_, page));
      response = components::http::SendRequest(ctx_.http(), std::move(again), ResponseEncoding::kUtf8);
    }
    return response;
  }

  Context& ctx_;
  const Connector& c_;
  Json& data_;
  bool refreshed_ = false;
};

// Sends `selected` (one value, or with `each` every element of an array) to the output port,
// through `output.map` when there is one.
Status SendOutput(Context& ctx, const Connector& c, Json data, const Json& selected, bool each, const Json& response) {
  const std::string port = c.output["port"].AsString();
  data.Set("response", Json::MakeObject({{"body", response["body"]},
                                         {"headers", response["headers"]},
                                         {"statusCode", response["statusCode"]}}));
  const Json& map = c.output["map"];
  auto send = [&](const Json& item) -> Status {
    if (map.IsUndefined()) return ctx.Send(port, item);
    data.Set("item", item);
    Json message = Evaluate(map, data);
    return ctx.Send(port, message.IsUndefined() ? Json::MakeObject() : std::move(message));
  };
  if (each) {
    if (selected.IsNullish()) return Status::OK();
    if (!selected.IsArray()) return send(selected);
    for (const Json& item : selected.array()) FLOWKIT_RETURN_IF_ERROR(send(item));
    return Status::OK();
  }
  if (selected.IsUndefined() || (selected.IsString() && selected.StringView().empty())) return send(Json::MakeObject());
  return send(selected);
}

class DeclarativeBehaviour final : public Behaviour {
 public:
  explicit DeclarativeBehaviour(std::shared_ptr<const Connector> connector) : c_(std::move(connector)) {}

  Status Receive(Context& ctx) override {
    for (const PortSpec& port : c_->manifest->in_ports) {
      for (const Message& message : ctx.Inputs(port.name)) FLOWKIT_RETURN_IF_ERROR(Handle(ctx, message.Content()));
    }
    return Status::OK();
  }

 private:
  Status Handle(Context& ctx, const Json& input) {
    Json data = Json::MakeObject({{"input", input},
                                  {"properties", ctx.properties()},
                                  {"auth", ctx.auth()},
                                  {"config", ctx.config()}});
    FLOWKIT_ASSIGN_OR_RETURN(Fetched fetched, Fetcher(ctx, *c_, &data).Fetch({}));
    if (!c_->output.IsObject()) return Status::OK();
    return SendOutput(ctx, *c_, std::move(data), fetched.selected, c_->output["each"].AsBool(), fetched.response);
  }

  std::shared_ptr<const Connector> c_;
};

// -1, 0, 1 for two numbers or two strings; nullopt for values that do not compare.
std::optional<int> CompareCursors(const Json& a, const Json& b) {
  if (a.IsNumber() && b.IsNumber()) {
    double x = a.AsDouble();
    double y = b.AsDouble();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.IsString() && b.IsString()) {
    int r = a.StringView().compare(b.StringView());
    return r < 0 ? -1 : (r > 0 ? 1 : 0);
  }
  return std::nullopt;
}

// A polling trigger. Its component state, under "trigger": {polled: true once the baseline is
// taken, cursor: the largest cursor value seen, seen: the remembered keys, newest first}. It is
// written only when a poll succeeded, so a failed poll neither loses nor repeats items.
class TriggerBehaviour final : public Behaviour {
 public:
  explicit TriggerBehaviour(std::shared_ptr<const Connector> connector) : c_(std::move(connector)) {}

  Status Tick(Context& ctx) override {
    const Json& t = c_->trigger;
    const Json& key_pointer = t["key"];
    const Json& cursor_spec = t["cursor"];
    FLOWKIT_ASSIGN_OR_RETURN(Json memory, ctx.state().Get("trigger"));
    if (!memory.IsObject()) memory = Json::MakeObject();
    const Json cursor = memory["cursor"];
    const bool baseline = !memory["polled"].AsBool();

    Json state_root = Json::MakeObject();
    if (!cursor.IsUndefined()) state_root.Set("cursor", cursor);
    Json data = Json::MakeObject({{"properties", ctx.properties()},
                                  {"auth", ctx.auth()},
                                  {"config", ctx.config()},
                                  {"state", std::move(state_root)}});
    PageRequest first;
    if (cursor_spec["param"].IsString() && !cursor.IsNullish()) first.query.Set(cursor_spec["param"].StringView(), cursor);
    FLOWKIT_ASSIGN_OR_RETURN(Fetched fetched, Fetcher(ctx, *c_, &data).Fetch(std::move(first)));
    Json items = Json::MakeArray();
    AppendPageItems(fetched.selected, &items);

    std::unordered_set<std::string> seen;
    for (const Json& k : memory["seen"].array()) seen.insert(k.AsString());
    std::vector<std::string> keys_now;  // this poll's keys, in order, once each
    std::unordered_set<std::string> keys_now_set;
    Json largest = cursor;
    Json fresh = Json::MakeArray();
    for (const Json& item : items.array()) {
      bool is_new = true;
      if (!cursor_spec.IsUndefined()) {
        const Json& value = AtPointer(item, cursor_spec["from"].StringView());
        // kBefore/kAfter only for values that compare with the stored cursor.
        enum class Order { kBefore, kSame, kAfter, kUnknown } order = Order::kUnknown;
        if (!value.IsNullish() && !cursor.IsNullish()) {
          if (std::optional<int> r = CompareCursors(value, cursor)) order = *r < 0 ? Order::kBefore : (*r > 0 ? Order::kAfter : Order::kSame);
        }
        if (key_pointer.IsUndefined()) {
          // Without keys an item is new only when its value is past the cursor.
          is_new = !value.IsNullish() && (cursor.IsNullish() || order == Order::kAfter);
        } else {
          // With keys the key decides; the cursor only keeps out items older than it.
          is_new = order != Order::kBefore;
        }
        if (!value.IsNullish() && (largest.IsNullish() || CompareCursors(value, largest).value_or(-1) > 0)) largest = value;
      }
      if (!key_pointer.IsUndefined()) {
        const Json& key = AtPointer(item, key_pointer.StringView());
        if (key.IsNullish()) continue;  // nothing to remember it by
        std::string text = ValueText(key);
        if (!keys_now_set.insert(text).second) continue;  // twice in one poll (pages that moved)
        keys_now.push_back(text);
        is_new = is_new && seen.count(text) == 0;
      }
      if (is_new) fresh.Push(item);
    }

    if ((!baseline || t["emitInitial"].AsBool()) && !fresh.empty()) {
      const bool each = c_->output["each"].AsBool(true);
      FLOWKIT_RETURN_IF_ERROR(SendOutput(ctx, *c_, std::move(data), fresh, each, fetched.response));
    }

    Json remembered = Json::MakeArray();
    for (const std::string& k : keys_now) {
      if (remembered.size() == kMaxRememberedKeys) break;
      remembered.Push(Json(k));
    }
    for (const Json& k : memory["seen"].array()) {
      if (remembered.size() == kMaxRememberedKeys) break;
      if (keys_now_set.count(k.AsString()) == 0) remembered.Push(k);
    }
    Json next = Json::MakeObject({{"polled", Json(true)}});
    if (!largest.IsUndefined()) next.Set("cursor", largest);
    if (!key_pointer.IsUndefined()) next.Set("seen", std::move(remembered));
    return ctx.state().Set("trigger", std::move(next));
  }

 private:
  std::shared_ptr<const Connector> c_;
};

Result<std::string> ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path.string() + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Result<Connector> ParseConnector(const Json& doc, const std::string& file) {
  std::string prefix = file.empty() ? "" : file + ": ";
  if (!doc.IsObject()) return Status::InvalidArgument(prefix + "a connector must be a JSON object");
  Diagnostics d;
  static constexpr std::array<std::string_view, 5> kKeys = {"manifest", "request", "output", "pagination", "trigger"};
  CheckKnownKeys(doc, "", kKeys, "connector", &d);
  const bool trigger = !doc["trigger"].IsUndefined();
  Diagnostics manifest_problems;
  Result<Manifest> manifest = Manifest::FromJson(doc["manifest"], &manifest_problems);
  for (const Diagnostic& problem : manifest_problems.items()) {
    d.Add({problem.severity, "/manifest" + problem.pointer, problem.message});
  }
  if (!manifest.ok() && !manifest_problems.has_errors()) d.Error("/manifest", manifest.status().message());
  if (trigger) {
    CheckTrigger(doc["trigger"], &d);
    if (manifest.ok() && !manifest->in_ports.empty()) {
      d.Error("/manifest/inPorts", "a polling trigger has no in-ports (it sends its request on every tick)");
    }
    if (manifest.ok() && !manifest->tick) {
      d.Error("/manifest/tick", "a polling trigger needs \"tick\": true (the engine calls it every tick interval)");
    }
    if (doc["output"].IsUndefined()) d.Error("/output", "a polling trigger needs an output {port, from?, ...} for its new items");
  } else if (manifest.ok() && manifest->in_ports.empty()) {
    d.Error("/manifest/inPorts",
            "a declarative connector needs an in-port (an action: one request per message) or a \"trigger\" section "
            "and \"tick\": true (a polling trigger)");
  }
  CheckRequest(doc["request"], trigger ? Roots(kTriggerRequestRoots) : Roots(kRequestRoots), &d);
  CheckOutput(doc["output"], manifest.ok() ? &*manifest : nullptr,
              trigger ? Roots(kTriggerOutputRoots) : Roots(kOutputRoots), &d);
  CheckPagination(doc["pagination"], &d);
  if (Status s = d.ToStatus(); !s.ok()) return Status::InvalidArgument(prefix + s.message());
  Connector c;
  c.manifest = std::make_shared<const Manifest>(std::move(*manifest));
  c.request = doc["request"];
  c.output = doc["output"];
  c.pagination = doc["pagination"];
  c.trigger = doc["trigger"];
  c.file = file;
  return c;
}

Result<ConnectorSet> LoadConnectors(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::NotFound(dir + ": not a directory");
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path());
  }
  if (ec) return Status::IOError(dir + ": " + ec.message());
  std::sort(files.begin(), files.end());

  ConnectorSet set;
  std::map<std::string, std::string, std::less<>> component_files;
  std::map<std::string, std::string, std::less<>> service_files;
  for (const fs::path& path : files) {
    const std::string file = path.string();
    FLOWKIT_ASSIGN_OR_RETURN(std::string text, ReadText(path));
    Result<Json> doc = Json::Parse(text);
    if (!doc.ok()) return Status::InvalidArgument(file + ": " + doc.status().message());
    if (doc->Contains("manifest")) {
      FLOWKIT_ASSIGN_OR_RETURN(Connector c, ParseConnector(*doc, file));
      auto [it, fresh] = component_files.emplace(c.manifest->name, file);
      if (!fresh) {
        return Status::InvalidArgument(file + ": /manifest/name: component '" + c.manifest->name +
                                       "' is also defined in " + it->second);
      }
      set.components.push_back(std::move(c));
    } else if (doc->Contains("service") && doc->Contains("type")) {
      Result<ServiceAuth> auth = ServiceAuth::FromJson(*doc);
      if (!auth.ok()) return Status::InvalidArgument(file + ": " + auth.status().message());
      auto [it, fresh] = service_files.emplace(auth->service, file);
      if (!fresh) {
        return Status::InvalidArgument(file + ": /service: service '" + auth->service + "' is also defined in " + it->second);
      }
      set.auth.push_back(std::move(*auth));
    } else {
      return Status::InvalidArgument(file + ": neither a connector ({\"manifest\", \"request\", \"output\"}) nor a "
                                            "service definition ({\"service\", \"type\", \"definition\"})");
    }
  }
  std::sort(set.components.begin(), set.components.end(),
            [](const Connector& a, const Connector& b) { return a.manifest->name < b.manifest->name; });
  return set;
}

Status RegisterConnectors(const ConnectorSet& connectors, ComponentRegistry& registry) {
  for (const Connector& c : connectors.components) {
    const ComponentType* known = registry.Find(c.manifest->name);
    if (known != nullptr && known->runnable()) {
      return Status::AlreadyExists((c.file.empty() ? "" : c.file + ": ") + "component type '" + c.manifest->name +
                                   "' is already registered");
    }
  }
  for (const Connector& c : connectors.components) {
    auto shared = std::make_shared<const Connector>(c);
    const bool trigger = c.trigger.IsObject();
    BehaviourFactory factory = [shared, trigger]() -> std::unique_ptr<Behaviour> {
      if (trigger) return std::make_unique<TriggerBehaviour>(shared);
      return std::make_unique<DeclarativeBehaviour>(shared);
    };
    // A trigger's ticks come one at a time and read-modify-write its state: not concurrent.
    FLOWKIT_RETURN_IF_ERROR(registry.Register(*c.manifest, std::move(factory), ComponentOptions{.concurrent = !trigger},
                                               /*replace=*/true));
  }
  return Status::OK();
}

Status RegisterConnectorAuth(const ConnectorSet& connectors, AuthRegistry& registry) {
  for (const ServiceAuth& auth : connectors.auth) {
    if (registry.Find(auth.service) != nullptr) {
      return Status::AlreadyExists("service '" + auth.service + "' already has an auth definition");
    }
  }
  for (const ServiceAuth& auth : connectors.auth) FLOWKIT_RETURN_IF_ERROR(registry.Register(auth));
  return Status::OK();
}

}  // namespace flowkit
