// appmixer.utils.subflows.*: one flow calls another and continues with what it returns
// (appmixer-utils.md §2.6), natively: no plugin routes, no HTTP round trips.
//
//   caller: ... → CallFlow ─┐                          ┌─→ CallFlow's out → ...
//                           └─ TriggerComponent ─┐      │
//   callee:                 OnFlowCall → ... → FlowCallOutput ─ TriggerComponent (back)
//
// CallFlow starts the callee's run with a correlation id that names the caller (flow, component,
// run); every message of that run carries it, so FlowCallOutput knows where to send its fields:
// back to the CallFlow as a webhook call in the caller's own run. Both hand-offs are committed
// with the hop that makes them, so a crash neither loses nor doubles a call.
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "components/builtin_registry.h"
#include "flowkit/component.h"
#include "util/base64.h"

namespace flowkit::components {
namespace subflows {
namespace {

constexpr std::string_view kCallerPrefix = "subflow-";

struct Caller {
  std::string flow_id;
  std::string component_id;
  std::string correlation_id;
};

// The caller, as a correlation id: a prefix and the URL-safe base64 of {flowId, componentId,
// correlationId} (so it stays a plain token whatever the ids hold).
std::string EncodeCaller(const Context& ctx) {
  const std::string json = Json::MakeObject({{"flowId", ctx.flow_id()},
                                             {"componentId", ctx.component_id()},
                                             {"correlationId", ctx.correlation_id()}})
                               .Dump();
  return std::string(kCallerPrefix) + internal::Base64Encode(json, /*url=*/true);
}

std::optional<Caller> DecodeCaller(std::string_view correlation_id) {
  if (correlation_id.substr(0, kCallerPrefix.size()) != kCallerPrefix) return std::nullopt;
  std::optional<std::string> json = internal::Base64Decode(correlation_id.substr(kCallerPrefix.size()));
  if (!json) return std::nullopt;
  Result<Json> parsed = Json::Parse(*json);
  if (!parsed.ok() || !parsed->IsObject()) return std::nullopt;
  Caller caller{(*parsed)["flowId"].AsString(), (*parsed)["componentId"].AsString(),
                (*parsed)["correlationId"].AsString()};
  if (caller.flow_id.empty() || caller.component_id.empty()) return std::nullopt;
  return caller;
}

// [{name, value, ...}] → {name: value}; later names win, entries without a name are skipped.
Json FieldsToObject(const Json& fields) {
  Json out = Json::MakeObject();
  if (!fields.IsArray()) return out;
  for (const Json& field : fields.array()) {
    const Json& name = field["name"];
    if (!name.IsString() || name.StringView().empty()) continue;
    out.Set(name.StringView(), field["value"]);
  }
  return out;
}

class CallFlow final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    if (ctx.kind() == InvocationKind::kWebhook) {
      // The callee's FlowCallOutput answered: continue this run with its fields.
      const Json& data = ctx.Input(kWebhookPort)->Content()["data"];
      return ctx.Send("out", Json::MakeObject({{"output", FieldsToObject(data)}}));
    }
    const Json& in = ctx.Input("in")->Content();
    const Json& flow_id = in["flowId"];
    const Json& component_id = in["componentId"];
    if (!flow_id.IsString() || flow_id.StringView().empty() || !component_id.IsString() ||
        component_id.StringView().empty()) {
      return Status::InvalidArgument("Call Flow needs 'flowId' and 'componentId' (the called flow's 'On Flow Call')");
    }
    Json payload = Json::MakeObject();
    for (const JsonMember& member : in.object()) {
      if (member.key != "flowId" && member.key != "componentId") payload.Set(member.key, member.value);
    }
    return ctx.TriggerComponent(flow_id.StringView(), component_id.StringView(), std::move(payload),
                                EncodeCaller(ctx));
  }
};

class OnFlowCall final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    if (ctx.kind() != InvocationKind::kWebhook) return Status::OK();
    Json out = Json::MakeObject({{"input", ctx.Input(kWebhookPort)->Content()["data"]}});
    if (std::optional<Caller> caller = DecodeCaller(ctx.correlation_id())) out.Set("callerId", caller->flow_id);
    return ctx.Send("out", std::move(out));
  }
};

class FlowCallOutput final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    const Json& output = ctx.Input("in")->Content()["output"];
    // The inspector's expression gives {ADD: [{name, value, type}]}; a plain object is taken as
    // name → value.
    Json fields = Json::MakeArray();
    if (output["ADD"].IsArray()) {
      fields = output["ADD"];
    } else if (output.IsObject()) {
      for (const JsonMember& member : output.object()) {
        fields.Push(Json::MakeObject({{"name", member.key}, {"value", member.value}}));
      }
    }
    if (std::optional<Caller> caller = DecodeCaller(ctx.correlation_id())) {
      Status sent = ctx.TriggerComponent(caller->flow_id, caller->component_id, fields, caller->correlation_id);
      if (!sent.ok()) {
        // The caller stopped meanwhile: nobody waits for the answer; this flow goes on.
        ctx.Log(Json::MakeObject({{"message", "the calling flow did not take the output: " + sent.message()}}),
                LogLevel::kWarning);
      }
    }
    return ctx.Send("out", Json::MakeObject({{"output", FieldsToObject(fields)}}));
  }
};

}  // namespace
}  // namespace subflows

Status RegisterSubflowsComponents(ComponentRegistry& registry) {
  const std::array<BuiltinComponent, 3> table = {{
      {"appmixer.utils.subflows.CallFlow", [] { return std::make_unique<subflows::CallFlow>(); }, {}},
      {"appmixer.utils.subflows.OnFlowCall", [] { return std::make_unique<subflows::OnFlowCall>(); }, {}},
      {"appmixer.utils.subflows.FlowCallOutput", [] { return std::make_unique<subflows::FlowCallOutput>(); }, {}},
  }};
  return RegisterBuiltinTable(registry, table);
}

}  // namespace flowkit::components
