#include "engine/scope.h"

#include <vector>

namespace flowkit::engine {

ScopeChain ScopeChain::Extend(std::string component_id, std::string port,
                              std::shared_ptr<const Json> payload) const {
  auto node = std::make_shared<const Node>(
      Node{std::move(component_id), std::move(port), std::move(payload), head_, depth() + 1});
  return ScopeChain(std::move(node));
}

const Json* ScopeChain::Find(std::string_view component_id, std::string_view port) const {
  for (const Node* n = head_.get(); n != nullptr; n = n->parent.get()) {
    if (n->component_id == component_id && n->port == port) return n->payload.get();
  }
  return nullptr;
}

bool ScopeChain::Passed(const std::function<bool(std::string_view component_id)>& match) const {
  for (const Node* n = head_.get(); n != nullptr; n = n->parent.get()) {
    if (match(n->component_id)) return true;
  }
  return false;
}

Json ScopeChain::ToJson() const {
  std::vector<const Node*> hops;
  hops.reserve(depth());
  for (const Node* n = head_.get(); n != nullptr; n = n->parent.get()) hops.push_back(n);
  Json scope = Json::MakeObject();
  Json walkthrough = Json::MakeArray();
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    const Node* n = *it;
    Json* by_port = scope.Find(n->component_id);
    if (by_port == nullptr) by_port = &scope.Set(n->component_id, Json::MakeObject());
    by_port->Set(n->port, n->payload ? *n->payload : Json());
    walkthrough.Push(Json::MakeObject(
        {{"links", Json::MakeArray({Json::MakeObject({{"sourceId", n->component_id}, {"sourceOut", n->port}})})}}));
  }
  scope.Set("_walkthrough", std::move(walkthrough));
  return scope;
}

Json ScopeChain::ToHops() const {
  std::vector<const Node*> hops;
  hops.reserve(depth());
  for (const Node* n = head_.get(); n != nullptr; n = n->parent.get()) hops.push_back(n);
  Json out = Json::MakeArray();
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    const Node* n = *it;
    out.Push(Json::MakeArray({n->component_id, n->port, n->payload ? *n->payload : Json()}));
  }
  return out;
}

void ScopeChain::AppendHopsText(std::string* out) const {
  std::vector<const Node*> hops;
  hops.reserve(depth());
  for (const Node* n = head_.get(); n != nullptr; n = n->parent.get()) hops.push_back(n);
  out->push_back('[');
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    const Node* n = *it;
    if (it != hops.rbegin()) out->push_back(',');
    out->push_back('[');
    Json(n->component_id).DumpTo(out);
    out->push_back(',');
    Json(n->port).DumpTo(out);
    out->push_back(',');
    if (n->payload && !n->payload->IsUndefined()) {
      n->payload->DumpTo(out);
    } else {
      out->append("null");
    }
    out->push_back(']');
  }
  out->push_back(']');
}

ScopeChain ScopeChain::FromHops(const Json& hops) {
  ScopeChain chain;
  if (!hops.IsArray()) return chain;
  for (const Json& hop : hops.array()) {
    if (!hop.IsArray() || hop.array().size() != 3 || !hop[0].IsString() || !hop[1].IsString()) continue;
    chain = chain.Extend(hop[0].AsString(), hop[1].AsString(), std::make_shared<const Json>(hop[2]));
  }
  return chain;
}

}  // namespace flowkit::engine
