// appmixer.utils.tasks.*: people tasks (appmixer-utils.md §2.8).
//
// RequestApproval creates a task through Context::people_tasks() and emits it on `created`;
// the task's outcome (approved, rejected, due) comes back later on the port of that name.
//
// How the outcome arrives: Appmixer's component registers its webhook URL with the tasks plugin,
// which POSTs the task there over HTTP. Here the host delivers it natively instead — a webhook
// call queued with Engine::SubmitWebhook(enqueue_only), which a durable runtime commits before
// the host drops the registration (people_tasks.h) — so no loopback HTTP, no retry queue that a
// restart forgets, and no dependence on the public URL being reachable from the server itself.
// The component keeps the ids of the tasks it waits for in its state (committed with the hop
// that emits `created`), and on a webhook call reads the task back from the service rather
// than trusting the request: the webhook URL is public, so anyone could POST "approved" to it.
// A task not in the state (already reported, or never ours) is ignored, which also makes the
// at-least-once delivery report each outcome once.
#include <array>
#include <optional>
#include <string>

#include "components/builtin_registry.h"
#include "flowkit/component.h"
#include "util/js.h"

namespace flowkit::components {
namespace tasks {
namespace {

PeopleTaskOwner OwnerOf(const Context& ctx) {
  return PeopleTaskOwner{ctx.user_id(), ctx.flow_id(), ctx.component_id()};
}

// Appmixer's components rename the plugin's `taskId` to `id`.
Json WithId(Json task) {
  if (task.Contains("taskId")) {
    task.Set("id", task["taskId"]);
    task.Erase("taskId");
  }
  return task;
}

std::string TextField(const Json& in, const char* name) {
  const Json& value = in[name];
  return value.IsString() ? value.AsString() : std::string();
}

class RequestApproval final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    if (ctx.kind() == InvocationKind::kWebhook) return Outcome(ctx);
    const Json& in = ctx.Input("task")->Content();
    NewPeopleTask task;
    task.title = TextField(in, "title");
    task.description = TextField(in, "description");
    task.requester = TextField(in, "requester");
    task.approver = TextField(in, "approver");
    std::optional<int64_t> by = js::ParseDate(in["decisionBy"]);
    if (!by) {
      return Status::InvalidArgument("Request Approval: 'decisionBy' must be a date and time (ISO 8601), got " +
                                     in["decisionBy"].Dump());
    }
    task.decision_by_ms = *by;
    FLOWKIT_ASSIGN_OR_RETURN(Json created, ctx.people_tasks().Create(OwnerOf(ctx), task));
    Json out = WithId(std::move(created));
    const std::string id = out["id"].AsString();
    FLOWKIT_RETURN_IF_ERROR(ctx.Send("created", std::move(out)));
    return ctx.state().Set(id, Json::MakeObject());
  }

  // Drops the registration of every task still waited for (Appmixer deletes its webhooks).
  Status Stop(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(Json waiting, ctx.state().Load());
    Status first;
    for (const JsonMember& entry : waiting.object()) {
      Status st = ctx.people_tasks().Unregister(OwnerOf(ctx), entry.key);
      if (first.ok() && !st.ok()) first = st;
    }
    return first;
  }

 private:
  Status Outcome(Context& ctx) {
    const Json& data = ctx.Input(kWebhookPort)->Content()["data"];
    std::string id = TextField(data, "taskId");
    if (id.empty()) id = TextField(data, "id");
    FLOWKIT_ASSIGN_OR_RETURN(Json waited, ctx.state().Get(id));
    if (!id.empty() && !waited.IsUndefined()) {
      Result<Json> task = ctx.people_tasks().Get(OwnerOf(ctx), id);
      if (task.status().code() == StatusCode::kNotFound) {
        FLOWKIT_RETURN_IF_ERROR(ctx.state().Unset(id));  // deleted meanwhile: nothing will come
      } else if (!task.ok()) {
        return task.status();
      } else if (std::string status = (*task)["status"].AsString(); status != "pending") {
        FLOWKIT_RETURN_IF_ERROR(ctx.Send(status, WithId(std::move(*task))));
        FLOWKIT_RETURN_IF_ERROR(ctx.state().Unset(id));
      }
    }
    return ctx.Respond(Json::MakeObject({{"status", "success"}}), 200,
                       Json::MakeObject({{"Content-Type", "application/json"}}));
  }
};

}  // namespace
}  // namespace tasks

Status RegisterTasksComponents(ComponentRegistry& registry) {
  const std::array<BuiltinComponent, 1> table = {{
      {"appmixer.utils.tasks.RequestApproval", [] { return std::make_unique<tasks::RequestApproval>(); }, {}},
  }};
  return RegisterBuiltinTable(registry, table);
}

}  // namespace flowkit::components
