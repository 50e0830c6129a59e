// Manifest: an Appmixer component manifest (`component.json`), parsed and validated.
//
// Every field Appmixer documents is read into a typed member; the inspector and other
// designer-only data stay as opaque Json; unknown top-level keys are kept in `extra` (never
// fatal). Threading: a Manifest is an immutable value once parsed; share it freely.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/diagnostics.h"
#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit {

class PortSchema;

struct PortSpec {
  std::string name;
  Json schema;     // JSON Schema of the port's content; Undefined when absent
  Json inspector;  // designer definition (Rappid inspector), opaque; Undefined when absent
  Json options;    // out-port variable options [{label, value, schema?}]; Undefined when absent
  Json source;     // dynamic definition ({url, data}), design-time only; Undefined when absent
  int max_connections = 0;  // 0 = unlimited
  Json extra;               // other keys of the port object, kept verbatim (object or Undefined)
  // The compiled `schema` (null when the port has none). Compiled once at parse time.
  std::shared_ptr<const PortSchema> compiled_schema;
};

// One symbol per in-port, in inPorts order (Appmixer firePatterns).
enum class FireSymbol : uint8_t {
  kAny,     // '*': zero or more messages waiting
  kExists,  // '1': at least one message waiting
  kEmpty,   // '0': no message waiting
  kAll,     // 'A': at least one message from every connected source
};

struct AuthSpec {
  std::string service;             // "appmixer:google" ([vendor]:[service][:module])
  std::vector<std::string> scope;  // OAuth scopes, possibly empty
};

struct QuotaSpec {
  std::string manager;                 // quota module, e.g. "appmixer:utils:controls"
  std::vector<std::string> resources;  // string or array in the manifest
  Json scope;                          // e.g. {"userId": "{{userId}}"}; Undefined = app-wide
  std::optional<int64_t> max_wait_ms;
  std::optional<int64_t> concurrency;
};

struct Manifest {
  std::string name;  // vendor.service.module.Component
  std::string label;
  std::string description;
  std::string author;
  std::string icon;
  std::string marker;
  std::string version;

  std::vector<PortSpec> in_ports;
  std::vector<PortSpec> out_ports;

  Json properties_schema;     // JSON Schema of config.properties; Undefined when absent
  Json properties_inspector;  // opaque
  std::shared_ptr<const PortSchema> compiled_properties_schema;  // null when no schema

  // Rows of the fire-pattern matrix; a one-row array manifest yields one row; empty = fire on
  // every message.
  std::vector<std::vector<FireSymbol>> fire_patterns;

  bool tick = false;
  bool webhook = false;
  bool webhook_async = false;
  bool trigger_flag = false;  // the manifest's explicit `trigger`
  bool is_private = false;
  bool state_persistent = false;

  std::optional<AuthSpec> auth;
  std::optional<std::string> auth_config_service;  // authConfig.service
  std::optional<QuotaSpec> quota;
  Json localization;  // {lang: {path: string}}; Undefined when absent
  Json dependencies;  // {service?: version, module?: version}; Undefined when absent
  std::string config;  // module config id, e.g. "appmixer:utils:tasks"

  Json extra;  // unknown top-level keys, verbatim (object)
  Json raw;    // the whole document as given

  // A trigger has no in-ports (or says `trigger: true`).
  bool IsTrigger() const noexcept { return in_ports.empty() || trigger_flag; }
  const PortSpec* FindInPort(std::string_view port) const noexcept;
  const PortSpec* FindOutPort(std::string_view port) const noexcept;
  // The last dot-separated part of the name ("OnStart"); label when set.
  std::string DisplayName() const;

  // Parses and validates a manifest. Every problem goes to `diagnostics` (when given) with a
  // JSON pointer; the result is an error when any problem is an error.
  static Result<Manifest> FromJson(const Json& doc, Diagnostics* diagnostics = nullptr);
  static Result<Manifest> Parse(std::string_view text, Diagnostics* diagnostics = nullptr);
};

// Whether `name` matches Appmixer's component-name rule ^[\w]+\.[\w]+\.[\w]+\.[\w]+$.
bool IsValidComponentTypeName(std::string_view name);

}  // namespace flowkit
