// appmixer.utils.test.Tick: sends {time} on every tick.
#include "components/test/e2e.h"
#include "flowkit/json.h"

namespace flowkit::components::e2e {
namespace {

class Ticker final : public Behaviour {
 public:
  Status Tick(Context& ctx) override {
    return ctx.Send("out", Json::MakeObject({{"time", NowIso(ctx)}}));
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewTick() { return std::make_unique<Ticker>(); }

}  // namespace flowkit::components::e2e
