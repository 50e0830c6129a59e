// Transforms: how one component's output becomes the next component's input.
//
// A flow link carries a `json2new` transform `{type, lambda, modifiers}`; CompiledTransform
// compiles it once (placeholders, variable paths, modifier chains) and evaluates it per message
// against the message's scope. PortSchema then coerces the result to the in-port's JSON schema
// and validates it.
//
// Threading: compiled objects are immutable; Evaluate / CoerceAndValidate may run concurrently
// on any threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/diagnostics.h"
#include "flowkit/json.h"
#include "flowkit/modifier.h"
#include "flowkit/status.h"

namespace flowkit {

// The outputs of earlier components in one run, by component id and out-port.
class ScopeView {
 public:
  virtual ~ScopeView() = default;
  // The payload component `component_id` sent on `port` in this run, or nullptr.
  virtual const Json* Find(std::string_view component_id, std::string_view port) const = 0;
};

// A ScopeView over a Json object {componentId: {port: payload}} (tests, tools, dead letters).
class JsonScopeView final : public ScopeView {
 public:
  // `scope` is borrowed and must outlive this view.
  explicit JsonScopeView(const Json& scope) : scope_(scope) {}
  const Json* Find(std::string_view component_id, std::string_view port) const override;

 private:
  const Json& scope_;
};

// A parsed variable reference `$.<componentId>.<port>[.<path>]`.
struct VariableRef {
  std::string component_id;
  std::string port;
  // Path into the payload: each step is a key, or an index when `is_index`.
  struct Step {
    std::string key;
    size_t index = 0;
    bool is_index = false;
  };
  std::vector<Step> path;

  // Parses the forms a.b, a.[0].b, a[0].b, a['b'], a.['b.c'].d after "$.<id>.<port>".
  // Errors are kInvalidArgument saying what is wrong at which character.
  static Result<VariableRef> Parse(std::string_view text);
  // Follows `path` inside `root`; nullptr when a step is missing. A numeric key step also
  // indexes arrays (lodash get semantics).
  const Json* Resolve(const Json& root) const noexcept;
};

class CompiledTransform {
 public:
  // Compiles one transform entry {type?, lambda, modifiers?}. A spec without `lambda` passes the
  // upstream payload unchanged. Problems (an unknown modifier, a variable path that does not
  // parse, a placeholder with no modifier entry) go to `diagnostics` under `pointer` (the entry's
  // place in the flow); an error result when any is an error.
  static Result<CompiledTransform> Compile(const Json& spec, const ModifierRegistry& modifiers,
                                           Diagnostics* diagnostics = nullptr,
                                           std::string_view pointer = "");

  // The transform that passes the payload through unchanged.
  static CompiledTransform Identity();

  CompiledTransform(const CompiledTransform&) = default;
  CompiledTransform& operator=(const CompiledTransform&) = default;
  CompiledTransform(CompiledTransform&&) noexcept = default;
  CompiledTransform& operator=(CompiledTransform&&) noexcept = default;
  ~CompiledTransform();

  bool is_identity() const noexcept;

  // Builds the new content. `payload` is what the upstream component sent (returned as-is by the
  // identity transform). A modifier failure is kInvalidArgument naming the field and modifier.
  Result<Json> Evaluate(const Json& payload, const ScopeView& scope, const EvalEnv& env) const;

  // Every variable the transform reads (for validation and dependency analysis).
  const std::vector<VariableRef>& variables() const noexcept;

  struct Impl;

 private:
  explicit CompiledTransform(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

// A compiled port (or properties) JSON Schema: draft-04 keywords are enforced (rapidjson's
// validator); later keywords are accepted and ignored.
class PortSchema {
 public:
  // kInvalidArgument when `schema` is not an object or is not a usable JSON Schema.
  static Result<std::shared_ptr<const PortSchema>> Compile(const Json& schema);
  ~PortSchema();

  // Coerces `value` toward the schema (object/array → JSON text where a string is expected;
  // number/boolean → text; numeric/boolean text → number/boolean where those are expected;
  // applied recursively through `properties` and `items`), then validates. A violation is
  // kInvalidArgument naming the field by JSON pointer and the broken rule, e.g.
  // "/count: expected type integer, got string".
  Status CoerceAndValidate(Json* value) const;
  // Validation only.
  Status Validate(const Json& value) const;

  const Json& schema() const noexcept;

  struct Impl;

 private:
  explicit PortSchema(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowkit
