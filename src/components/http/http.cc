#include "components/http/http.h"

#include <array>

#include "components/builtin_registry.h"
#include "util/js.h"

namespace flowkit::components {
namespace http {
namespace {

// WebhookTrigger and the legacy Webhook: the request goes out on `out_port`; with
// immediateResponse (default true) it is answered at once with its own body.
class WebhookBehaviour final : public Behaviour {
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

}  // namespace

std::unique_ptr<Behaviour> NewWebhookTrigger() {
  return std::make_unique<WebhookBehaviour>("request");
}
std::unique_ptr<Behaviour> NewLegacyWebhook() {
  return std::make_unique<WebhookBehaviour>("trigger");
}
std::unique_ptr<Behaviour> NewResponse() { return std::make_unique<ResponseBehaviour>(); }

}  // namespace http

Status RegisterHttpComponents(ComponentRegistry& registry) {
  const std::array<BuiltinComponent, 9> table = {{
      {"appmixer.utils.http.WebhookTrigger", http::NewWebhookTrigger, {}},
      {"appmixer.utils.http.Webhook", http::NewLegacyWebhook, {}},
      {"appmixer.utils.http.Response", http::NewResponse, {}},
      {"appmixer.utils.http.Get", [] { return http::NewRequest("GET"); }, {.concurrent = true}},
      {"appmixer.utils.http.Post", [] { return http::NewRequest("POST"); }, {.concurrent = true}},
      {"appmixer.utils.http.Put", [] { return http::NewRequest("PUT"); }, {.concurrent = true}},
      {"appmixer.utils.http.Patch", [] { return http::NewRequest("PATCH"); }, {.concurrent = true}},
      {"appmixer.utils.http.Delete", [] { return http::NewRequest("DELETE"); }, {.concurrent = true}},
      {"appmixer.utils.http.Uptime", http::NewUptime, {}},
  }};
  return RegisterBuiltinTable(registry, table);
}

}  // namespace flowkit::components
