#include "components/http/http.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "components/builtin_registry.h"
#include "components/http/request_util.h"
#include "util/js.h"

namespace flowkit::components {
namespace http {
namespace {

// WebhookTrigger and the legacy Webhook: the request goes out on `out_port`; with
// immediateResponse (default true) it is answered at once with its own body.
class WebhookBehaviour : public Behaviour {
 public:
  explicit WebhookBehaviour(std::string_view out_port) : out_port_(out_port) {}

  Status Receive(Context& ctx) override {
    // Design time: the designer asks for the inspector, which shows this component's URL.
    if (js::Truthy(ctx.properties().Get("generateInspector")))
      return ctx.Send(out_port_, Inspector(ctx));
    if (const Message* request = ctx.Input(kWebhookPort)) {
      const Json& content = request->Content();
      Json out = Json::MakeObject({{"method", content.Get("method")},
                                   {"data", content.Get("data")},
                                   {"query", content.Get("query")},
                                   {"headers", content.Get("headers")}});
      FLOWKIT_RETURN_IF_ERROR(ctx.Send(out_port_, out));
      // Unset means the schema default (true); a set value counts by JavaScript truthiness.
      const Json& immediate = ctx.properties().Get("immediateResponse");
      if (immediate.IsUndefined() || js::Truthy(immediate)) {
        FLOWKIT_RETURN_IF_ERROR(ctx.Respond(content.Get("data")));
      }
      return Status::OK();
    }
    // The legacy component's `response` in-port answers the request of its run.
    if (const Message* response = ctx.Input("response")) return ctx.Respond(response->Content());
    return Status::OK();
  }

 private:
  static Json Inspector(const Context& ctx) {
    return Json::MakeObject(
        {{"inputs",
          Json::MakeObject({{"url", Json::MakeObject({{"label", "Webhook URL"},
                                                      {"type", "text"},
                                                      {"readonly", true},
                                                      {"index", 1},
                                                      {"defaultValue", ctx.WebhookUrl()}})},
                            {"immediateResponse", Json::MakeObject({{"type", "toggle"},
                                                                    {"label", "Immediate response"},
                                                                    {"index", 2},
                                                                    {"defaultValue", true}})}})}});
  }

  std::string_view out_port_;
};

// Response: {body, statusCode, headers}; headers and (for a JSON content type) body may be
// JSON text.
class ResponseBehaviour final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    const Message* in = ctx.Input("in");
    if (in == nullptr) return Status::OK();
    const Json& content = in->Content();
    Json headers = content.Get("headers");
    if (headers.IsString()) {
      if (headers.StringView().empty()) {
        headers = Json::MakeObject();
      } else {
        Result<Json> parsed = Json::Parse(headers.StringView());
        if (!parsed.ok() || !parsed->IsObject())
          return Status::Cancelled("Unable to parse headers");
        headers = std::move(*parsed);
      }
    } else if (!headers.IsObject()) {
      headers = Json::MakeObject();
    }
    Json body = content.Get("body");
    // Appmixer checks this exact key spelling.
    if (headers.Get("Content-type").StringView() == "application/json" && body.IsString()) {
      Result<Json> parsed = Json::Parse(body.StringView());
      if (!parsed.ok()) return Status::Cancelled("Unable to parse body");
      body = std::move(*parsed);
    }
    if (body.IsUndefined()) body = Json("");
    // The in-port schema has already made a numeric text ("201") a number.
    const Json& status = content.Get("statusCode");
    int code = status.IsNumber() ? static_cast<int>(status.AsDouble()) : 200;
    if (code < 100 || code > 599)
      return Status::Cancelled("statusCode must be between 100 and 599");
    return ctx.Respond(std::move(body), code, std::move(headers));
  }
};

// RFC 6901: "" is the whole document; "/a/0/~1b" walks members and array indices.
const Json* AtPointer(const Json& doc, std::string_view pointer) {
  const Json* at = &doc;
  if (pointer.empty()) return at;
  if (pointer.front() != '/') return nullptr;
  pointer.remove_prefix(1);
  for (;;) {
    size_t slash = pointer.find('/');
    std::string token;
    for (size_t i = 0; i < std::min(slash, pointer.size()); ++i) {
      if (pointer[i] == '~' && i + 1 < pointer.size() && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
        token += pointer[++i] == '0' ? '~' : '/';
      } else {
        token += pointer[i];
      }
    }
    if (at->IsObject()) {
      at = at->Find(token);
    } else if (at->IsArray() && !token.empty() && token.find_first_not_of("0123456789") == std::string::npos &&
               std::stoull(token) < at->size()) {
      at = &at->At(std::stoull(token));
    } else {
      return nullptr;
    }
    if (at == nullptr || slash == std::string_view::npos) return at;
    pointer.remove_prefix(slash + 1);
  }
}

// DynamicWebhook: registers its webhook URL with another service when the flow starts (the
// onStart request, whose answer is kept in state) and unregisters it when the flow stops (the
// onStop request, which may quote that answer: {$response.body#<json-pointer>},
// {$response.header.<name>}). Requests arrive as WebhookTrigger's do.
class DynamicWebhookBehaviour final : public WebhookBehaviour {
 public:
  DynamicWebhookBehaviour() : WebhookBehaviour("request") {}

  Status Start(Context& ctx) override {
    const Json& p = ctx.properties();
    if (js::ToString(p.Get("onStartUrl")).empty() || p.Get("onStartUrl").IsNullish()) return Status::OK();
    FLOWKIT_ASSIGN_OR_RETURN(Json response, Call(ctx, p.Get("onStartMethod"), js::ToString(p.Get("onStartUrl")),
                                                 p.Get("onStartHeaders"), p.Get("onStartBody"), "onStart"));
    return ctx.state().Set("response", Json::MakeObject({{"data", response.Get("body")},
                                                         {"headers", response.Get("headers")}}));
  }

  Status Stop(Context& ctx) override {
    const Json& p = ctx.properties();
    if (js::ToString(p.Get("onStopUrl")).empty() || p.Get("onStopUrl").IsNullish()) return Status::OK();
    FLOWKIT_ASSIGN_OR_RETURN(Json saved, ctx.state().Get("response"));
    auto fill = [&](const Json& value) -> Json {
      if (!value.IsString()) return value;
      return Json(Substitute(value.AsString(), saved));
    };
    Result<Json> done = Call(ctx, fill(p.Get("onStopMethod")), Substitute(js::ToString(p.Get("onStopUrl")), saved),
                             fill(p.Get("onStopHeaders")), fill(p.Get("onStopBody")), "onStop");
    return done.ok() ? Status::OK() : done.status();
  }

 private:
  // Replaces {$response.body#<pointer>} and {$response.header.<name>} with the onStart answer.
  static std::string Substitute(const std::string& text, const Json& saved) {
    std::string out;
    size_t at = 0;
    for (;;) {
      size_t open = text.find("{$response.", at);
      size_t close = open == std::string::npos ? std::string::npos : text.find('}', open);
      if (close == std::string::npos) {
        out += text.substr(at);
        return out;
      }
      out += text.substr(at, open - at);
      std::string_view ref(text.data() + open + 11, close - open - 11);
      const Json* value = nullptr;
      if (ref.starts_with("body#")) {
        value = AtPointer(saved.Get("data"), ref.substr(5));
      } else if (ref.starts_with("header.")) {
        std::string name(ref.substr(7));
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        value = saved.Get("headers").Find(name);
      }
      if (value != nullptr && !value->IsUndefined()) out += value->IsString() ? value->AsString() : value->Dump();
      at = close + 1;
    }
  }

  static Result<Json> Call(Context& ctx, const Json& method, std::string url, const Json& headers, const Json& body,
                           std::string_view which) {
    HttpRequest request;
    request.method = method.IsString() && !method.StringView().empty() ? method.AsString() : "POST";
    for (char& c : request.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    request.url = std::move(url);
    FLOWKIT_ASSIGN_OR_RETURN(request.headers, ParseHeaders(headers, /*cancel_on_error=*/false));
    Json payload = body;
    if (body.IsString()) {
      if (js::Trim(body.StringView()).empty()) {
        payload = Json::Undefined();
      } else if (Result<Json> parsed = Json::Parse(body.StringView()); parsed.ok()) {
        payload = std::move(*parsed);
      }
    }
    if (!payload.IsUndefined()) {
      request.body = payload.IsString() ? payload.AsString() : payload.Dump();
      if (FindHttpHeader(request.headers, "Content-Type") == nullptr) {
        request.headers.emplace_back("Content-Type", payload.IsString() ? "text/plain" : "application/json");
      }
    }
    Result<Json> out = SendRequest(ctx.http(), std::move(request), ResponseEncoding::kUtf8);
    if (!out.ok()) return out.status().WithPrefix(std::string(which) + " request");
    return out;
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewDynamicWebhook() { return std::make_unique<DynamicWebhookBehaviour>(); }

std::unique_ptr<Behaviour> NewWebhookTrigger() {
  return std::make_unique<WebhookBehaviour>("request");
}
std::unique_ptr<Behaviour> NewLegacyWebhook() {
  return std::make_unique<WebhookBehaviour>("trigger");
}
std::unique_ptr<Behaviour> NewResponse() { return std::make_unique<ResponseBehaviour>(); }

}  // namespace http

Status RegisterHttpComponents(ComponentRegistry& registry) {
  const std::array<BuiltinComponent, 10> table = {{
      {"appmixer.utils.http.WebhookTrigger", http::NewWebhookTrigger, {}},
      {"appmixer.utils.http.Webhook", http::NewLegacyWebhook, {}},
      {"appmixer.utils.http.Response", http::NewResponse, {}},
      {"appmixer.utils.http.Get", [] { return http::NewRequest("GET"); }, {.concurrent = true}},
      {"appmixer.utils.http.Post", [] { return http::NewRequest("POST"); }, {.concurrent = true}},
      {"appmixer.utils.http.Put", [] { return http::NewRequest("PUT"); }, {.concurrent = true}},
      {"appmixer.utils.http.Patch", [] { return http::NewRequest("PATCH"); }, {.concurrent = true}},
      {"appmixer.utils.http.Delete", [] { return http::NewRequest("DELETE"); }, {.concurrent = true}},
      {"appmixer.utils.http.Uptime", http::NewUptime, {}},
      {"appmixer.utils.http.DynamicWebhook", http::NewDynamicWebhook, {}},
  }};
  return RegisterBuiltinTable(registry, table);
}

}  // namespace flowkit::components
