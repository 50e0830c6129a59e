// appmixer.utils.test.CallCount: collects the original contents of incoming messages and sends
// them as one array when exactly `callCount` have arrived in the current run.
#include <string>

#include "components/test/e2e.h"
#include "flowkit/json.h"
#include "util/js.h"

namespace flowkit::components::e2e {
namespace {

class CallCount final : public Behaviour {
 public:
  Status Start(Context& ctx) override { return RegisterSignalReceiver(ctx); }

  // BeforeAll's signal starts a run: forget the previous one and answer.
  Status Signal(Context& ctx) override {
    const Message* signal = ctx.Input(kSignalPort);
    if (signal == nullptr) return Status::OK();
    const Json& before_all = signal->Content().Get("beforeAll");
    if (!js::Truthy(before_all)) return Status::OK();
    FLOWKIT_RETURN_IF_ERROR(ctx.state().Clear());
    return ctx.SendSignal(Json::MakeObject({{"componentId", ctx.component_id()},
                                            {"componentType", ctx.component_type()},
                                            {"runId", before_all.Get("runId")}}));
  }

  Status Receive(Context& ctx) override {
    const Message* in = ctx.Input("in");
    if (in == nullptr) return Status::OK();
    // Appmixer locks the flow, so every CallCount of the flow counts one message at a time.
    FLOWKIT_ASSIGN_OR_RETURN(auto lock, ctx.Lock(ctx.flow_id()));
    FLOWKIT_ASSIGN_OR_RETURN(Json state, ctx.state().Load());
    const Json& stored_count = state.Get("callCount");
    double count = stored_count.IsUndefined() ? 0 : js::ToNumber(stored_count);
    Json messages = state.Get("messages").IsArray() ? state.Get("messages") : Json::MakeArray();
    messages.Push(in->OriginalContent());

    count += 1;
    // Exactly the requested count (===): the array goes out once; later messages of the run
    // keep counting past it and never fire again.
    if (js::StrictEquals(Json(count), in->Content().Get("callCount"))) {
      FLOWKIT_RETURN_IF_ERROR(ctx.Send("out", std::move(messages)));
      return ctx.state().Save(Json::MakeObject({{"callCount", count}}));
    }
    return ctx.state().Save(
        Json::MakeObject({{"callCount", count}, {"messages", std::move(messages)}}));
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewCallCount() { return std::make_unique<CallCount>(); }

}  // namespace flowkit::components::e2e
