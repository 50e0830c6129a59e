// OnError: forwards the flow's component errors (the engine's error feed, ComponentOptions::
// error_feed) to its out-port, one message per failed call.
//
// Appmixer's OnError is a tick trigger that pages through the flow's error log; flowkit's engine
// hands each error over as it is recorded, durably, so there is no log cursor to keep and the
// `limit` property (a per-tick page budget in Appmixer, which never drops errors) has nothing to
// bound.
#include "components/controls/controls.h"

namespace flowkit::components::controls {
namespace {

// Appmixer's label: the node's label, else the type's 4th segment ("appmixer.utils.http.GET" →
// "GET").
std::string ComponentLabel(const Context& ctx, const Json& record) {
  const std::string component_id = record["componentId"].AsString();
  if (component_id.empty()) return {};
  const std::string label = ctx.flow_descriptor()[component_id]["label"].AsString();
  if (!label.empty()) return label;
  std::string_view type = record["componentType"].StringView();
  for (int dots = 0; dots < 3; ++dots) {
    const size_t dot = type.find('.');
    if (dot == std::string_view::npos) return std::string(type);
    type.remove_prefix(dot + 1);
  }
  return std::string(type.substr(0, type.find('.')));
}

class OnError final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    const Message* error = ctx.Input(kErrorPort);
    if (error == nullptr) return Status::OK();  // only the error feed concerns it
    const Json& record = error->Content();
    if (!record.IsObject()) return Status::InvalidArgument("OnError: an error record must be an object");
    Json out = record;
    out.Set("flowName", ctx.flow_name());
    const std::string label = ComponentLabel(ctx, record);
    if (!label.empty()) out.Set("componentLabel", label);
    return ctx.Send("out", std::move(out));
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewOnError() { return std::make_unique<OnError>(); }

}  // namespace flowkit::components::controls
