// OnStart (fires once when the flow starts) and StopFlow (stops the flow).
#include "components/controls/controls.h"
#include "util/js.h"

namespace flowkit::components::controls {
namespace {

class OnStart final : public Behaviour {
 public:
  Status Start(Context& ctx) override {
    return ctx.Send("out", Json::MakeObject({{"started", js::FormatIso(ctx.clock().NowMillis())}}));
  }
};

class StopFlow final : public Behaviour {
 public:
  Status Receive(Context& ctx) override { return ctx.StopFlow(); }
};

}  // namespace

std::unique_ptr<Behaviour> NewOnStart() { return std::make_unique<OnStart>(); }
std::unique_ptr<Behaviour> NewStopFlow() { return std::make_unique<StopFlow>(); }

}  // namespace flowkit::components::controls
