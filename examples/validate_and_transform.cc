// A host program that embeds flowkit without the engine: it registers its own component types
// and a modifier of its own, validates an Appmixer flow, and runs one link's transform the way
// the engine will when a message crosses that link.
//
//   1. ComponentRegistry: two manifests in Appmixer's component.json format (vendor "acme").
//   2. ModifierRegistry: the built-in g_* modifiers plus the host's g_shout.
//   3. Flow::Parse: validates the flow; problems come back with JSON pointers.
//   4. The link order → mail: its compiled transform is evaluated against a scope holding what
//      the trigger sent, then coerced and validated against the in-port's JSON schema.
//   5. A broken flow, to show what the diagnostics look like.
//
// Exits 0 when every step did what it should, 1 otherwise.
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "flowkit/flowkit.h"

namespace {

constexpr std::string_view kNewOrderManifest = R"({
  "name": "acme.shop.orders.NewOrder",
  "label": "New order",
  "description": "Fires when a customer places an order.",
  "outPorts": [{
    "name": "order",
    "options": [
      { "label": "Customer name", "value": "customer.name" },
      { "label": "Customer e-mail", "value": "customer.email" },
      { "label": "Total", "value": "total" }
    ]
  }]
})";

constexpr std::string_view kSendReceiptManifest = R"({
  "name": "acme.shop.mail.SendReceipt",
  "label": "Send receipt",
  "description": "E-mails a receipt to the customer.",
  "inPorts": [{
    "name": "in",
    "schema": {
      "type": "object",
      "properties": {
        "to": { "type": "string" },
        "subject": { "type": "string" },
        "total": { "type": "number" }
      },
      "required": ["to", "subject"]
    }
  }],
  "outPorts": ["sent"]
})";

// The subject is the customer's name through g_uppercase (built in) and then g_shout (the host's);
// `to` and `total` are inline variables.
constexpr std::string_view kFlow = R"({
  "flowId": "receipt-flow",
  "name": "Receipt for every order",
  "flow": {
    "order": { "type": "acme.shop.orders.NewOrder", "label": "New order", "source": {} },
    "mail": {
      "type": "acme.shop.mail.SendReceipt",
      "label": "Send receipt",
      "source": { "in": { "order": ["order"] } },
      "config": { "transform": { "in": { "order": { "order": {
        "type": "json2new",
        "modifiers": { "subject": { "6f1c2a9e-0b7d-4c1e-9f3a-2d5e8b7c4a10": {
          "variable": "$.order.order.customer.name",
          "functions": [
            { "name": "g_uppercase" },
            { "name": "g_shout", "hashParams": { "mark": { "value": "!!" } } }
          ]
        } } },
        "lambda": {
          "to": "{{{$.order.order.customer.email}}}",
          "subject": "THANK YOU, {{{6f1c2a9e-0b7d-4c1e-9f3a-2d5e8b7c4a10}}}",
          "total": "{{{$.order.order.total}}}"
        }
      } } } } }
    }
  }
})";

// Two mistakes: a modifier nobody registered, and a link into a port SendReceipt does not have.
constexpr std::string_view kBrokenFlow = R"({
  "name": "Broken",
  "flow": {
    "order": { "type": "acme.shop.orders.NewOrder", "source": {} },
    "mail": {
      "type": "acme.shop.mail.SendReceipt",
      "source": { "in": { "order": ["order"] }, "cc": { "order": ["order"] } },
      "config": { "transform": { "in": { "order": { "order": {
        "type": "json2new",
        "modifiers": { "subject": { "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a": {
          "variable": "$.order.order.customer.name", "functions": [{ "name": "g_whisper" }]
        } } },
        "lambda": { "to": "x@example.com", "subject": "{{{0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a}}}" }
      } } } } }
    }
  }
})";

int Fail(const char* step, const flowkit::Status& status) {
  std::fprintf(stderr, "validate_and_transform: %s: %s\n", step, status.ToString().c_str());
  return 1;
}

void PrintDiagnostics(const flowkit::Diagnostics& diagnostics) {
  for (const flowkit::Diagnostic& d : diagnostics.items()) {
    const char* kind = d.severity == flowkit::Diagnostic::Severity::kError ? "error" : "warning";
    std::printf("  %s %s\n", kind, d.ToString().c_str());
  }
}

// g_shout: appends the `mark` hash parameter (default "!") to a string value.
flowkit::Status RegisterShout(flowkit::ModifierRegistry& modifiers) {
  flowkit::ModifierInfo info;
  info.name = "g_shout";
  info.label = "Shout";
  info.categories = {"text"};
  info.description = "Appends an exclamation mark (or the given mark) to the text.";
  info.arguments = {{.name = "mark", .type = "string", .is_hash = true, .optional = true}};
  info.returns = "string";
  return modifiers.Register(
      std::move(info), [](const flowkit::ModifierCall& call) -> flowkit::Result<flowkit::Json> {
        if (!call.value.IsString()) {
          return flowkit::Status::InvalidArgument("g_shout needs a string");
        }
        const flowkit::Json* mark = call.hash.Find("mark");
        std::string text = call.value.AsString();
        text += mark != nullptr ? mark->AsString("!") : "!";
        return flowkit::Json(std::move(text));
      });
}

}  // namespace

int main() {
  // 1. Component types.
  flowkit::ComponentRegistry components;
  for (std::string_view text : {kNewOrderManifest, kSendReceiptManifest}) {
    flowkit::Diagnostics diagnostics;
    flowkit::Result<flowkit::Manifest> manifest = flowkit::Manifest::Parse(text, &diagnostics);
    if (!manifest.ok()) {
      PrintDiagnostics(diagnostics);
      return Fail("manifest", manifest.status());
    }
    if (flowkit::Status s = components.Register(std::move(manifest).value()); !s.ok()) {
      return Fail("register component", s);
    }
  }
  std::printf("component types: %zu\n", components.size());

  // 2. Modifiers.
  flowkit::ModifierRegistry modifiers;
  if (flowkit::Status s = flowkit::RegisterBuiltinModifiers(modifiers); !s.ok()) {
    return Fail("built-in modifiers", s);
  }
  if (flowkit::Status s = RegisterShout(modifiers); !s.ok()) return Fail("register g_shout", s);
  std::printf("modifiers: %zu (built-ins + g_shout)\n", modifiers.size());

  // 3. Validate the flow.
  flowkit::Diagnostics diagnostics;
  flowkit::Result<std::shared_ptr<const flowkit::Flow>> parsed =
      flowkit::Flow::Parse(kFlow, components, modifiers, &diagnostics);
  if (!parsed.ok()) {
    PrintDiagnostics(diagnostics);
    return Fail("flow", parsed.status());
  }
  const flowkit::Flow& flow = **parsed;
  std::printf("flow '%s' is valid: %zu components, %zu links, %zu warnings\n", flow.name().c_str(),
              flow.nodes().size(), flow.links().size(), diagnostics.items().size());

  // 4. One message crosses order → mail.
  const flowkit::FlowNode* mail = flow.FindNode("mail");
  if (mail == nullptr || mail->inbound.size() != 1) {
    return Fail("flow", flowkit::Status::Internal("expected one link into 'mail'"));
  }
  const flowkit::FlowLink& link = flow.links()[mail->inbound.front()];

  flowkit::Result<flowkit::Json> sent = flowkit::Json::Parse(
      R"({"customer": {"name": "Ada Lovelace", "email": "ada@example.com"}, "total": 42.5})");
  if (!sent.ok()) return Fail("payload", sent.status());
  flowkit::Json scope = flowkit::Json::MakeObject(
      {{link.source_id, flowkit::Json::MakeObject({{link.source_port, *sent}})}});
  flowkit::JsonScopeView scope_view(scope);
  flowkit::EvalEnv env;  // what g_flowId, g_flowName, ... read; the clock defaults to the system's
  env.flow_id = flow.flow_id();
  env.flow_name = flow.name();
  env.user_id = flow.user_id();
  env.component_id = mail->id;

  flowkit::Result<flowkit::Json> content = link.transform.Evaluate(*sent, scope_view, env);
  if (!content.ok()) return Fail("transform", content.status());
  std::printf("%s.%s -> %s.%s transformed: %s\n", link.source_id.c_str(), link.source_port.c_str(),
              link.target_id.c_str(), link.target_port.c_str(), content->Dump().c_str());

  const flowkit::PortSpec* port = mail->manifest->FindInPort(link.target_port);
  if (port == nullptr || port->compiled_schema == nullptr) {
    return Fail("in-port", flowkit::Status::Internal("SendReceipt's in-port has no schema"));
  }
  if (flowkit::Status s = port->compiled_schema->CoerceAndValidate(&*content); !s.ok()) {
    return Fail("in-port schema", s);
  }
  std::printf("after the in-port schema: %s\n", content->Dump().c_str());

  const flowkit::Json expected = flowkit::Json::MakeObject(
      {{"to", "ada@example.com"}, {"subject", "THANK YOU, ADA LOVELACE!!"}, {"total", 42.5}});
  if (!(*content == expected)) {
    std::fprintf(stderr, "validate_and_transform: expected %s\n", expected.Dump().c_str());
    return 1;
  }

  // 5. A broken flow is rejected, and every problem names its place.
  flowkit::Diagnostics broken_diagnostics;
  flowkit::Result<std::shared_ptr<const flowkit::Flow>> broken =
      flowkit::Flow::Parse(kBrokenFlow, components, modifiers, &broken_diagnostics);
  std::printf("broken flow: %s\n", broken.ok() ? "accepted (unexpected)" : "rejected");
  PrintDiagnostics(broken_diagnostics);
  if (broken.ok() || broken_diagnostics.error_count() < 2) {
    std::fprintf(stderr, "validate_and_transform: the broken flow should have 2 errors\n");
    return 1;
  }
  return 0;
}
