// Declarative connectors: loading their JSON and the one behaviour that runs them.
#include "flowkit/connectors.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>
#include <utility>

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

bool IsHttpToken(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+.^_`|~-").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

void CheckObjectOfTemplates(const Json& value, const std::string& pointer, Diagnostics* d) {
  if (value.IsUndefined()) return;
  if (!value.IsObject()) {
    d->Error(pointer, "must be an object of name → template");
    return;
  }
  CheckTemplate(value, pointer, kRequestRoots, d);
}

void CheckRequest(const Json& request, Diagnostics* d) {
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
    CheckTemplate(url, "/request/url", kRequestRoots, d);
    std::string_view text = url.StringView();
    if (!text.starts_with("http://") && !text.starts_with("https://") && !text.starts_with("{{")) {
      d->Error("/request/url", "must start with http:// or https://");
    }
  }
  CheckObjectOfTemplates(request["query"], "/request/query", d);
  CheckObjectOfTemplates(request["headers"], "/request/headers", d);
  const Json& basic = request["basicAuth"];
  if (!basic.IsUndefined()) {
    if (!basic.IsObject() || !basic["username"].IsString()) {
      d->Error("/request/basicAuth", "must be {\"username\": template, \"password\": template}");
    } else {
      CheckTemplate(basic, "/request/basicAuth", kRequestRoots, d);
    }
  }
  CheckTemplate(request["body"], "/request/body", kRequestRoots, d);
  const Json& body_type = request["bodyType"];
  if (!body_type.IsUndefined() &&
      !(body_type.IsString() && (body_type.StringView() == "json" || body_type.StringView() == "form" ||
                                 body_type.StringView() == "raw"))) {
    d->Error("/request/bodyType", "must be \"json\", \"form\" or \"raw\"");
  }
}

void CheckOutput(const Json& output, const Manifest* manifest, Diagnostics* d) {
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
  const Json& from = output["from"];
  if (!from.IsUndefined() && (!from.IsString() || (!from.StringView().empty() && from.StringView()[0] != '/'))) {
    d->Error("/output/from", "must be a JSON pointer into the response body (\"\" or starting with '/')");
  }
  if (!output["each"].IsUndefined() && !output["each"].IsBool()) d->Error("/output/each", "must be true or false");
  CheckTemplate(output["map"], "/output/map", kOutputRoots, d);
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

Result<HttpRequest> BuildRequest(const Connector& c, const Json& data) {
  const Json& t = c.request;
  HttpRequest request;
  request.method = t["method"].IsString() ? t["method"].AsString() : "GET";
  FLOWKIT_ASSIGN_OR_RETURN(request.url, connectors::EvaluateUrl(t["url"].StringView(), data));

  std::string query;
  Json params = Evaluate(t["query"], data);
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

Status SendOutput(Context& ctx, const Connector& c, Json data, const Json& response) {
  if (!c.output.IsObject()) return Status::OK();
  const std::string port = c.output["port"].AsString();
  const Json& selected = AtPointer(response["body"], c.output["from"].StringView());
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
  if (c.output["each"].AsBool()) {
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
    FLOWKIT_ASSIGN_OR_RETURN(HttpRequest request, BuildRequest(*c_, data));
    using components::http::ResponseEncoding;
    Result<Json> response = components::http::SendRequest(ctx.http(), std::move(request), ResponseEncoding::kUtf8);
    if (!response.ok() && response.status().http_status() == 401 && c_->manifest->auth.has_value()) {
      // The token may have expired: refresh once and try again with the new secrets.
      FLOWKIT_ASSIGN_OR_RETURN(Json fresh, ctx.RefreshAuth());
      data.Set("auth", std::move(fresh));
      FLOWKIT_ASSIGN_OR_RETURN(HttpRequest again, BuildRequest(*c_, data));
      response = components::http::SendRequest(ctx.http(), std::move(again), ResponseEncoding::kUtf8);
    }
    if (!response.ok()) return response.status();
    return SendOutput(ctx, *c_, std::move(data), *response);
  }

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
  for (const auto& member : doc.object()) {
    if (member.key != "manifest" && member.key != "request" && member.key != "output") {
      d.Error(JsonPointerAppend("", member.key), "unknown connector key (known: manifest, request, output)");
    }
  }
  Diagnostics manifest_problems;
  Result<Manifest> manifest = Manifest::FromJson(doc["manifest"], &manifest_problems);
  for (const Diagnostic& problem : manifest_problems.items()) {
    d.Add({problem.severity, "/manifest" + problem.pointer, problem.message});
  }
  if (!manifest.ok() && !manifest_problems.has_errors()) d.Error("/manifest", manifest.status().message());
  if (manifest.ok() && manifest->in_ports.empty()) {
    d.Error("/manifest/inPorts", "a declarative connector needs an in-port (it sends one request per message)");
  }
  CheckRequest(doc["request"], &d);
  CheckOutput(doc["output"], manifest.ok() ? &*manifest : nullptr, &d);
  if (Status s = d.ToStatus(); !s.ok()) return Status::InvalidArgument(prefix + s.message());
  Connector c;
  c.manifest = std::make_shared<const Manifest>(std::move(*manifest));
  c.request = doc["request"];
  c.output = doc["output"];
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
    BehaviourFactory factory = [shared] { return std::make_unique<DeclarativeBehaviour>(shared); };
    FLOWKIT_RETURN_IF_ERROR(registry.Register(*c.manifest, std::move(factory), ComponentOptions{.concurrent = true},
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
