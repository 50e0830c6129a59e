// ScopeChain: the outputs of every ancestor in one run, shared between messages.
//
// Each hop adds one immutable node (component, port, payload) pointing at its parent, so
// extending the scope costs O(1) whatever the run's history, and fan-out shares the parent
// instead of copying it (Node-RED's deep clone per fan-out is the cost this avoids). Lookups walk
// towards the root; the nearest output of a (component, port) wins, as a later output of the
// same component in a loop replaces the earlier one in Appmixer's scope object.
//
// Threading: nodes are immutable after construction; a chain may be read from any number of
// threads, and extended concurrently (each extension makes a new head).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "flowkit/json.h"
#include "flowkit/transform.h"

namespace flowkit::engine {

class ScopeChain final : public ScopeView {
 public:
  // The empty scope (a trigger's first message).
  ScopeChain() = default;

  // A new head: this chain plus `component_id` having sent `payload` on `port`.
  ScopeChain Extend(std::string component_id, std::string port,
                    std::shared_ptr<const Json> payload) const;

  const Json* Find(std::string_view component_id, std::string_view port) const override;

  // Whether any hop of the run was sent by a component `match` accepts.
  bool Passed(const std::function<bool(std::string_view component_id)>& match) const;

  // Number of hops from the root (0 for the empty scope).
  size_t depth() const noexcept { return head_ ? head_->depth : 0; }
  bool empty() const noexcept { return head_ == nullptr; }

  // Appmixer's scope object: {componentId: {port: payload}, "_walkthrough": [{links:
  // [{sourceId, sourceOut}]}]} with the hops in order from the root. Costs O(depth); for
  // dead letters, components that read context.scope, and debugging.
  Json ToJson() const;

  // Every hop, root first, as [[componentId, port, payload], ...]: the lossless form the durable
  // runtime stores (ToJson keeps one payload per component and port). FromHops is its inverse;
  // malformed entries are skipped.
  Json ToHops() const;
  // ToHops().Dump() appended to `out`, without copying the payloads into a tree first.
  void AppendHopsText(std::string* out) const;
  static ScopeChain FromHops(const Json& hops);

 private:
  struct Node {
    std::string component_id;
    std::string port;
    std::shared_ptr<const Json> payload;
    std::shared_ptr<const Node> parent;
    size_t depth;
  };
  explicit ScopeChain(std::shared_ptr<const Node> head) : head_(std::move(head)) {}
  std::shared_ptr<const Node> head_;
};

}  // namespace flowkit::engine
