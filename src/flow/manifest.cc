#include "flowkit/manifest.h"

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "flow/field_reader.h"
#include "flow/names.h"
#include "flowkit/transform.h"

namespace flowkit {
namespace {

using flow_internal::FieldReader;
using flow_internal::JsonTypeName;
using flow_internal::ReportType;

// Top-level keys Appmixer documents; anything else goes to Manifest::extra.
constexpr std::array<std::string_view, 23> kKnownKeys = {
    "name",        "label",    "description",  "author",       "icon",     "marker",
    "version",     "inPorts",  "outPorts",     "properties",   "firePatterns",
    "tick",        "webhook",  "webhookAsync", "trigger",      "private",  "state",
    "quota",       "auth",     "authConfig",   "localization", "dependencies",
    "config"};

// Keys of a port object that PortSpec has members for; the rest go to PortSpec::extra.
constexpr std::array<std::string_view, 6> kPortKeys = {"name",   "schema", "inspector",
                                                       "options", "source", "maxConnections"};

template <size_t N>
bool IsOneOf(std::string_view key, const std::array<std::string_view, N>& keys) {
  for (std::string_view k : keys) {
    if (k == key) return true;
  }
  return false;
}

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The number of dot-separated parts of `name` when each is a non-empty run of \w characters
// (ASCII, as in JavaScript without the u flag); 0 otherwise.
int CountNameParts(std::string_view name) {
  int parts = 1;
  size_t part_length = 0;
  for (char c : name) {
    if (c == '.') {
      if (part_length == 0) return 0;
      ++parts;
      part_length = 0;
    } else if (IsWordChar(c)) {
      ++part_length;
    } else {
      return 0;
    }
  }
  return part_length > 0 ? parts : 0;
}

// Compiles a port or properties schema; null (and a diagnostic) when unusable.
std::shared_ptr<const PortSchema> CompileSchema(const Json& schema, const std::string& pointer,
                                                Diagnostics& diags) {
  if (!schema.IsObject()) {
    ReportType(diags, pointer, "an object (a JSON Schema)", schema);
    return nullptr;
  }
  Result<std::shared_ptr<const PortSchema>> compiled = PortSchema::Compile(schema);
  if (!compiled.ok()) {
    diags.Error(pointer, "not a usable JSON Schema: " + compiled.status().message());
    return nullptr;
  }
  return std::move(compiled).value();
}

// The header promises Undefined for absent optional members; Json() would be null.
PortSpec EmptyPort() {
  PortSpec port;
  port.schema = Json::Undefined();
  port.inspector = Json::Undefined();
  port.options = Json::Undefined();
  port.source = Json::Undefined();
  port.extra = Json::Undefined();
  return port;
}

PortSpec ParsePortObject(const Json& item, const std::string& pointer, Diagnostics& diags) {
  PortSpec port = EmptyPort();
  FieldReader reader(item, pointer, diags);
  if (reader.String("name", &port.name, /*required=*/true) && port.name.empty()) {
    diags.Error(reader.PointerTo("name"), "a port name must not be empty");
  }
  if (const Json* schema = reader.Member("schema")) {
    port.schema = *schema;
    port.compiled_schema = CompileSchema(*schema, reader.PointerTo("schema"), diags);
  }
  if (const Json* inspector = reader.Member("inspector")) port.inspector = *inspector;
  if (const Json* options = reader.Array("options")) {
    port.options = *options;
    const std::string options_pointer = reader.PointerTo("options");
    for (size_t i = 0; i < options->size(); ++i) {
      if (!options->At(i).IsObject()) {
        ReportType(diags, JsonPointerAppend(options_pointer, i), "an object ({label, value})",
                   options->At(i));
      }
    }
  }
  if (const Json* source = reader.Object("source")) port.source = *source;
  int64_t max_connections = 0;
  if (reader.Integer("maxConnections", &max_connections, 0)) {
    constexpr int64_t kMax = 1 << 30;
    port.max_connections = static_cast<int>(max_connections < kMax ? max_connections : kMax);
  }
  for (const JsonMember& member : item.object()) {
    if (IsOneOf(member.key, kPortKeys)) continue;
    port.extra.Set(member.key, member.value);
  }
  return port;
}

// Reads `inPorts` / `outPorts`: an array of names or port objects with unique names.
void ParsePorts(FieldReader& reader, std::string_view key, std::string_view kind,
                std::vector<PortSpec>* ports, Diagnostics& diags) {
  const Json* list = reader.Array(key);
  if (list == nullptr) return;
  const std::string list_pointer = reader.PointerTo(key);
  std::map<std::string, std::string, std::less<>> first_seen;  // name → pointer
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& item = list->At(i);
    const std::string pointer = JsonPointerAppend(list_pointer, i);
    PortSpec port = EmptyPort();
    std::string name_pointer = pointer;
    if (item.IsString()) {
      port.name = std::string(item.StringView());
      if (port.name.empty()) {
        diags.Error(pointer, "a port name must not be empty");
        continue;
      }
    } else if (item.IsObject()) {
      port = ParsePortObject(item, pointer, diags);
      name_pointer = JsonPointerAppend(pointer, "name");
      if (port.name.empty()) continue;  // reported by ParsePortObject
    } else {
      ReportType(diags, pointer, "a port name (string) or a port object", item);
      continue;
    }
    auto [it, inserted] = first_seen.emplace(port.name, name_pointer);
    if (!inserted) {
      diags.Error(name_pointer, "duplicate " + std::string(kind) + " name '" + port.name +
                                    "' (first defined at " + it->second + ")");
      continue;
    }
    ports->push_back(std::move(port));
  }
}

// Scalars are shown as written ("x", 2); containers by their type.
std::string DescribeValue(const Json& value) {
  if (value.IsArray() || value.IsObject()) return std::string(JsonTypeName(value));
  return value.Dump();
}

bool ParseFireSymbol(const Json& value, FireSymbol* out) {
  if (value.IsInteger()) {
    // Appmixer's own examples write the numbers 1 and 0 next to "*" (["*", 1]).
    if (value.AsInt() != 0 && value.AsInt() != 1) return false;
    *out = value.AsInt() == 1 ? FireSymbol::kExists : FireSymbol::kEmpty;
    return true;
  }
  std::string_view s = value.StringView();
  if (!value.IsString() || s.size() != 1) return false;
  switch (s[0]) {
    case '*': *out = FireSymbol::kAny; return true;
    case '1': *out = FireSymbol::kExists; return true;
    case '0': *out = FireSymbol::kEmpty; return true;
    case 'A': *out = FireSymbol::kAll; return true;
    default: return false;
  }
}

void ParseFireRow(const Json& row, const std::string& pointer, size_t in_port_count,
                  bool check_length, Manifest* manifest, Diagnostics& diags) {
  std::vector<FireSymbol> symbols;
  bool valid = true;
  for (size_t i = 0; i < row.size(); ++i) {
    FireSymbol symbol;
    if (!ParseFireSymbol(row.At(i), &symbol)) {
      diags.Error(JsonPointerAppend(pointer, i),
                  "expected a fire-pattern symbol (\"*\", \"1\", \"0\", \"A\", 1 or 0), got " +
                      DescribeValue(row.At(i)));
      valid = false;
      continue;
    }
    symbols.push_back(symbol);
  }
  if (check_length && row.size() != in_port_count) {
    diags.Error(pointer, "a fire pattern needs one symbol per in-port (" +
                             std::to_string(in_port_count) + "), got " +
                             std::to_string(row.size()));
    valid = false;
  }
  if (valid) manifest->fire_patterns.push_back(std::move(symbols));
}

// `firePatterns`: one row (an array of symbols) or a matrix (an array of rows).
void ParseFirePatterns(FieldReader& reader, bool in_ports_valid, Manifest* manifest,
                       Diagnostics& diags) {
  const Json* patterns = reader.Array("firePatterns");
  if (patterns == nullptr || patterns->empty()) return;
  const std::string pointer = reader.PointerTo("firePatterns");
  const size_t in_port_count = manifest->in_ports.size();
  bool matrix = false;
  for (const Json& item : patterns->array()) matrix = matrix || item.IsArray();
  if (!matrix) {
    ParseFireRow(*patterns, pointer, in_port_count, in_ports_valid, manifest, diags);
    return;
  }
  for (size_t i = 0; i < patterns->size(); ++i) {
    const std::string row_pointer = JsonPointerAppend(pointer, i);
    if (!patterns->At(i).IsArray()) {
      ReportType(diags, row_pointer, "an array (a fire-pattern row, as the other rows are)",
                 patterns->At(i));
      continue;
    }
    ParseFireRow(patterns->At(i), row_pointer, in_port_count, in_ports_valid, manifest, diags);
  }
}

void ParseQuota(FieldReader& reader, Manifest* manifest, Diagnostics& diags) {
  const Json* quota = reader.Object("quota");
  // `{}` occurs in real manifests (57 of Appmixer's): it names no quota, so there is none.
  if (quota == nullptr || quota->empty()) return;
  QuotaSpec spec;
  spec.scope = Json::Undefined();
  FieldReader q(*quota, reader.PointerTo("quota"), diags);
  q.String("manager", &spec.manager, /*required=*/true);
  if (const Json* resources = q.Member("resources")) {
    const std::string pointer = q.PointerTo("resources");
    if (resources->IsString()) {
      spec.resources.emplace_back(resources->StringView());
    } else if (resources->IsArray()) {
      for (size_t i = 0; i < resources->size(); ++i) {
        if (resources->At(i).IsString()) {
          spec.resources.emplace_back(resources->At(i).StringView());
        } else {
          ReportType(diags, JsonPointerAppend(pointer, i), "a string", resources->At(i));
        }
      }
    } else {
      ReportType(diags, pointer, "a string or an array of strings", *resources);
    }
  } else {
    diags.Error(q.PointerTo("resources"), "'resources' is required (a string or an array of strings)");
  }
  if (const Json* scope = q.Object("scope")) spec.scope = *scope;
  if (const Json* max_wait = q.Member("maxWait")) {
    // Three of Appmixer's manifests write "120000"; JavaScript would coerce it, so accept it.
    const std::string pointer = q.PointerTo("maxWait");
    std::string_view text = max_wait->StringView();
    if (max_wait->IsInteger() && max_wait->AsInt() >= 0) {
      spec.max_wait_ms = max_wait->AsInt();
    } else if (max_wait->IsString() && !text.empty() && text.size() <= 15 &&
               text.find_first_not_of("0123456789") == std::string_view::npos) {
      spec.max_wait_ms = std::stoll(std::string(text));
      diags.Warning(pointer, "a number written as a string; read as " + std::string(text));
    } else if (max_wait->IsInteger()) {
      diags.Error(pointer, "must be at least 0, got " + std::to_string(max_wait->AsInt()));
    } else {
      ReportType(diags, pointer, "a non-negative integer (milliseconds)", *max_wait);
    }
  }
  int64_t concurrency = 0;
  if (q.Integer("concurrency", &concurrency, 1)) spec.concurrency = concurrency;
  manifest->quota = std::move(spec);
}

void ParseAuth(FieldReader& reader, Manifest* manifest, Diagnostics& diags) {
  if (const Json* auth = reader.Object("auth")) {
    AuthSpec spec;
    FieldReader a(*auth, reader.PointerTo("auth"), diags);
    a.String("service", &spec.service, /*required=*/true);
    if (const Json* scope = a.Array("scope")) {
      for (size_t i = 0; i < scope->size(); ++i) {
        if (scope->At(i).IsString()) {
          spec.scope.emplace_back(scope->At(i).StringView());
        } else {
          ReportType(diags, JsonPointerAppend(a.PointerTo("scope"), i), "a string", scope->At(i));
        }
      }
    }
    manifest->auth = std::move(spec);
  }
  if (const Json* auth_config = reader.Object("authConfig")) {
    FieldReader a(*auth_config, reader.PointerTo("authConfig"), diags);
    std::string service;
    if (a.String("service", &service, /*required=*/true)) manifest->auth_config_service = service;
  }
}

void ParseManifest(const Json& doc, Manifest* m, Diagnostics& diags) {
  m->raw = doc;
  m->extra = Json::MakeObject();
  m->properties_schema = Json::Undefined();
  m->properties_inspector = Json::Undefined();
  m->localization = Json::Undefined();
  m->dependencies = Json::Undefined();
  if (!doc.IsObject()) {
    ReportType(diags, "", "a component manifest (an object)", doc);
    return;
  }
  FieldReader reader(doc, "", diags);
  if (reader.String("name", &m->name, /*required=*/true)) {
    if (!flow_internal::IsAcceptedComponentTypeName(m->name)) {
      diags.Error("/name", "'" + m->name +
                               "' is not a valid component type name (expected "
                               "vendor.service.module.Component; letters, digits and '_' only)");
    } else if (!IsValidComponentTypeName(m->name)) {
      diags.Warning("/name", "'" + m->name +
                                 "' has no module part (Appmixer documents "
                                 "vendor.service.module.Component; its own connectors also use "
                                 "vendor.service.Component)");
    }
  }
  reader.String("label", &m->label);
  reader.String("description", &m->description);
  reader.String("author", &m->author);
  reader.String("icon", &m->icon);
  reader.String("marker", &m->marker);
  reader.String("version", &m->version);
  reader.String("config", &m->config);

  ParsePorts(reader, "inPorts", "in-port", &m->in_ports, diags);
  ParsePorts(reader, "outPorts", "out-port", &m->out_ports, diags);

  if (const Json* properties = reader.Object("properties")) {
    FieldReader p(*properties, reader.PointerTo("properties"), diags);
    if (const Json* schema = p.Member("schema")) {
      m->properties_schema = *schema;
      m->compiled_properties_schema = CompileSchema(*schema, p.PointerTo("schema"), diags);
    }
    if (const Json* inspector = p.Member("inspector")) m->properties_inspector = *inspector;
  }

  // The row length is checked only when every in-port parsed; otherwise the count is unknown.
  const Json& in_ports = doc["inPorts"];
  const bool in_ports_valid = in_ports.IsUndefined() ||
                              (in_ports.IsArray() && in_ports.size() == m->in_ports.size());
  ParseFirePatterns(reader, in_ports_valid, m, diags);

  reader.Bool("tick", &m->tick);
  reader.Bool("webhook", &m->webhook);
  reader.Bool("webhookAsync", &m->webhook_async);
  reader.Bool("trigger", &m->trigger_flag);
  reader.Bool("private", &m->is_private);
  if (const Json* state = reader.Object("state")) {
    FieldReader s(*state, reader.PointerTo("state"), diags);
    s.Bool("persistent", &m->state_persistent);
  }

  ParseQuota(reader, m, diags);
  ParseAuth(reader, m, diags);

  if (const Json* localization = reader.Object("localization")) {
    for (const JsonMember& lang : localization->object()) {
      if (!lang.value.IsObject()) {
        ReportType(diags, JsonPointerAppend(reader.PointerTo("localization"), lang.key),
                   "an object (strings by manifest path)", lang.value);
      }
    }
    m->localization = *localization;
  }
  if (const Json* dependencies = reader.Object("dependencies")) m->dependencies = *dependencies;

  for (const JsonMember& member : doc.object()) {
    if (!IsOneOf(member.key, kKnownKeys)) m->extra.Set(member.key, member.value);
  }
}

}  // namespace

bool IsValidComponentTypeName(std::string_view name) { return CountNameParts(name) == 4; }

namespace flow_internal {

bool IsAcceptedComponentTypeName(std::string_view name) {
  const int parts = CountNameParts(name);
  return parts == 3 || parts == 4;
}

}  // namespace flow_internal

const PortSpec* Manifest::FindInPort(std::string_view port) const noexcept {
  for (const PortSpec& p : in_ports) {
    if (p.name == port) return &p;
  }
  return nullptr;
}

const PortSpec* Manifest::FindOutPort(std::string_view port) const noexcept {
  for (const PortSpec& p : out_ports) {
    if (p.name == port) return &p;
  }
  return nullptr;
}

std::string Manifest::DisplayName() const {
  if (!label.empty()) return label;
  const size_t dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

Result<Manifest> Manifest::FromJson(const Json& doc, Diagnostics* diagnostics) {
  Diagnostics diags;
  Manifest manifest;
  ParseManifest(doc, &manifest, diags);
  if (diagnostics != nullptr) diagnostics->Append(diags);
  if (diags.has_errors()) return diags.ToStatus();
  return manifest;
}

Result<Manifest> Manifest::Parse(std::string_view text, Diagnostics* diagnostics) {
  Result<Json> doc = Json::Parse(text);
  if (!doc.ok()) {
    if (diagnostics != nullptr) diagnostics->Error("", doc.status().message());
    return doc.status();
  }
  return FromJson(*doc, diagnostics);
}

}  // namespace flowkit
