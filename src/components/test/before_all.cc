// appmixer.utils.test.BeforeAll: starts a test run. The triggering message is parked (with its
// scope) until every registered signal receiver has answered the run's signal, then goes out
// with that scope so downstream variables resolve as if it had passed straight through.
#include <cmath>
#include <string>

#include "components/test/e2e.h"
#include "flowkit/json.h"
#include "util/js.h"

namespace flowkit::components::e2e {
namespace {

constexpr double kDefaultSyncTimeoutMs = 60000;

// config.syncTimeout || 60000.
int64_t SyncTimeoutMs(const Context& ctx) {
  const Json& configured = ctx.config().Get("syncTimeout");
  double ms = js::Truthy(configured) ? js::ToNumber(configured) : kDefaultSyncTimeoutMs;
  if (std::isnan(ms)) ms = kDefaultSyncTimeoutMs;
  return static_cast<int64_t>(ms);
}

class BeforeAll final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    const int64_t sync_timeout = SyncTimeoutMs(ctx);
    FLOWKIT_ASSIGN_OR_RETURN(Json state, ctx.state().Load());

    if (const Message* timeout = ctx.Input(kTimeoutPort)) {
      // A timer of an earlier run that outlived it must not abort the current one.
      if (!js::StrictEquals(timeout->Content().Get("runId"), state.Get("runId")))
        return Status::OK();
      ctx.Log(Json::MakeObject({{"err", "AfterAll component did not respond within " +
                                            std::to_string(sync_timeout) + " ms."}}),
              LogLevel::kWarning);
      FLOWKIT_RETURN_IF_ERROR(ctx.state().Clear());
      return ctx.flow_state().Unset(kRunStateKey);
    }

    const int64_t now = ctx.clock().NowMillis();
    // Only one trigger per run: while a run waits for its receivers, further triggers are dropped.
    if (js::Truthy(state.Get("waitingForSync"))) {
      std::optional<int64_t> waiting_since = js::ParseDate(state.Get("waitingForSync"));
      if (waiting_since && now - *waiting_since < sync_timeout) return Status::OK();
    }

    const std::string run_id = Context::NewId();
    const std::string now_iso = js::FormatIso(now);
    FLOWKIT_RETURN_IF_ERROR(ctx.flow_state().Set(
        kRunStateKey, Json::MakeObject({{"started", now_iso}, {"runId", run_id}})));
    FLOWKIT_ASSIGN_OR_RETURN(std::string timeout_id,
                             ctx.SetTimeout(Json::MakeObject({{"runId", run_id}}), sync_timeout));
    FLOWKIT_RETURN_IF_ERROR(
        ctx.state().Save(Json::MakeObject({{"runId", run_id},
                                           {"timeoutId", timeout_id},
                                           {"waitingForSync", now_iso},
                                           {"signalsArrived", Json::MakeArray()},
                                           {"scope", ctx.ScopeJson()}})));
    return ctx.SendSignal(
        Json::MakeObject({{"beforeAll", Json::MakeObject({{"now", now_iso}, {"runId", run_id}})}}));
  }

  // Counts the receivers' answers; the last one releases the parked message.
  Status Signal(Context& ctx) override {
    const Message* signal = ctx.Input(kSignalPort);
    if (signal == nullptr) return Status::OK();
    FLOWKIT_ASSIGN_OR_RETURN(auto lock, ctx.Lock(ctx.component_id()));
    FLOWKIT_ASSIGN_OR_RETURN(Json state, ctx.state().Load());
    const Json& content = signal->Content();
    // Answers to an earlier run, and signals that are not answers (our own broadcast), are ignored.
    if (!js::StrictEquals(content.Get("runId"), state.Get("runId"))) return Status::OK();
    const Json& sender = content.Get("componentId");
    if (!js::Truthy(sender)) return Status::OK();

    FLOWKIT_ASSIGN_OR_RETURN(bool added, ctx.state().AddToSet("signalsArrived", sender));
    (void)added;
    FLOWKIT_ASSIGN_OR_RETURN(Json arrived, ctx.state().Get("signalsArrived"));
    if (!arrived.IsArray()) {
      ctx.Log(Json::MakeObject(
                  {{"error", "Invalid signalsArrived array."}, {"signalsArrived", arrived}}),
              LogLevel::kError);
      return Status::OK();
    }
    FLOWKIT_ASSIGN_OR_RETURN(Json expected, ctx.flow_state().Get(kSignalReceiversKey));
    if (!expected.IsArray()) return Status::OK();
    for (const Json& receiver : expected.array()) {
      bool answered = false;
      for (const Json& id : arrived.array()) {
        if (js::StrictEquals(id, receiver.Get("componentId"))) {
          answered = true;
          break;
        }
      }
      if (!answered) return Status::OK();
    }

    const Json& scope = state.Get("scope");
    SendOptions options;
    if (scope.IsObject()) options.scope = &scope;
    FLOWKIT_RETURN_IF_ERROR(ctx.Send(
        "out", Json::MakeObject({{"now", ctx.clock().NowMillis()}, {"runId", state.Get("runId")}}),
        options));
    FLOWKIT_RETURN_IF_ERROR(ctx.state().Unset("waitingForSync"));
    return ctx.ClearTimeout(state.Get("timeoutId").StringView());
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewBeforeAll() { return std::make_unique<BeforeAll>(); }

}  // namespace flowkit::components::e2e
