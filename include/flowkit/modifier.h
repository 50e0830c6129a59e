// Modifiers: the `g_*` functions that a transform chains onto a variable's value.
//
// A ModifierRegistry is a table: name → metadata + function. The built-ins are added by one
// explicit call (RegisterBuiltinModifiers); hosts add their own the same way. Registration is
// not thread-safe; after set-up, lookups and calls may run on any number of threads.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit {

class Clock;
struct JavaScriptLimits;

// What a transform runs in: the flow and component it serves, and the clock. Borrowed pointers
// must outlive the evaluation.
struct EvalEnv {
  std::string_view flow_id;
  std::string_view flow_name;
  std::string_view user_id;
  std::string_view component_id;
  std::string_view webhook_url;           // of the component being fed; may be empty
  const Json* custom_fields = nullptr;    // the flow's customFields; null = {}
  const Clock* clock = nullptr;           // null = SystemClock()
  // When the message being transformed was sent (0: unknown). "Now" in a transform (g_now,
  // g_timestamp, a missing date) is never earlier than one millisecond after it, so a time
  // taken upstream always compares earlier than g_now even when the hop took under a
  // millisecond (at most 1 ms ahead of the clock).
  int64_t sent_ms = 0;
  const JavaScriptLimits* javascript = nullptr;  // g_javascript's limits; null = the defaults
};

// One call of a modifier function.
struct ModifierCall {
  const Json& value;              // the value so far (Undefined when the variable is missing)
  std::span<const Json> params;   // positional parameters, already evaluated
  const JsonObject& hash;         // named (hash) parameters, already evaluated
  const EvalEnv& env;
};

// A modifier returns the new value, or an error that fails the message (a validation error:
// not retried).
using ModifierFunction = std::function<Result<Json>(const ModifierCall& call)>;

struct ModifierArgument {
  std::string name;
  std::string type;      // "string" | "number" | "boolean" | "any" | ...
  bool is_hash = false;  // passed by name (hashParams) rather than by position
  bool optional = true;
};

struct ModifierInfo {
  std::string name;  // "g_uppercase"
  std::string label;
  std::vector<std::string> categories;  // "text", "number", "date", "list", "object", "control", "flow"
  std::string description;
  std::vector<ModifierArgument> arguments;
  std::string returns;            // result type name
  bool variable_arguments = false;  // any number of positional parameters
  bool is_private = false;
  // False when the function ignores its input (g_uuid4, g_now, flow variables), so it is valid
  // as the first function of a chain without a variable.
  bool uses_value = true;
};

class ModifierRegistry {
 public:
  struct Entry {
    ModifierInfo info;
    ModifierFunction fn;
  };

  ModifierRegistry();
  ~ModifierRegistry();
  ModifierRegistry(const ModifierRegistry&) = delete;
  ModifierRegistry& operator=(const ModifierRegistry&) = delete;

  // kAlreadyExists when the name is taken (unless `replace`), kInvalidArgument for a name that
  // does not start with "g_" or an empty function.
  Status Register(ModifierInfo info, ModifierFunction fn, bool replace = false);
  // nullptr when unknown.
  const Entry* Find(std::string_view name) const noexcept;
  std::vector<std::string> Names() const;  // sorted
  size_t size() const noexcept;

  // Metadata in the shape of Appmixer's GET /modifiers:
  // {"categories": {id: {label, index}}, "modifiers": {name: {label, category[], description,
  //  arguments[{name,type,isHash}], returns{type}, private, variableArguments}}}.
  Json Metadata() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Adds every built-in modifier (text, number, date, list, JSON, control, flow variables, and
// the g_* names used by Appmixer's own flows). Call once per registry.
Status RegisterBuiltinModifiers(ModifierRegistry& registry);

}  // namespace flowkit
