// Flow variables: modifiers that read the evaluation environment instead of their input, so
// they can start a chain without a variable.
#include <sodium.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <numbers>
#include <string>

#include "flowkit/javascript.h"
#include "transform/modifiers_internal.h"
#include "util/js.h"

namespace flowkit::modifiers {
namespace {

std::string NewUuid4() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no usable randomness source: nothing safe to do
  });
  unsigned char b[16];
  randombytes_buf(b, sizeof(b));
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof(out),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

ModifierFunction EnvText(std::string_view EvalEnv::*field) {
  return [field](const ModifierCall& call) -> Result<Json> {
    return Json(std::string(call.env.*field));
  };
}

Result<Json> CustomFields(const ModifierCall& call) {
  Json fields = call.env.custom_fields ? *call.env.custom_fields : Json::MakeObject();
  const Json& name = HashOrParam(call, "field", 0);
  if (name.IsNullish() || (name.IsString() && name.StringView().empty())) return fields;
  std::string key = js::ToString(name);
  // An exact key first (keys may contain dots), then a path.
  if (const Json* direct = fields.Find(key)) return *direct;
  auto got = GetPath(fields, key);
  if (!got.ok()) return Error("g_customFields", got.status().message());
  return got;
}

// g_javascript(code): the sandbox (flowkit/javascript.h) with the value as $data and value.
// Errors keep the sandbox's code (a time limit stays kDeadlineExceeded) and name the modifier.
Result<Json> JavaScript(const ModifierCall& call) {
  const Json& code = ParamAt(call, 0);
  if (!code.IsString()) return Error("g_javascript", "the code must be text, got " + Describe(code));
  const JavaScriptLimits limits = call.env.javascript ? *call.env.javascript : JavaScriptLimits{};
  Result<Json> result = EvalJavaScript(code.StringView(), call.value, limits);
  if (!result.ok()) return result.status().WithPrefix("g_javascript");
  return result;
}

}  // namespace

std::vector<Builtin> FlowModifiers() {
  const std::vector<std::string> kFlow = {"flow"};
  std::vector<Builtin> table = {
      {Generator(Info("g_flowId", "Flow ID", kFlow, "The ID of the running flow.", {}, "string")),
       EnvText(&EvalEnv::flow_id)},
      {Generator(
           Info("g_flowName", "Flow name", kFlow, "The name of the running flow.", {}, "string")),
       EnvText(&EvalEnv::flow_name)},
      {Generator(Info("g_userId", "User ID", kFlow, "The ID of the flow's owner.", {}, "string")),
       EnvText(&EvalEnv::user_id)},
      {Generator(Info("g_webhookUrl", "Webhook URL", kFlow,
                      "The webhook URL of the component being fed.", {}, "string")),
       EnvText(&EvalEnv::webhook_url)},
      {Generator(Info("g_customFields", "Custom fields", kFlow,
                      "The flow's custom fields, or one field when a name is given.",
                      {Arg("field", "string")}, "any")),
       CustomFields},
      {Generator(Info("g_uuid4", "UUID", {"flow", "text"}, "A new random UUID (version 4).", {},
                      "string")),
       [](const ModifierCall&) -> Result<Json> { return Json(NewUuid4()); }},
      {Generator(Info("g_pi", "Pi", {"flow", "number"}, "The number π.", {}, "number")),
       [](const ModifierCall&) -> Result<Json> { return Json(std::numbers::pi); }},
      {Generator(Info("g_random", "Random", {"flow", "number"},
                      "A random number from 0 (inclusive) to 1.", {}, "number")),
       [](const ModifierCall&) -> Result<Json> { return Json(RandomUnit()); }},
      {Info("g_javascript", "JavaScript", {"control"},
            "Run a JavaScript function body on the value (as $data and value); its return value "
            "is the result.",
            {Arg("code", "string")}, "any"),
       JavaScript},
  };
  return table;
}

}  // namespace flowkit::modifiers
