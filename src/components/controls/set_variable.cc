// SetVariable: turns the designer's variable list {ADD: [{name, type, <type>: value}]} into one
// object {name: value}.
#include <string>

#include "components/controls/controls.h"
#include "components/input_util.h"
#include "util/js.h"

namespace flowkit::components::controls {
namespace {

class SetVariable final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& add = in->Content().Get("variables").Get("ADD");
    // `variables?.ADD || []`: a falsy list is empty; anything else must be a list.
    if (js::Truthy(add) && !add.IsArray()) {
      return Status::InvalidArgument("variables.ADD must be an array, got " +
                                     std::string(js::TypeOf(add)));
    }
    const bool options_only = js::Truthy(ctx.properties().Get("generateOutputPortOptions"));
    Json out = options_only ? Json::MakeArray() : Json::MakeObject();
    for (const Json& variable : add.array()) {
      if (variable.IsNullish()) return Status::InvalidArgument("variables.ADD holds a null item");
      // Keys are String(name); the value sits under the key its type names (number, text, ...).
      // Later names overwrite earlier ones; a missing value leaves the key out of the JSON.
      const Json& type = variable.Get("type");
      std::string name = js::ToString(variable.Get("name"));
      if (options_only) {
        // Design time: the out-port's variables for the designer.
        out.Push(Json::MakeObject(
            {{"label", variable.Get("name")}, {"value", variable.Get("name")}, {"type", type}}));
        continue;
      }
      std::string key = js::ToString(type);
      // `{name, type, ...value} = variable; value[type]`: name and type are not values.
      Json value = (key == "name" || key == "type") ? Json::Undefined() : variable.Get(key);
      out.Set(name, std::move(value));
    }
    return ctx.Send("out", std::move(out));
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewSetVariable() { return std::make_unique<SetVariable>(); }

}  // namespace flowkit::components::controls
