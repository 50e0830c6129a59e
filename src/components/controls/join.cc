// Join: many links into one in-port; every message passes on by itself (no waiting).
#include "components/controls/controls.h"
#include "components/input_util.h"

namespace flowkit::components::controls {
namespace {

class Join final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    return ctx.Send("out", in->Content());
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewJoin() { return std::make_unique<Join>(); }

}  // namespace flowkit::components::controls
