#include "flowkit/flow.h"

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "flow/field_reader.h"

namespace flowkit {
namespace {

using flow_internal::FieldReader;
using flow_internal::JsonTypeName;
using flow_internal::ReportType;

// A bare descriptor may have a component whose id is "flow"; it is a flow object only when
// `flow` does not look like a component node.
bool IsFlowObject(const Json& doc) {
  const Json* flow = doc.Find("flow");
  if (flow == nullptr) return false;
  return !(flow->IsObject() && flow->Get("type").IsString());
}

std::string PortList(const std::vector<PortSpec>& ports) {
  if (ports.empty()) return "none";
  std::string out;
  for (const PortSpec& port : ports) {
    if (!out.empty()) out += ", ";
    out += "'" + port.name + "'";
  }
  return out;
}

// Whether `value` has the JSON Schema type `type` ("string", "integer", ...); unknown names pass.
bool MatchesSchemaType(const Json& value, std::string_view type) {
  if (type == "string") return value.IsString();
  if (type == "number") return value.IsNumber();
  if (type == "integer") return value.IsInteger();
  if (type == "boolean") return value.IsBool();
  if (type == "object") return value.IsObject();
  if (type == "array") return value.IsArray();
  if (type == "null") return value.IsNull();
  return true;
}

bool MatchesSchemaTypes(const Json& value, const Json& type) {
  if (type.IsString()) return MatchesSchemaType(value, type.StringView());
  if (!type.IsArray()) return true;
  for (const Json& t : type.array()) {
    if (!t.IsString() || MatchesSchemaType(value, t.StringView())) return true;
  }
  return false;
}

}  // namespace

// Builds a Flow in passes (nodes, transforms, links, limits, indices) so that every problem is
// found in one go; later passes skip what earlier ones found broken instead of repeating it.
class FlowParser {
 public:
  FlowParser(const ComponentRegistry& components, const ModifierRegistry& modifiers,
             Diagnostics& diags)
      : components_(components), modifiers_(modifiers), diags_(diags), flow_(new Flow()) {}

  std::shared_ptr<const Flow> Parse(const Json& doc) {
    flow_->document_ = doc;
    flow_->custom_fields_ = Json::MakeObject();
    flow_->descriptor_ = Json::MakeObject();
    if (!doc.IsObject()) {
      ReportType(diags_, "", "a flow (an object)", doc);
      return nullptr;
    }
    if (IsFlowObject(doc)) {
      if (!ReadFlowObject(doc)) return nullptr;
    } else {
      flow_->descriptor_ = doc;
    }
    ReadNodes();
    for (size_t i = 0; i < flow_->nodes_.size(); ++i) {
      std::map<LinkKey, TransformEntry> transforms = ReadTransforms(flow_->nodes_[i]);
      ReadSources(i, transforms);
      ReportStaleTransforms(transforms);
      CheckProperties(flow_->nodes_[i]);
    }
    CheckMaxConnections();
    BuildIndices();
    return flow_;
  }

 private:
  // (in-port, source id, source out-port) of one link into a node.
  using LinkKey = std::tuple<std::string, std::string, std::string>;
  struct TransformEntry {
    const Json* spec;
    std::string pointer;
    bool used = false;
  };

  bool ReadFlowObject(const Json& doc) {
    FieldReader reader(doc, "", diags_);
    reader.String("name", &flow_->name_);
    reader.String("flowId", &flow_->flow_id_);
    reader.String("userId", &flow_->user_id_);
    if (const Json* custom_fields = reader.Object("customFields")) {
      flow_->custom_fields_ = *custom_fields;
    }
    const Json* descriptor = reader.Object("flow", /*required=*/true);
    if (descriptor == nullptr) return false;
    flow_->descriptor_ = *descriptor;
    base_ = "/flow";
    return true;
  }

  std::string NodePointer(std::string_view id) const { return JsonPointerAppend(base_, id); }

  void ReadNodes() {
    for (const JsonMember& member : flow_->descriptor_.object()) {
      const std::string pointer = NodePointer(member.key);
      present_ids_.insert(member.key);
      if (member.key.empty()) {
        diags_.Error(pointer, "a component id must not be empty");
        continue;
      }
      if (!member.value.IsObject()) {
        ReportType(diags_, pointer, "a component (an object with a 'type')", member.value);
        continue;
      }
      FlowNode node;
      node.id = member.key;
      node.raw = member.value;
      node.properties = Json::MakeObject();
      node.config = Json::MakeObject();
      FieldReader reader(member.value, pointer, diags_);
      if (reader.String("type", &node.type, /*required=*/true)) {
        if (const ComponentType* type = components_.Find(node.type)) {
          node.manifest = type->manifest;
        } else {
          diags_.Error(reader.PointerTo("type"), "unknown component type '" + node.type + "'");
        }
      }
      reader.String("label", &node.label);
      reader.String("version", &node.version);
      if (const Json* config = reader.Object("config")) {
        node.config = *config;
        FieldReader config_reader(*config, reader.PointerTo("config"), diags_);
        if (const Json* properties = config_reader.Object("properties")) {
          node.properties = *properties;
        }
      }
      // A node of unknown type stays in (manifest null) so its links and transforms are still
      // checked; the flow is an error anyway, so nothing downstream relies on it.
      flow_->node_index_.emplace(node.id, flow_->nodes_.size());
      flow_->nodes_.push_back(std::move(node));
    }
  }

  // Reads config.transform ({inPort: {sourceId: {outPort: spec}}}) of one node.
  std::map<LinkKey, TransformEntry> ReadTransforms(const FlowNode& node) {
    std::map<LinkKey, TransformEntry> entries;
    const std::string config_pointer = JsonPointerAppend(NodePointer(node.id), "config");
    FieldReader config_reader(node.config, config_pointer, diags_);
    const Json* transform = config_reader.Object("transform");
    if (transform == nullptr) return entries;
    const std::string transform_pointer = config_reader.PointerTo("transform");
    for (const JsonMember& in_port : transform->object()) {
      const std::string in_pointer = JsonPointerAppend(transform_pointer, in_port.key);
      if (node.manifest != nullptr && node.manifest->FindInPort(in_port.key) == nullptr) {
        diags_.Error(in_pointer, "a transform for in-port '" + in_port.key + "', which component type '" +
                                     node.type + "' does not have (its in-ports: " +
                                     PortList(node.manifest->in_ports) + ")");
        continue;
      }
      if (!in_port.value.IsObject()) {
        ReportType(diags_, in_pointer, "an object ({sourceId: {outPort: transform}})", in_port.value);
        continue;
      }
      for (const JsonMember& source : in_port.value.object()) {
        const std::string source_pointer = JsonPointerAppend(in_pointer, source.key);
        if (!source.value.IsObject()) {
          ReportType(diags_, source_pointer, "an object ({outPort: transform})", source.value);
          continue;
        }
        for (const JsonMember& out_port : source.value.object()) {
          const std::string spec_pointer = JsonPointerAppend(source_pointer, out_port.key);
          if (!out_port.value.IsObject()) {
            ReportType(diags_, spec_pointer, "a transform (an object: {type, lambda, modifiers})",
                       out_port.value);
            continue;
          }
          entries.emplace(LinkKey{in_port.key, source.key, out_port.key},
                          TransformEntry{&out_port.value, spec_pointer});
        }
      }
    }
    return entries;
  }

  // Reads `source` ({inPort: {sourceId: [outPort, ...]}}) and adds one link per out-port.
  void ReadSources(size_t node_index, std::map<LinkKey, TransformEntry>& transforms) {
    const FlowNode& node = flow_->nodes_[node_index];
    FieldReader reader(node.raw, NodePointer(node.id), diags_);
    const Json* source = reader.Member("source");
    if (source == nullptr) return;
    const std::string source_pointer = reader.PointerTo("source");
    if (!source->IsObject()) {
      ReportType(diags_, source_pointer, "an object ({inPort: {sourceId: [outPort, ...]}})", *source);
      return;
    }
    for (const JsonMember& in_port : source->object()) {
      const std::string in_pointer = JsonPointerAppend(source_pointer, in_port.key);
      bool in_port_valid = true;
      if (node.manifest != nullptr && node.manifest->FindInPort(in_port.key) == nullptr) {
        diags_.Error(in_pointer, "component type '" + node.type + "' has no in-port '" + in_port.key +
                                     "' (its in-ports: " + PortList(node.manifest->in_ports) + ")");
        in_port_valid = false;
      }
      if (!in_port.value.IsObject()) {
        ReportType(diags_, in_pointer, "an object ({sourceId: [outPort, ...]})", in_port.value);
        continue;
      }
      for (const JsonMember& upstream : in_port.value.object()) {
        const std::string upstream_pointer = JsonPointerAppend(in_pointer, upstream.key);
        const FlowNode* source_node = nullptr;
        if (present_ids_.count(upstream.key) == 0) {
          diags_.Error(upstream_pointer, "source component '" + upstream.key + "' is not in this flow");
        } else if (auto it = flow_->node_index_.find(upstream.key); it != flow_->node_index_.end()) {
          source_node = &flow_->nodes_[it->second];
        }
        if (!upstream.value.IsArray()) {
          ReportType(diags_, upstream_pointer, "an array of out-port names", upstream.value);
          continue;
        }
        for (size_t i = 0; i < upstream.value.size(); ++i) {
          const Json& port = upstream.value.At(i);
          const std::string port_pointer = JsonPointerAppend(upstream_pointer, i);
          if (!port.IsString()) {
            ReportType(diags_, port_pointer, "an out-port name (a string)", port);
            continue;
          }
          const std::string port_name(port.StringView());
          // Sources that are missing or broken are reported on their own; no cascade here.
          if (source_node == nullptr || !in_port_valid) continue;
          if (source_node->manifest != nullptr &&
              source_node->manifest->FindOutPort(port_name) == nullptr) {
            diags_.Error(port_pointer, "component '" + upstream.key + "' (type '" + source_node->type +
                                           "') has no out-port '" + port_name + "' (its out-ports: " +
                                           PortList(source_node->manifest->out_ports) + ")");
            continue;
          }
          LinkKey key{in_port.key, upstream.key, port_name};
          if (!link_keys_.insert(std::tuple_cat(std::make_tuple(node.id), key)).second) {
            diags_.Warning(port_pointer, "duplicate link from '" + upstream.key + "' out-port '" +
                                             port_name + "'; it is counted once");
            continue;
          }
          FlowLink link;
          link.source_id = upstream.key;
          link.source_port = port_name;
          link.target_id = node.id;
          link.target_port = in_port.key;
          if (auto t = transforms.find(key); t != transforms.end()) {
            t->second.used = true;
            CompileTransform(t->second, &link);
          }
          flow_->links_.push_back(std::move(link));
          link_pointers_.push_back(port_pointer);
        }
      }
    }
  }

  void CompileTransform(const TransformEntry& entry, FlowLink* link) {
    const size_t errors_before = diags_.error_count();
    Result<CompiledTransform> compiled =
        CompiledTransform::Compile(*entry.spec, modifiers_, &diags_, entry.pointer);
    if (compiled.ok()) {
      link->transform = std::move(compiled).value();
    } else if (diags_.error_count() == errors_before) {
      // Compile promises a diagnostic for every failure; make sure the failure is not lost.
      diags_.Error(entry.pointer, compiled.status().message());
    }
  }

  // Appmixer's designer leaves transforms behind when a link is removed; they are harmless.
  void ReportStaleTransforms(const std::map<LinkKey, TransformEntry>& transforms) {
    for (const auto& [key, entry] : transforms) {
      if (entry.used) continue;
      const auto& [in_port, source_id, out_port] = key;
      diags_.Warning(entry.pointer, "no link from '" + source_id + "' out-port '" + out_port +
                                        "' to in-port '" + in_port +
                                        "' in 'source'; this transform is ignored");
    }
  }

  // Designer defaults fill absent properties at run time, so only present values are checked,
  // and only as a warning: the component validates its properties itself.
  void CheckProperties(const FlowNode& node) {
    if (node.manifest == nullptr) return;
    const Json& declared = node.manifest->properties_schema["properties"];
    if (!declared.IsObject()) return;
    const std::string pointer =
        JsonPointerAppend(JsonPointerAppend(NodePointer(node.id), "config"), "properties");
    for (const JsonMember& property : node.properties.object()) {
      const Json& type = declared[property.key]["type"];
      if (type.IsUndefined() || MatchesSchemaTypes(property.value, type)) continue;
      diags_.Warning(JsonPointerAppend(pointer, property.key),
                     "component type '" + node.type + "' expects " + type.Dump() + " here, got " +
                         std::string(JsonTypeName(property.value)));
    }
  }

  void CheckMaxConnections() {
    std::map<std::pair<std::string, std::string>, int> in_counts;
    std::map<std::pair<std::string, std::string>, int> out_counts;
    for (size_t i = 0; i < flow_->links_.size(); ++i) {
      const FlowLink& link = flow_->links_[i];
      const FlowNode& target = *flow_->FindNode(link.target_id);
      const FlowNode& source = *flow_->FindNode(link.source_id);
      const int in_count = ++in_counts[{link.target_id, link.target_port}];
      const int out_count = ++out_counts[{link.source_id, link.source_port}];
      if (target.manifest == nullptr || source.manifest == nullptr) continue;
      const PortSpec* in_port = target.manifest->FindInPort(link.target_port);
      const PortSpec* out_port = source.manifest->FindOutPort(link.source_port);
      if (in_port->max_connections > 0 && in_count == in_port->max_connections + 1) {
        diags_.Error(link_pointers_[i], "in-port '" + link.target_port + "' of component '" +
                                            link.target_id + "' accepts at most " +
                                            std::to_string(in_port->max_connections) +
                                            " connection(s); this is one more");
      }
      if (out_port->max_connections > 0 && out_count == out_port->max_connections + 1) {
        diags_.Error(link_pointers_[i], "out-port '" + link.source_port + "' of component '" +
                                            link.source_id + "' accepts at most " +
                                            std::to_string(out_port->max_connections) +
                                            " connection(s); this is one more");
      }
    }
  }

  void BuildIndices() {
    for (size_t i = 0; i < flow_->links_.size(); ++i) {
      const FlowLink& link = flow_->links_[i];
      flow_->nodes_[flow_->node_index_.find(link.target_id)->second].inbound.push_back(i);
      flow_->nodes_[flow_->node_index_.find(link.source_id)->second].outbound.push_back(i);
    }
  }

  const ComponentRegistry& components_;
  const ModifierRegistry& modifiers_;
  Diagnostics& diags_;
  std::shared_ptr<Flow> flow_;
  std::string base_;                  // pointer of the descriptor: "/flow" or ""
  std::set<std::string> present_ids_;  // every id in the descriptor, valid or not
  std::set<std::tuple<std::string, std::string, std::string, std::string>> link_keys_;
  std::vector<std::string> link_pointers_;  // parallel to links_: where each link is declared
};

Result<std::shared_ptr<const Flow>> Flow::FromJson(const Json& doc,
                                                   const ComponentRegistry& components,
                                                   const ModifierRegistry& modifiers,
                                                   Diagnostics* diagnostics) {
  Diagnostics diags;
  std::shared_ptr<const Flow> flow = FlowParser(components, modifiers, diags).Parse(doc);
  if (diagnostics != nullptr) diagnostics->Append(diags);
  if (diags.has_errors()) return diags.ToStatus();
  if (flow == nullptr) return Status::Internal("flow parser failed without a diagnostic");
  return flow;
}

Result<std::shared_ptr<const Flow>> Flow::Parse(std::string_view text,
                                                const ComponentRegistry& components,
                                                const ModifierRegistry& modifiers,
                                                Diagnostics* diagnostics) {
  Result<Json> doc = Json::Parse(text);
  if (!doc.ok()) {
    if (diagnostics != nullptr) diagnostics->Error("", doc.status().message());
    return doc.status();
  }
  return FromJson(*doc, components, modifiers, diagnostics);
}

const FlowNode* Flow::FindNode(std::string_view id) const noexcept {
  auto it = node_index_.find(id);
  return it == node_index_.end() ? nullptr : &nodes_[it->second];
}

std::vector<const FlowNode*> Flow::Triggers() const {
  std::vector<const FlowNode*> triggers;
  for (const FlowNode& node : nodes_) {
    if (node.inbound.empty() || (node.manifest != nullptr && node.manifest->IsTrigger())) {
      triggers.push_back(&node);
    }
  }
  return triggers;
}

}  // namespace flowkit
