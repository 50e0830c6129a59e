#include <algorithm>
#include <cmath>
#include <utility>

#include "flowkit/clock.h"
#include "flowkit/modifier.h"
#include "transform/modifiers_internal.h"
#include "util/js.h"

namespace flowkit {
namespace modifiers {

ModifierArgument Arg(std::string name, std::string type) {
  ModifierArgument arg;
  arg.name = std::move(name);
  arg.type = std::move(type);
  return arg;
}

ModifierArgument HashArg(std::string name, std::string type) {
  ModifierArgument arg = Arg(std::move(name), std::move(type));
  arg.is_hash = true;
  return arg;
}

ModifierInfo Info(std::string name, std::string label, std::vector<std::string> categories,
                  std::string description, std::vector<ModifierArgument> arguments,
                  std::string returns) {
  ModifierInfo info;
  info.name = std::move(name);
  info.label = std::move(label);
  info.categories = std::move(categories);
  info.description = std::move(description);
  info.arguments = std::move(arguments);
  info.returns = std::move(returns);
  return info;
}

ModifierInfo Generator(ModifierInfo info) {
  info.uses_value = false;
  return info;
}

ModifierInfo Variadic(ModifierInfo info) {
  info.variable_arguments = true;
  return info;
}

Builtin Alias(const Builtin& target, std::string alias) {
  Builtin copy = target;
  copy.info.description = "Same as " + target.info.name + ". " + target.info.description;
  copy.info.name = std::move(alias);
  copy.info.is_private = true;
  return copy;
}

const Json& ParamAt(const ModifierCall& call, size_t i) {
  static const Json kUndefined = Json::Undefined();
  return i < call.params.size() ? call.params[i] : kUndefined;
}

const Json* HashAt(const ModifierCall& call, std::string_view key) {
  const Json* v = call.hash.Find(key);
  return (v == nullptr || v->IsUndefined()) ? nullptr : v;
}

const Json& HashOrParam(const ModifierCall& call, std::string_view key, size_t i) {
  if (const Json* v = HashAt(call, key)) return *v;
  return ParamAt(call, i);
}

Status Error(std::string_view modifier, std::string_view problem) {
  std::string msg(modifier);
  msg += ": ";
  msg += problem;
  return Status::InvalidArgument(std::move(msg));
}

std::string Describe(const Json& value) {
  std::string text = value.IsUndefined() ? "undefined" : value.Dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

Result<double> RequireNumber(std::string_view modifier, std::string_view what, const Json& value) {
  double d = js::ToNumber(value);
  if (std::isnan(d)) {
    return Error(modifier, std::string(what) + " must be a number, got " + Describe(value));
  }
  return d;
}

Result<std::optional<std::string>> TextInput(std::string_view modifier, const Json& value) {
  if (value.IsNullish()) return std::optional<std::string>();
  if (value.IsArray() || value.IsObject()) {
    return Error(modifier,
                 std::string("expects text, got ") + (value.IsArray() ? "an array" : "an object"));
  }
  return std::optional<std::string>(js::ToString(value));
}

bool BoolOption(const Json* value, bool fallback) {
  if (value == nullptr || value->IsNullish()) return fallback;
  if (value->IsString()) {
    std::string_view s = js::Trim(value->StringView());
    if (s.empty()) return fallback;
    if (s == "false" || s == "0" || s == "no") return false;
    return true;
  }
  return js::Truthy(*value);
}

int64_t NowMillis(const EvalEnv& env) {
  int64_t now = (env.clock ? env.clock : SystemClock())->NowMillis();
  return env.sent_ms > 0 ? std::max(now, env.sent_ms + 1) : now;
}

Result<int64_t> RequireDate(std::string_view modifier, const ModifierCall& call) {
  if (call.value.IsUndefined()) return NowMillis(call.env);
  auto ms = js::ParseDate(call.value);
  if (!ms) return Error(modifier, Describe(call.value) + " is not a date");
  return *ms;
}

}  // namespace modifiers

Status RegisterBuiltinModifiers(ModifierRegistry& registry) {
  using Table = std::vector<modifiers::Builtin> (*)();
  static constexpr Table kTables[] = {modifiers::TextModifiers, modifiers::NumberModifiers,
                                      modifiers::DateModifiers, modifiers::ListModifiers,
                                      modifiers::JsonModifiers, modifiers::ControlModifiers,
                                      modifiers::FlowModifiers};
  for (Table table : kTables) {
    for (auto& builtin : table()) {
      FLOWKIT_RETURN_IF_ERROR(registry.Register(std::move(builtin.info), std::move(builtin.fn)));
    }
  }
  return Status::OK();
}

}  // namespace flowkit
