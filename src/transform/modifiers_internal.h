// Shared pieces of the built-in modifiers: the table entry type, builders for their metadata,
// and helpers for reading parameters. Each modifiers_<category>.cc returns its table.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/json.h"
#include "flowkit/modifier.h"
#include "flowkit/status.h"

namespace flowkit::modifiers {

struct Builtin {
  ModifierInfo info;
  ModifierFunction fn;
};

// Metadata builders (ModifierInfo has defaults, so designated initializers would warn).
ModifierArgument Arg(std::string name, std::string type);
ModifierArgument HashArg(std::string name, std::string type);
ModifierInfo Info(std::string name, std::string label, std::vector<std::string> categories,
                  std::string description, std::vector<ModifierArgument> arguments,
                  std::string returns);
// Marks a modifier that ignores its input (valid first in a chain without a variable).
ModifierInfo Generator(ModifierInfo info);
ModifierInfo Variadic(ModifierInfo info);
// An alternative name, hidden from the Modifier Editor list.
Builtin Alias(const Builtin& target, std::string alias);

// The i-th positional parameter, or Undefined.
const Json& ParamAt(const ModifierCall& call, size_t i);
// The named parameter, or nullptr when absent or undefined.
const Json* HashAt(const ModifierCall& call, std::string_view key);
// The named parameter if given, else the i-th positional one (inspector fields may be either).
const Json& HashOrParam(const ModifierCall& call, std::string_view key, size_t i);

// kInvalidArgument "<modifier>: <problem>".
Status Error(std::string_view modifier, std::string_view problem);
// A short, quoted rendering of a value for error messages.
std::string Describe(const Json& value);

// A number from a parameter or value (JavaScript Number(x)); an error naming `what` when it is
// not numeric.
Result<double> RequireNumber(std::string_view modifier, std::string_view what, const Json& value);
// The text a text modifier works on: strings as they are, numbers and booleans via String(x);
// nullopt for null/undefined (text modifiers pass those through); an error for arrays/objects.
Result<std::optional<std::string>> TextInput(std::string_view modifier, const Json& value);
// A boolean option: true/false, "true"/"false", 1/0; `fallback` when absent or "".
bool BoolOption(const Json* value, bool fallback);

// The evaluation clock's time.
int64_t NowMillis(const EvalEnv& env);
// A date value (ParseDate), with undefined meaning now as moment(undefined) does.
Result<int64_t> RequireDate(std::string_view modifier, const ModifierCall& call);

// Gets `path` inside `root`: dotted "a.b", JSONPath "$.a.b", "$[0].id", "a[0].b", "a['b.c']", and
// "*" / "[*]" wildcards (which collect an array). Numeric steps index arrays and object keys
// alike. Missing → Undefined; an unparsable path is an error.
Result<Json> GetPath(const Json& root, std::string_view path);

// A uniformly random double in [0, 1) from libsodium.
double RandomUnit();

std::vector<Builtin> TextModifiers();
std::vector<Builtin> NumberModifiers();
std::vector<Builtin> DateModifiers();
std::vector<Builtin> ListModifiers();
std::vector<Builtin> JsonModifiers();
std::vector<Builtin> ControlModifiers();
std::vector<Builtin> FlowModifiers();

}  // namespace flowkit::modifiers
