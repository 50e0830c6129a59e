// appmixer.utils.test.Join: pairs the current run's message on `join` with every message on
// `in`, sending {join, in} with both scopes merged. Messages of a run that has not started or
// has ended (flow state `state` missing or done) are dropped.
#include <string>

#include "components/test/e2e.h"
#include "flowkit/json.h"
#include "util/js.h"

namespace flowkit::components::e2e {
namespace {

constexpr std::string_view kBeforeAllType = "appmixer.utils.test.BeforeAll";

// The run id BeforeAll put into the scope of this message (`scope[<BeforeAll>].out.runId`); the
// last BeforeAll in the descriptor wins, as in Appmixer.
Result<Json> RunIdFromScope(const Context& ctx, const Json& scope) {
  const Json* run_id = nullptr;
  std::string before_all;
  for (const JsonMember& node : ctx.flow_descriptor().object()) {
    if (node.value.Get("type").StringView() != kBeforeAllType) continue;
    before_all = node.key;
    run_id = &scope.Get(node.key).Get("out").Get("runId");
  }
  if (run_id == nullptr)
    return Status::InvalidArgument("BeforeAll component not found in the flow.");
  // Appmixer fails here too (reading `.out` of undefined): the join message did not pass BeforeAll.
  if (!scope.Get(before_all).IsObject()) {
    return Status::InvalidArgument("the join message's run has no output of BeforeAll " +
                                   before_all);
  }
  return *run_id;
}

// Object.assign(target, source) on scopes.
void Merge(Json& target, const Json& source) {
  for (const JsonMember& member : source.object()) target.Set(member.key, member.value);
}

class Join final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(auto lock, ctx.Lock(ctx.component_id()));
    FLOWKIT_ASSIGN_OR_RETURN(Json state, ctx.state().Load());
    FLOWKIT_ASSIGN_OR_RETURN(Json run, ctx.flow_state().Get(kRunStateKey));
    if (!js::Truthy(run) || js::Truthy(run.Get("done"))) return ctx.state().Clear();

    const Message* join = ctx.Input("join");
    const Message* in = ctx.Input("in");
    if (join != nullptr || in != nullptr) {
      Json scope = ctx.ScopeJson();
      if (join != nullptr) {
        FLOWKIT_ASSIGN_OR_RETURN(Json run_id, RunIdFromScope(ctx, scope));
        state.Set("join", join->Content());
        state.Set("joinScope", scope);
        state.Set("runId", std::move(run_id));
      }
      if (in != nullptr) {
        Json& queue = state.Get("queue").IsArray() ? *state.Find("queue")
                                                   : state.Set("queue", Json::MakeArray());
        queue.Push(Json::MakeObject({{"content", in->Content()}, {"scope", std::move(scope)}}));
      }
    }

    // A join message kept from an earlier run does not pair with this run's messages.
    const Json& queue = state.Get("queue");
    if (js::Truthy(state.Get("join")) && js::StrictEquals(state.Get("runId"), run.Get("runId")) &&
        queue.IsArray() && !queue.empty()) {
      for (const Json& item : queue.array()) {
        Json scope = item.Get("scope").IsObject() ? item.Get("scope") : Json::MakeObject();
        Merge(scope, state.Get("joinScope"));
        FLOWKIT_RETURN_IF_ERROR(ctx.Send(
            "out", Json::MakeObject({{"join", state.Get("join")}, {"in", item.Get("content")}}),
            SendOptions{.scope = &scope}));
      }
      state.Set("queue", Json::MakeArray());
    }
    return ctx.state().Save(std::move(state));
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewJoin() { return std::make_unique<Join>(); }

}  // namespace flowkit::components::e2e
