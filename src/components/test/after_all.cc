// appmixer.utils.test.AfterAll: ends a test run. With one source component it forwards the first
// message; with several it waits until a message has come through every (component, port) link
// in its `source.in`, then sends all collected contents as one array with the branches' scopes
// merged. A timer armed by BeforeAll's signal reports the links that never delivered.
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "components/test/e2e.h"
#include "flowkit/json.h"
#include "util/js.h"

namespace flowkit::components::e2e {
namespace {

constexpr double kDefaultTimeoutSeconds = 180;

// "<componentId>:<port>" for every link into our in-port, in descriptor order.
std::vector<std::string> ConnectedLinks(const Context& ctx) {
  std::vector<std::string> links;
  const Json& sources = ctx.flow_descriptor().Get(ctx.component_id()).Get("source").Get("in");
  for (const JsonMember& source : sources.object()) {
    for (const Json& port : source.value.array())
      links.push_back(source.key + ":" + js::ToString(port));
  }
  return links;
}

size_t ConnectedComponentCount(const Context& ctx) {
  return ctx.flow_descriptor().Get(ctx.component_id()).Get("source").Get("in").object().size();
}

// The link the current message came through: the last hop of the scope's walkthrough (Appmixer
// reads it there); the delivery's own sender when the scope has none.
std::string ArrivalLink(const Context& ctx, const Json& scope) {
  const Json& walkthrough = scope.Get("_walkthrough");
  if (walkthrough.IsArray() && !walkthrough.empty()) {
    const Json& link = walkthrough.At(walkthrough.size() - 1).Get("links").At(0);
    if (link.IsObject())
      return js::ToString(link.Get("sourceId")) + ":" + js::ToString(link.Get("sourceOut"));
  }
  const Message* in = ctx.Input("in");
  return in == nullptr ? std::string(":") : in->source_component + ":" + in->source_port;
}

class AfterAll final : public Behaviour {
 public:
  Status Start(Context& ctx) override { return RegisterSignalReceiver(ctx); }

  // BeforeAll's signal opens a run: arm the timeout once per run id and answer.
  Status Signal(Context& ctx) override {
    const Message* signal = ctx.Input(kSignalPort);
    if (signal == nullptr) return Status::OK();
    const Json& before_all = signal->Content().Get("beforeAll");
    if (!js::Truthy(before_all)) return Status::OK();
    const Json& run_id = before_all.Get("runId");
    FLOWKIT_ASSIGN_OR_RETURN(auto lock, ctx.Lock(js::ToString(run_id)));
    FLOWKIT_ASSIGN_OR_RETURN(Json state, ctx.state().Load());
    // The same run's signal may be delivered more than once.
    if (js::StrictEquals(state.Get("runId"), run_id)) return Status::OK();

    double seconds = js::ToNumber(ctx.properties().Get("timeout"));
    if (std::isnan(seconds)) seconds = kDefaultTimeoutSeconds;
    FLOWKIT_ASSIGN_OR_RETURN(std::string timeout_id,
                             ctx.SetTimeout(Json::MakeObject({{"runId", run_id}}),
                                            static_cast<int64_t>(seconds * 1000)));
    FLOWKIT_RETURN_IF_ERROR(ctx.state().Save(Json::MakeObject(
        {{"timeoutId", timeout_id}, {"runId", run_id}, {"inputsArrived", Json::MakeArray()}})));
    return ctx.SendSignal(Json::MakeObject({{"componentId", ctx.component_id()},
                                            {"componentType", ctx.component_type()},
                                            {"runId", run_id}}));
  }

  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(auto lock, ctx.Lock(ctx.component_id()));
    FLOWKIT_ASSIGN_OR_RETURN(Json state, ctx.state().Load());
    // After a timeout nothing counts until BeforeAll's next signal starts a new run.
    if (js::Truthy(state.Get("timedOut"))) return Status::OK();
    if (const Message* timeout = ctx.Input(kTimeoutPort)) return TimedOut(ctx, state, *timeout);

    const Message* in = ctx.Input("in");
    if (in == nullptr) return Status::OK();

    if (ConnectedComponentCount(ctx) == 1) {
      FLOWKIT_RETURN_IF_ERROR(Finish(ctx, state));
      return ctx.Send("out", in->Content());
    }

    Json messages =
        state.Get("inputMessages").IsArray() ? state.Get("inputMessages") : Json::MakeArray();
    messages.Push(in->Content());
    // Every branch's outputs stay addressable after AfterAll; the walkthrough is the last
    // message's (Object.assign semantics).
    Json scope = state.Get("scope").IsObject() ? state.Get("scope") : Json::MakeObject();
    Json current = ctx.ScopeJson();
    for (JsonMember& member : current.MutableObject())
      scope.Set(member.key, std::move(member.value));

    Json arrived =
        state.Get("inputsArrived").IsArray() ? state.Get("inputsArrived") : Json::MakeArray();
    std::set<std::string> arrived_set;
    for (const Json& link : arrived.array()) arrived_set.insert(js::ToString(link));
    std::string link = ArrivalLink(ctx, scope);
    if (arrived_set.insert(link).second) arrived.Push(link);

    std::vector<std::string> awaited = ConnectedLinks(ctx);
    const std::set<std::string> awaited_set(awaited.begin(), awaited.end());
    if (arrived_set.size() >= awaited_set.size()) {
      FLOWKIT_RETURN_IF_ERROR(Finish(ctx, state));
      return ctx.Send("out", std::move(messages), SendOptions{.scope = &scope});
    }
    FLOWKIT_RETURN_IF_ERROR(ctx.state().Set("inputsArrived", std::move(arrived)));
    FLOWKIT_RETURN_IF_ERROR(ctx.state().Set("inputMessages", std::move(messages)));
    return ctx.state().Set("scope", std::move(scope));
  }

 private:
  // The run is complete: drop the timer and the collection, tell test.Join the run is done.
  static Status Finish(Context& ctx, const Json& state) {
    FLOWKIT_RETURN_IF_ERROR(ctx.ClearTimeout(state.Get("timeoutId").StringView()));
    FLOWKIT_RETURN_IF_ERROR(ctx.state().Clear());
    return ctx.flow_state().Set(kRunStateKey, Json::MakeObject({{"done", NowIso(ctx)}}));
  }

  static Status TimedOut(Context& ctx, const Json& state, const Message& timeout) {
    // A timer of a run that already finished (its state was cleared) is stale.
    if (!js::StrictEquals(timeout.Content().Get("runId"), state.Get("runId"))) return Status::OK();
    FLOWKIT_RETURN_IF_ERROR(ctx.state().Save(Json::MakeObject({{"timedOut", true}})));
    FLOWKIT_RETURN_IF_ERROR(
        ctx.flow_state().Set(kRunStateKey, Json::MakeObject({{"done", NowIso(ctx)}})));

    std::set<std::string> arrived;
    for (const Json& link : state.Get("inputsArrived").array()) arrived.insert(js::ToString(link));
    Json missing = Json::MakeArray();
    for (const std::string& link : ConnectedLinks(ctx)) {
      if (arrived.count(link) != 0) continue;
      size_t colon = link.rfind(':');
      std::string component_id = link.substr(0, colon);
      const Json& node = ctx.flow_descriptor().Get(component_id);
      std::string name = js::Truthy(node.Get("label"))  ? js::ToString(node.Get("label"))
                         : js::Truthy(node.Get("type")) ? js::ToString(node.Get("type"))
                                                        : component_id;
      missing.Push(name + ":" + link.substr(colon + 1));
    }
    return ctx.Send(
        "out", Json::MakeObject({{"message", "timed out"}, {"timedOutLinks", std::move(missing)}}));
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewAfterAll() { return std::make_unique<AfterAll>(); }

}  // namespace flowkit::components::e2e
