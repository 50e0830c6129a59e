// OpenAPI 3 → declarative connectors (connectors/openapi.h).
#include "connectors/openapi.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <string_view>
#include <utility>

#include "flowkit/connectors.h"

namespace flowkit::connectors {
namespace {

constexpr std::array<std::string_view, 8> kMethods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};

// Letters, digits and '_' only (Appmixer's name parts are \w+).
std::string Word(std::string_view text) {
  std::string out;
  for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  return out;
}

// "list-pets by id" → "ListPetsById".
std::string Pascal(std::string_view text) {
  std::string out;
  bool upper = true;
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "Op" + out;
  return out;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

class Generator {
 public:
  Generator(const Json& spec, const OpenApiOptions& options) : spec_(spec), options_(options) {}

  Result<OpenApiConnectors> Run() {
    const Json& version = spec_["openapi"];
    if (!spec_.IsObject() || !version.IsString() || !version.StringView().starts_with("3.")) {
      return Status::InvalidArgument("/openapi: not an OpenAPI 3 document (expected \"openapi\": \"3.x\")");
    }
    FLOWKIT_RETURN_IF_ERROR(ReadBaseUrl());
    vendor_ = Word(options_.vendor);
    std::string title = Lower(Word(options_.service.empty() ? spec_["info"]["title"].AsString() : options_.service));
    // Collapse the '_' runs sanitising leaves ("Pet Store API" → "pet_store_api").
    for (char c : title) {
      if (c != '_' || (!service_.empty() && service_.back() != '_')) service_ += c;
    }
    while (!service_.empty() && service_.back() == '_') service_.pop_back();
    if (service_.empty()) service_ = "api";
    if (vendor_.empty()) return Status::InvalidArgument("--vendor must have letters or digits");
    FLOWKIT_RETURN_IF_ERROR(ReadSecurity());

    const Json& paths = spec_["paths"];
    if (!paths.IsObject()) return Status::InvalidArgument("/paths: must be an object of path items");
    for (const auto& path : paths.object()) {
      std::string path_ptr = JsonPointerAppend("/paths", path.key);
      FLOWKIT_ASSIGN_OR_RETURN(Json item, Resolve(path.value, path_ptr));
      for (const auto& member : item.object()) {
        if (std::find(kMethods.begin(), kMethods.end(), member.key) == kMethods.end()) continue;
        std::string op_ptr = JsonPointerAppend(path_ptr, member.key);
        Status s = Operation(path.key, member.key, item, member.value, op_ptr);
        if (s.code() == StatusCode::kNotSupported) {
          out_.warnings.push_back(op_ptr + ": left out: " + s.message());
        } else if (!s.ok()) {
          return s;
        }
      }
    }
    if (!service_auth_.IsUndefined()) out_.files.push_back({"auth.json", service_auth_});
    return std::move(out_);
  }

 private:
  Status ReadBaseUrl() {
    const Json& server = spec_["servers"][0];
    if (!server["url"].IsString()) return Status::InvalidArgument("/servers/0/url: a server URL is needed as the base of requests");
    std::string url = server["url"].AsString();
    // Server variables at their defaults: "https://{region}.api.acme.com" → "https://eu.api.acme.com".
    for (const auto& variable : server["variables"].object()) {
      std::string token = "{" + variable.key + "}";
      std::string value = variable.value["default"].AsString();
      for (size_t at = url.find(token); at != std::string::npos; at = url.find(token, at + value.size())) {
        url.replace(at, token.size(), value);
      }
    }
    if (!url.starts_with("http://") && !url.starts_with("https://")) {
      return Status::InvalidArgument("/servers/0/url: '" + url + "' is not an absolute http(s) URL");
    }
    while (url.ends_with("/")) url.pop_back();
    base_url_ = std::move(url);
    return Status::OK();
  }

  // Follows local $refs until a non-reference value.
  Result<Json> Resolve(const Json& node, const std::string& pointer) const {
    const Json* at = &node;
    std::string where = pointer;
    for (int hops = 0; at->IsObject() && at->Get("$ref").IsString(); ++hops) {
      std::string ref = at->Get("$ref").AsString();
      if (hops > 32) return Status::InvalidArgument(where + "/$ref: reference cycle at '" + ref + "'");
      const Json* target = Target(ref);
      if (target == nullptr) {
        return Status::InvalidArgument(where + "/$ref: '" + ref + "' is not a local reference (#/...) that exists");
      }
      at = target;
      where = ref.substr(1);
    }
    return *at;
  }

  const Json* Target(std::string_view ref) const {
    if (!ref.starts_with("#")) return nullptr;
    std::string_view pointer = ref.substr(1);
    const Json* at = &spec_;
    while (!pointer.empty()) {
      if (pointer[0] != '/') return nullptr;
      pointer.remove_prefix(1);
      size_t end = std::min(pointer.find('/'), pointer.size());
      std::string token;
      for (size_t i = 0; i < end; ++i) {
        if (pointer[i] == '~' && i + 1 < end) {
          token += pointer[++i] == '0' ? '~' : '/';
        } else {
          token += pointer[i];
        }
      }
      bool digits = !token.empty() && token.size() < 10 &&
                    std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
      at = at->IsArray() && digits
               ? &at->At(std::stoul(token))
               : &at->Get(token);
      if (at->IsUndefined()) return nullptr;
      pointer.remove_prefix(end);
    }
    return at;
  }

  // A schema with every local $ref inlined (a cycle becomes {}), made draft-04 friendly:
  // `nullable` joins "null" to the type; numeric exclusiveMinimum/Maximum (3.1) become the
  // draft-04 pair.
  Result<Json> Schema(const Json& node, const std::string& pointer, std::vector<std::string>* stack) const {
    if (node.IsObject() && node["$ref"].IsString()) {
      std::string ref = node["$ref"].AsString();
      if (std::find(stack->begin(), stack->end(), ref) != stack->end()) return Json::MakeObject();
      const Json* target = Target(ref);
      if (target == nullptr) {
        return Status::InvalidArgument(pointer + "/$ref: '" + ref + "' is not a local reference (#/...) that exists");
      }
      stack->push_back(ref);
      Result<Json> out = Schema(*target, ref.substr(1), stack);
      stack->pop_back();
      return out;
    }
    if (node.IsArray()) {
      Json out = Json::MakeArray();
      for (size_t i = 0; i < node.array().size(); ++i) {
        FLOWKIT_ASSIGN_OR_RETURN(Json item, Schema(node.array()[i], JsonPointerAppend(pointer, i), stack));
        out.Push(std::move(item));
      }
      return out;
    }
    if (!node.IsObject()) return node;
    Json out = Json::MakeObject();
    for (const auto& member : node.object()) {
      if (member.key == "nullable" || member.key == "example" || member.key == "examples" || member.key == "xml" ||
          member.key == "discriminator" || member.key == "externalDocs") {
        continue;
      }
      std::string member_ptr = JsonPointerAppend(pointer, member.key);
      if ((member.key == "properties" || member.key == "patternProperties" || member.key == "$defs" ||
           member.key == "definitions") && member.value.IsObject()) {
        // A map of names to schemas: its keys are names, never keywords to drop.
        Json map = Json::MakeObject();
        for (const auto& entry : member.value.object()) {
          FLOWKIT_ASSIGN_OR_RETURN(Json value, Schema(entry.value, JsonPointerAppend(member_ptr, entry.key), stack));
          map.MutableObject().Append(entry.key, std::move(value));
        }
        out.MutableObject().Append(member.key, std::move(map));
        continue;
      }
      FLOWKIT_ASSIGN_OR_RETURN(Json value, Schema(member.value, member_ptr, stack));
      out.MutableObject().Append(member.key, std::move(value));
    }
    if (node["nullable"].AsBool() && out["type"].IsString()) {
      out.Set("type", Json::MakeArray({out["type"], Json("null")}));
    }
    for (std::string_view bound : {"Minimum", "Maximum"}) {
      std::string key = "exclusive" + std::string(bound);
      if (out[key].IsNumber()) {
        std::string plain = Lower(std::string(bound));
        out.Set(plain, out[key]);
        out.Set(key, Json(true));
      }
    }
    return out;
  }

  Status ReadSecurity() {
    const Json& schemes = spec_["components"]["securitySchemes"];
    std::string name;
    if (spec_["security"][0].IsObject() && !spec_["security"][0].object().empty()) {
      name = spec_["security"][0].object().begin()->key;
    } else if (schemes.IsObject() && !schemes.object().empty()) {
      name = schemes.object().begin()->key;
    }
    if (name.empty()) return Status::OK();
    std::string pointer = JsonPointerAppend("/components/securitySchemes", name);
    if (!schemes.Contains(name)) return Status::InvalidArgument("/security/0: names security scheme '" + name + "', which " + pointer + " does not define");
    FLOWKIT_ASSIGN_OR_RETURN(Json scheme, Resolve(schemes[name], pointer));
    std::string service = vendor_ + ":" + service_;
    std::string type = scheme["type"].AsString();
    std::string tooltip = scheme["description"].AsString();
    auto field = [&](std::string_view label, std::string_view kind) {
      Json f = Json::MakeObject({{"type", Json(kind)}, {"name", Json(label)}});
      if (!tooltip.empty()) f.Set("tooltip", Json(tooltip));
      return f;
    };
    Json definition;
    std::string auth_type;
    if (type == "apiKey") {
      std::string in = scheme["in"].AsString();
      std::string header = scheme["name"].AsString();
      if (header.empty() || (in != "header" && in != "query" && in != "cookie")) {
        return Status::InvalidArgument(pointer + ": an apiKey scheme needs a name and in: header, query or cookie");
      }
      auth_type = "apiKey";
      definition = Json::MakeObject({{"auth", Json::MakeObject({{"apiKey", field("API key", "password")}})}});
      if (in == "header") placement_.headers.Set(header, Json("{{auth.apiKey}}"));
      if (in == "query") placement_.query.Set(header, Json("{{auth.apiKey}}"));
      if (in == "cookie") placement_.headers.Set("Cookie", Json(header + "={{auth.apiKey}}"));
    } else if (type == "http" && Lower(scheme["scheme"].AsString()) == "bearer") {
      auth_type = "apiKey";
      definition = Json::MakeObject({{"auth", Json::MakeObject({{"token", field("Token", "password")}})}});
      placement_.headers.Set("Authorization", Json("Bearer {{auth.token}}"));
    } else if (type == "http" && Lower(scheme["scheme"].AsString()) == "basic") {
      auth_type = "pwd";
      definition = Json::MakeObject({{"auth", Json::MakeObject({{"username", field("Username", "text")},
                                                                {"password", field("Password", "password")}})}});
      placement_.basic = true;
    } else if (type == "oauth2" && scheme["flows"]["authorizationCode"].IsObject()) {
      const Json& flow = scheme["flows"]["authorizationCode"];
      if (!flow["authorizationUrl"].IsString() || !flow["tokenUrl"].IsString()) {
        return Status::InvalidArgument(pointer + "/flows/authorizationCode: needs authorizationUrl and tokenUrl");
      }
      auth_type = "oauth2";
      Json scope = Json::MakeArray();
      for (const auto& s : flow["scopes"].object()) scope.Push(Json(s.key));
      definition = Json::MakeObject({{"authUrl", flow["authorizationUrl"]},
                                     {"requestAccessToken", flow["tokenUrl"]},
                                     {"refreshAccessToken", flow["refreshUrl"].IsString() ? flow["refreshUrl"] : flow["tokenUrl"]},
                                     {"scope", std::move(scope)},
                                     {"scopeDelimiter", Json(" ")}});
      placement_.headers.Set("Authorization", Json("Bearer {{auth.accessToken}}"));
    } else {
      out_.warnings.push_back(pointer + ": security scheme type '" + type + (type == "http" ? " " + scheme["scheme"].AsString() : "") +
                              "' is not supported (apiKey, http bearer/basic, oauth2 authorizationCode are); "
                              "connectors are generated without auth");
      return Status::OK();
    }
    scheme_name_ = name;
    service_auth_ = Json::MakeObject({{"service", Json(service)}, {"type", Json(auth_type)}, {"definition", std::move(definition)}});
    if (Result<ServiceAuth> checked = ServiceAuth::FromJson(service_auth_); !checked.ok()) {
      return Status::InvalidArgument(pointer + ": " + checked.status().message());
    }
    return Status::OK();
  }

  // An input key for `name` unused so far (letters, digits, '_' and '-': template paths split on '.').
  std::string InputKey(std::string_view name, std::set<std::string>* used, std::string_view prefix = "") {
    std::string key;
    for (char c : name) key += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ? c : '_';
    if (key.empty()) key = "value";
    if (used->count(key) > 0) key = std::string(prefix) + key;
    std::string base = key;
    for (int n = 2; used->count(key) > 0; ++n) key = base + "_" + std::to_string(n);
    used->insert(key);
    return key;
  }

  static Json InspectorField(const Json& schema, std::string_view label, const std::string& tooltip, int index) {
    std::string type = schema["type"].IsString() ? schema["type"].AsString() : schema["type"][0].AsString();
    Json field = Json::MakeObject({{"type", Json("text")}, {"index", Json(index)}, {"label", Json(label)}});
    if (schema["enum"].IsArray()) {
      field.Set("type", Json("select"));
      Json options = Json::MakeArray();
      for (const Json& value : schema["enum"].array()) {
        options.Push(Json::MakeObject({{"label", Json(value.IsString() ? value.AsString() : value.Dump())}, {"value", value}}));
      }
      field.Set("options", std::move(options));
    } else if (type == "integer" || type == "number") {
      field.Set("type", Json("number"));
    } else if (type == "boolean") {
      field.Set("type", Json("toggle"));
    } else if (type == "object" || type == "array") {
      field.Set("type", Json("textarea"));
    }
    if (!tooltip.empty()) field.Set("tooltip", Json(tooltip));
    return field;
  }

  Status Operation(const std::string& path, const std::string& method, const Json& item, const Json& op_node,
                   const std::string& op_ptr) {
    FLOWKIT_ASSIGN_OR_RETURN(Json op, Resolve(op_node, op_ptr));
    // Name.
    std::string name = op["operationId"].IsString() ? Pascal(op["operationId"].StringView()) : Pascal(method + " " + path);
    std::string unique = name;
    for (int n = 2; names_.count(unique) > 0; ++n) unique = name + std::to_string(n);
    name = unique;

    // Parameters: the path item's, overridden by the operation's (same name and in).
    std::vector<std::pair<Json, std::string>> params;
    auto add_params = [&](const Json& list, const std::string& list_ptr) -> Status {
      for (size_t i = 0; i < list.array().size(); ++i) {
        std::string ptr = JsonPointerAppend(list_ptr, i);
        FLOWKIT_ASSIGN_OR_RETURN(Json p, Resolve(list.array()[i], ptr));
        if (!p["name"].IsString() || !p["in"].IsString()) return Status::InvalidArgument(ptr + ": a parameter needs name and in");
        auto same = std::find_if(params.begin(), params.end(), [&](const auto& q) {
          return q.first["name"] == p["name"] && q.first["in"] == p["in"];
        });
        if (same != params.end()) {
          *same = {std::move(p), ptr};
        } else {
          params.emplace_back(std::move(p), ptr);
        }
      }
      return Status::OK();
    };
    FLOWKIT_RETURN_IF_ERROR(add_params(item["parameters"], JsonPointerAppend(JsonPointerAppend("/paths", path), "parameters")));
    FLOWKIT_RETURN_IF_ERROR(add_params(op["parameters"], op_ptr + "/parameters"));

    // Auth: the service's scheme unless the operation opts out with `security: []`.
    bool authed = !service_auth_.IsUndefined() && !(op["security"].IsArray() && op["security"].empty());
    std::set<std::string> used;
    Json properties = Json::MakeObject();
    Json required = Json::MakeArray();
    Json inputs = Json::MakeObject();
    Json query = authed ? placement_.query : Json::MakeObject();
    Json headers = Json::MakeObject();
    std::string url = base_url_ + path;
    int index = 1;
    auto add_input = [&](const std::string& key, Json schema, const std::string& label, const std::string& tooltip, bool is_required) {
      if (!tooltip.empty() && schema.IsObject() && !schema.Contains("description")) schema.Set("description", Json(tooltip));
      inputs.Set(key, InspectorField(schema, label, tooltip, index++));
      properties.Set(key, std::move(schema));
      if (is_required) required.Push(Json(key));
    };
    for (auto& [p, ptr] : params) {
      std::string in = p["in"].AsString();
      std::string pname = p["name"].AsString();
      if (in == "cookie") {
        out_.warnings.push_back(ptr + ": cookie parameter '" + pname + "' left out");
        continue;
      }
      if (in != "path" && in != "query" && in != "header") return Status::InvalidArgument(ptr + "/in: unknown location '" + in + "'");
      // OpenAPI: header parameters named Accept, Content-Type or Authorization "SHALL be ignored"
      // (the media types and the security scheme say those).
      std::string lower = Lower(pname);
      if (in == "header" && (lower == "accept" || lower == "content-type" || lower == "authorization")) continue;
      std::vector<std::string> stack;
      Json raw_schema = p["schema"].IsUndefined() ? p["content"]["application/json"]["schema"] : p["schema"];
      FLOWKIT_ASSIGN_OR_RETURN(Json schema, Schema(raw_schema.IsUndefined() ? Json::MakeObject({{"type", Json("string")}}) : raw_schema,
                                                   ptr + "/schema", &stack));
      std::string key = InputKey(pname, &used);
      std::string placeholder = "{{input." + key + "}}";
      if (in == "path") {
        std::string token = "{" + pname + "}";
        size_t at = url.find(token, base_url_.size());
        if (at == std::string::npos) {
          out_.warnings.push_back(ptr + ": path parameter '" + pname + "' is not in the path " + path);
          continue;
        }
        url.replace(at, token.size(), placeholder);
      } else if (in == "query") {
        query.Set(pname, Json(placeholder));
      } else {
        headers.Set(pname, Json(placeholder));
      }
      add_input(key, std::move(schema), pname, p["description"].AsString(), in == "path" || p["required"].AsBool());
    }
    if (size_t open = url.find('{', base_url_.size()); open != std::string::npos && url.compare(open, 2, "{{") != 0) {
      return Status::NotSupported("path " + path + " has a template variable no parameter declares");
    }
    if (authed) {
      for (const auto& member : placement_.headers.object()) headers.Set(member.key, member.value);
    }

    // Request body.
    Json request = Json::MakeObject({{"method", Json(Upper(method))}, {"url", Json(url)}});
    if (!op["requestBody"].IsUndefined()) {
      FLOWKIT_ASSIGN_OR_RETURN(Json body, Resolve(op["requestBody"], op_ptr + "/requestBody"));
      // JSON first, then a form, else the first media type (sent as raw text).
      std::string media;
      int rank = 0;
      for (const auto& content : body["content"].object()) {
        std::string type = Lower(content.key.substr(0, content.key.find(';')));
        int r = IsJson(type) ? 3 : type == "application/x-www-form-urlencoded" ? 2 : 1;
        if (r > rank) {
          rank = r;
          media = content.key;
        }
      }
      if (!media.empty()) {
        std::string body_ptr = JsonPointerAppend(op_ptr + "/requestBody/content", media);
        std::vector<std::string> stack;
        FLOWKIT_ASSIGN_OR_RETURN(Json schema, Schema(body["content"][media]["schema"], body_ptr + "/schema", &stack));
        std::string type = Lower(media.substr(0, media.find(';')));
        bool structured = IsJson(type) || type == "application/x-www-form-urlencoded";
        bool body_required = body["required"].AsBool();
        if (structured && schema["properties"].IsObject() && !schema["properties"].empty()) {
          Json tmpl = Json::MakeObject();
          std::set<std::string> needed;
          for (const Json& r : schema["required"].array()) needed.insert(r.AsString());
          for (const auto& prop : schema["properties"].object()) {
            if (prop.value["readOnly"].AsBool()) continue;
            std::string key = InputKey(prop.key, &used, "body_");
            tmpl.Set(prop.key, Json("{{input." + key + "}}"));
            add_input(key, prop.value, prop.key, prop.value["description"].AsString(), body_required && needed.count(prop.key) > 0);
          }
          request.Set("body", std::move(tmpl));
        } else {
          std::string key = InputKey("body", &used, "request_");
          if (!structured && schema.IsUndefined()) schema = Json::MakeObject({{"type", Json("string")}});
          add_input(key, schema.IsUndefined() ? Json::MakeObject() : schema, "Body", body["description"].AsString(), body_required);
          request.Set("body", Json("{{input." + key + "}}"));
        }
        if (type == "application/x-www-form-urlencoded") {
          request.Set("bodyType", Json("form"));
        } else if (!IsJson(type)) {
          request.Set("bodyType", Json("raw"));
          headers.Set("Content-Type", Json(media));
        }
      }
    }
    if (!query.empty()) request.Set("query", std::move(query));

    if (authed && placement_.basic) {
      request.Set("basicAuth", Json::MakeObject({{"username", Json("{{auth.username}}")}, {"password", Json("{{auth.password}}")}}));
    }
    if (!headers.empty()) request.Set("headers", std::move(headers));

    // Output: the first 2xx response with a JSON schema.
    Json output = Json::MakeObject({{"port", Json("out")}});
    Json out_port = Json::MakeObject({{"name", Json("out")}});
    std::vector<std::string> codes;
    for (const auto& response : op["responses"].object()) {
      if (response.key.starts_with("2")) codes.push_back(response.key);
    }
    std::sort(codes.begin(), codes.end());
    for (const std::string& code : codes) {
      std::string ptr = JsonPointerAppend(op_ptr + "/responses", code);
      FLOWKIT_ASSIGN_OR_RETURN(Json response, Resolve(op["responses"][code], ptr));
      const Json* schema_node = nullptr;
      for (const auto& content : response["content"].object()) {
        if (IsJson(Lower(content.key.substr(0, content.key.find(';')))) && content.value["schema"].IsObject()) {
          schema_node = &content.value["schema"];
          ptr = JsonPointerAppend(JsonPointerAppend(ptr, "content"), content.key) + "/schema";
          break;
        }
      }
      if (schema_node == nullptr) continue;
      std::vector<std::string> stack;
      FLOWKIT_ASSIGN_OR_RETURN(Json schema, Schema(*schema_node, ptr, &stack));
      if (schema["type"] == Json("array")) {
        output.Set("each", Json(true));
        Json items = schema["items"];  // copied first: assigning a member of itself would read freed memory
        schema = std::move(items);
      }
      Json options = Json::MakeArray();
      for (const auto& prop : schema["properties"].object()) {
        Json option = Json::MakeObject({{"label", Json(prop.key)}, {"value", Json(prop.key)}});
        if (prop.value.IsObject()) option.Set("schema", prop.value);
        options.Push(std::move(option));
      }
      if (!options.empty()) out_port.Set("options", std::move(options));
      break;
    }

    Json in_port = Json::MakeObject({{"name", Json("in")},
                                     {"schema", Json::MakeObject({{"type", Json("object")}, {"properties", std::move(properties)}})},
                                     {"inspector", Json::MakeObject({{"inputs", std::move(inputs)}})}});
    if (!required.empty()) in_port.MutableObject().Find("schema")->Set("required", std::move(required));
    std::string label = op["summary"].IsString() ? op["summary"].AsString() : name;
    Json manifest = Json::MakeObject({{"name", Json(vendor_ + "." + service_ + "." + Word(options_.module) + "." + name)},
                                      {"label", Json(label)},
                                      {"description", op["description"].IsString() ? op["description"] : Json(label)}});
    if (authed) {
      Json auth = Json::MakeObject({{"service", service_auth_["service"]}});
      const Json& scopes = RequiredScopes(op);
      if (!scopes.IsUndefined()) auth.Set("scope", scopes);
      manifest.Set("auth", std::move(auth));
    }
    manifest.Set("inPorts", Json::MakeArray({std::move(in_port)}));
    manifest.Set("outPorts", Json::MakeArray({std::move(out_port)}));
    Json doc = Json::MakeObject({{"manifest", std::move(manifest)}, {"request", std::move(request)}, {"output", std::move(output)}});
    if (Result<Connector> checked = ParseConnector(doc); !checked.ok()) {
      return Status::NotSupported("the generated connector does not validate: " + checked.status().message());
    }
    names_.insert(name);
    out_.files.push_back({name + ".json", std::move(doc)});
    return Status::OK();
  }

  // The OAuth scopes the operation's (else the document's) requirement names for our scheme.
  const Json& RequiredScopes(const Json& op) const {
    const Json& security = op["security"].IsArray() ? op["security"] : spec_["security"];
    for (const Json& requirement : security.array()) {
      const Json& scopes = requirement[scheme_name_];
      if (scopes.IsArray() && !scopes.empty()) return scopes;
    }
    static const Json kNone = Json::Undefined();
    return kNone;
  }

  static bool IsJson(std::string_view type) { return type == "application/json" || type.ends_with("+json"); }
  static std::string Upper(std::string text) {
    for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
  }

  struct Placement {
    Json headers = Json::MakeObject();
    Json query = Json::MakeObject();
    bool basic = false;
  };

  const Json& spec_;
  const OpenApiOptions& options_;
  std::string base_url_;
  std::string vendor_;
  std::string service_;
  std::string scheme_name_;
  Json service_auth_ = Json::Undefined();
  Placement placement_;
  std::set<std::string> names_;
  OpenApiConnectors out_;
};

}  // namespace

Result<OpenApiConnectors> GenerateOpenApiConnectors(const Json& spec, const OpenApiOptions& options) {
  return Generator(spec, options).Run();
}

}  // namespace flowkit::connectors
