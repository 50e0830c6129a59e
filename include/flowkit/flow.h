// Flow: an Appmixer flow descriptor, parsed and validated against the known component types
// and modifiers, with every link's transform compiled.
//
// Accepted documents: a flow object ({flowId?, name, flow: {...}, customFields?, ...} as the REST
// API and exported/test flows have it) or a bare descriptor ({componentId: node}). Threading: a
// Flow is immutable once parsed; share it freely.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/diagnostics.h"
#include "flowkit/json.h"
#include "flowkit/manifest.h"
#include "flowkit/modifier.h"
#include "flowkit/registry.h"
#include "flowkit/status.h"
#include "flowkit/transform.h"

namespace flowkit {

// A link from one component's out-port to another's in-port, with its compiled transform.
struct FlowLink {
  std::string source_id;
  std::string source_port;
  std::string target_id;
  std::string target_port;
  CompiledTransform transform = CompiledTransform::Identity();
};

struct FlowNode {
  std::string id;
  std::string type;
  std::string label;
  std::string version;
  Json properties;  // config.properties (object; {} when absent)
  Json config;      // the whole config object, verbatim
  std::shared_ptr<const Manifest> manifest;  // from the registry
  // Indices into Flow::links() of the links arriving at / leaving this node, in document order.
  std::vector<size_t> inbound;
  std::vector<size_t> outbound;
  Json raw;  // the node as given
};

class Flow {
 public:
  // Parses and validates. Every problem goes to `diagnostics` (when given) with a JSON pointer
  // into `doc`; the result is an error when any problem is an error. Loops are legal.
  static Result<std::shared_ptr<const Flow>> FromJson(const Json& doc,
                                                       const ComponentRegistry& components,
                                                       const ModifierRegistry& modifiers,
                                                       Diagnostics* diagnostics = nullptr);
  static Result<std::shared_ptr<const Flow>> Parse(std::string_view text,
                                                    const ComponentRegistry& components,
                                                    const ModifierRegistry& modifiers,
                                                    Diagnostics* diagnostics = nullptr);

  const std::string& flow_id() const noexcept { return flow_id_; }  // "" when the doc has none
  const std::string& name() const noexcept { return name_; }
  const std::string& user_id() const noexcept { return user_id_; }
  const Json& custom_fields() const noexcept { return custom_fields_; }  // object
  const Json& descriptor() const noexcept { return descriptor_; }       // {componentId: node}
  const Json& document() const noexcept { return document_; }           // the whole doc

  const std::vector<FlowNode>& nodes() const noexcept { return nodes_; }  // document order
  const std::vector<FlowLink>& links() const noexcept { return links_; }
  const FlowNode* FindNode(std::string_view id) const noexcept;
  // The trigger components (no in-ports, or nothing linked into them).
  std::vector<const FlowNode*> Triggers() const;

 private:
  Flow() = default;
  friend class FlowParser;

  std::string flow_id_;
  std::string name_;
  std::string user_id_;
  Json custom_fields_;
  Json descriptor_;
  Json document_;
  std::vector<FlowNode> nodes_;
  std::vector<FlowLink> links_;
  std::map<std::string, size_t, std::less<>> node_index_;
};

}  // namespace flowkit
