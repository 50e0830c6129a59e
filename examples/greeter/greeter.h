// A custom component, as a host would write one: "acme.demo.core.Greeter" turns {name} into
// {greeting} and counts how many people it greeted (component state).
#pragma once

#include <memory>

#include "flowkit/component.h"
#include "flowkit/registry.h"

namespace acme {

class Greeter final : public flowkit::Behaviour {
 public:
  flowkit::Status Receive(flowkit::Context& ctx) override {
    const flowkit::Json& in = ctx.Input("in")->Content();
    FLOWKIT_ASSIGN_OR_RETURN(flowkit::Json greeted, ctx.state().Inc("greeted", 1));
    std::string name = in.Get("name").AsString();
    if (name.empty()) return flowkit::Status::InvalidArgument("'name' must not be empty");
    return ctx.Send("out", flowkit::Json::MakeObject({{"greeting", "Hello, " + name + "!"}, {"number", greeted}}));
  }
};

inline constexpr const char* kGreeterManifest = R"({
  "name": "acme.demo.core.Greeter",
  "description": "Greets a person by name.",
  "inPorts": [{"name": "in", "schema": {"type": "object", "properties": {"name": {"type": "string"}},
                                        "required": ["name"]}}],
  "outPorts": [{"name": "out", "options": [{"label": "Greeting", "value": "greeting"}]}]
})";

inline flowkit::Status RegisterGreeter(flowkit::ComponentRegistry& registry) {
  FLOWKIT_ASSIGN_OR_RETURN(flowkit::Manifest manifest, flowkit::Manifest::Parse(kGreeterManifest));
  return registry.Register(std::move(manifest), [] { return std::make_unique<Greeter>(); });
}

}  // namespace acme
