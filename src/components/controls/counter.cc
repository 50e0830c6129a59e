// Counter: counts `item` messages in component state, starting from property `count` and
// stepping by `increment`; a `reset` message sets the count without emitting.
#include "components/controls/controls.h"
#include "util/js.h"

namespace flowkit::components::controls {
namespace {

class Counter final : public Behaviour {
 public:
  Status Start(Context& ctx) override {
    return ctx.state().Save(Json::MakeObject({{"count", ctx.properties().Get("count")}}));
  }

  Status Receive(Context& ctx) override {
    // A reset wins over an item delivered in the same call, as in Appmixer.
    if (const Message* reset = ctx.Input("reset")) {
      Json count = reset->Content().Get("count");
      if (count.IsUndefined()) count = ctx.properties().Get("count");
      return ctx.state().Save(Json::MakeObject({{"count", std::move(count)}}));
    }
    const Json& increment = ctx.properties().Get("increment");
    if (!increment.IsNumber())
      return Status::InvalidArgument("property 'increment' must be a number");
    FLOWKIT_ASSIGN_OR_RETURN(Json count, ctx.state().Inc("count", js::NumberValue(increment)));
    return ctx.Send("count", Json::MakeObject({{"count", std::move(count)}}));
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewCounter() { return std::make_unique<Counter>(); }

}  // namespace flowkit::components::controls
