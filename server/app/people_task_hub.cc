#include "app/people_task_hub.h"

#include <chrono>
#include <future>
#include <memory>

#include "app/services.h"
#include "app/system_webhooks.h"
#include "util/ids.h"
#include "util/js.h"

namespace flowkit::server {
namespace {

constexpr size_t kMaxTitleBytes = 1024;
constexpr size_t kMaxDescriptionBytes = 64 * 1024;
constexpr std::string_view kReceiverPrefix = "flowkit:people-task-receiver:";
constexpr std::string_view kWebhooksPrefix = "flowkit:people-task-webhooks:";
// How long a delivery waits for the engine to accept it (a runtime commit) before leaving it
// to the next run of the job.
constexpr auto kAcceptTimeout = std::chrono::seconds(30);
// A receiver record without its task is dropped only after this long: Create writes the record
// first, so a young one may belong to a task being created right now.
constexpr int64_t kOrphanAgeMs = 10 * 60 * 1000;
constexpr int64_t kDueBatch = 100;

std::string ReceiverKey(std::string_view task_id) { return std::string(kReceiverPrefix) + std::string(task_id); }

// What components see: Appmixer's plugin shape (the id under `taskId`, decisionMade once
// decided), without secrets.
Json ComponentTaskJson(const PeopleTaskRecord& task) {
  Json out = task.ToJson();
  out.Erase("id");
  out.Set("taskId", task.id);
  if (task.decision != "pending") out.Set("decisionMade", js::FormatIso(task.updated_ms));
  return out;
}

Status CheckText(const Json& body, const char* field, size_t max, bool required, std::string* out) {
  const Json& value = body.Get(field);
  if (value.IsUndefined() || value.IsNull()) {
    if (required) return Status::InvalidArgument(std::string("'") + field + "' is required");
    return Status::OK();
  }
  if (!value.IsString()) return Status::InvalidArgument(std::string("'") + field + "' must be a string");
  if (value.StringView().size() > max) {
    return Status::InvalidArgument(std::string("'") + field + "' is longer than " + std::to_string(max) + " bytes");
  }
  if (required && value.StringView().empty()) return Status::InvalidArgument(std::string("'") + field + "' is empty");
  *out = value.AsString();
  return Status::OK();
}

Status CheckEmail(const std::string& email, const char* field) {
  size_t at = email.find('@');
  if (email.size() > 320 || at == std::string::npos || at == 0 || at + 1 == email.size()) {
    return Status::InvalidArgument(std::string("'") + field + "' must be an e-mail address");
  }
  return Status::OK();
}

}  // namespace

std::string PeopleTaskSecret(const Services& services, std::string_view purpose, const PeopleTaskRecord& task) {
  std::string subject = task.id + "\n" + task.user_id;
  return task.user_id + "." + services.jwt->Capability(purpose, subject);
}

Status ApplyPeopleTaskFields(const Json& body, bool creating, PeopleTaskRecord* task) {
  FLOWKIT_RETURN_IF_ERROR(CheckText(body, "title", kMaxTitleBytes, creating, &task->title));
  FLOWKIT_RETURN_IF_ERROR(CheckText(body, "description", kMaxDescriptionBytes, false, &task->description));
  FLOWKIT_RETURN_IF_ERROR(CheckText(body, "approver", 320, creating, &task->approver));
  FLOWKIT_RETURN_IF_ERROR(CheckEmail(task->approver, "approver"));
  FLOWKIT_RETURN_IF_ERROR(CheckText(body, "requester", 320, false, &task->requester));
  if (!task->requester.empty()) FLOWKIT_RETURN_IF_ERROR(CheckEmail(task->requester, "requester"));
  const Json& by = body.Get("decisionBy");
  if (by.IsNull()) {
    task->deadline_ms = 0;
  } else if (!by.IsUndefined()) {
    std::optional<int64_t> ms = js::ParseDate(by);
    if (!ms) return Status::InvalidArgument("'decisionBy' must be a date (ISO 8601 or milliseconds)");
    task->deadline_ms = *ms;
  }
  const Json& data = body.Get("data");
  if (!data.IsUndefined()) {
    if (!data.IsObject()) return Status::InvalidArgument("'data' must be an object");
    task->data = data;
  }
  for (const char* fixed : {"status", "decision"}) {
    if (body.Contains(fixed)) {
      return Status::InvalidArgument(std::string("'") + fixed + "' changes only through approve or reject");
    }
  }
  return Status::OK();
}

PeopleTaskHub::PeopleTaskHub(Services& services) : s_(services) {}

std::string PeopleTaskHub::WebhooksKey(std::string_view user_id) {
  return std::string(kWebhooksPrefix) + std::string(user_id);
}

std::vector<std::string> PeopleTaskHub::WebhookUrls(std::string_view user_id) {
  std::vector<std::string> urls;
  Result<Json> hooks = s_.catalog->config().Get(WebhooksKey(user_id));
  if (!hooks.ok() || !hooks->IsObject()) return urls;
  for (const JsonMember& m : hooks->object()) urls.push_back(m.value.AsString());
  return urls;
}

Result<Json> PeopleTaskHub::Create(const PeopleTaskOwner& owner, const NewPeopleTask& fields) {
  if (owner.user_id.empty() || owner.flow_id.empty() || owner.component_id.empty()) {
    return Status::InvalidArgument("a people task needs the creating user, flow and component");
  }
  Json body = Json::MakeObject({{"title", fields.title},
                                {"description", fields.description},
                                {"requester", fields.requester},
                                {"approver", fields.approver}});
  if (fields.decision_by_ms != 0) body.Set("decisionBy", fields.decision_by_ms);
  PeopleTaskRecord task;
  task.id = internal::NewUuid4();
  task.user_id = owner.user_id;
  task.flow_id = owner.flow_id;
  task.component_id = owner.component_id;
  FLOWKIT_RETURN_IF_ERROR(ApplyPeopleTaskFields(body, true, &task));
  // The receiver first: a crash in between leaves a record without a task (dropped later),
  // never a task nobody hears about.
  const std::string key = ReceiverKey(task.id);
  FLOWKIT_RETURN_IF_ERROR(s_.catalog->config().Set(key, Json::MakeObject({{"userId", owner.user_id},
                                                                         {"flowId", owner.flow_id},
                                                                         {"componentId", owner.component_id},
                                                                         {"at", s_.clock->NowMillis()}})));
  Result<PeopleTaskRecord> created = s_.catalog->people_tasks().Create(std::move(task));
  if (!created.ok()) {
    (void)s_.catalog->config().Delete(key);
    return created.status();
  }
  Json out = ComponentTaskJson(*created);
  out.Set("approverSecret", PeopleTaskSecret(s_, kApproverPurpose, *created));
  out.Set("requesterSecret", PeopleTaskSecret(s_, kRequesterPurpose, *created));
  return out;
}

Result<Json> PeopleTaskHub::Get(const PeopleTaskOwner& owner, std::string_view task_id) {
  FLOWKIT_ASSIGN_OR_RETURN(PeopleTaskRecord task, s_.catalog->people_tasks().Get(Viewer{owner.user_id, ""}, task_id));
  return ComponentTaskJson(task);
}

Status PeopleTaskHub::Unregister(const PeopleTaskOwner& owner, std::string_view task_id) {
  const std::string key = ReceiverKey(task_id);
  Result<Json> receiver = s_.catalog->config().Get(key);
  if (receiver.status().code() == StatusCode::kNotFound) return Status::OK();
  FLOWKIT_RETURN_IF_ERROR(receiver.status());
  if ((*receiver)["flowId"].StringView() != owner.flow_id ||
      (*receiver)["componentId"].StringView() != owner.component_id) {
    return Status::OK();  // another component's task
  }
  Status st = s_.catalog->config().Delete(key);
  return st.code() == StatusCode::kNotFound ? Status::OK() : st;
}

Status PeopleTaskHub::Forget(std::string_view task_id) {
  Status st = s_.catalog->config().Delete(ReceiverKey(task_id));
  return st.code() == StatusCode::kNotFound ? Status::OK() : st;
}

void PeopleTaskHub::Changed(const PeopleTaskRecord& task) {
  (void)Deliver(task);
  s_.system_webhooks->PostTo(WebhookUrls(task.user_id), task.ToJson(), task.flow_id);
}

bool PeopleTaskHub::Deliver(const PeopleTaskRecord& task) {
  const std::string key = ReceiverKey(task.id);
  Result<Json> receiver = s_.catalog->config().Get(key);
  if (receiver.status().code() == StatusCode::kNotFound) return true;
  auto left_behind = [&](const std::string& why) {
    rescan_.store(true, std::memory_order_relaxed);
    s_.log->Warn("people task outcome not delivered yet; retried by the deadline job",
                 Json::MakeObject({{"taskId", Json(task.id)}, {"reason", Json(why)}}));
    return false;
  };
  if (!receiver.ok()) return left_behind(receiver.status().ToString());
  const std::string flow_id = (*receiver)["flowId"].AsString();
  const std::string component_id = (*receiver)["componentId"].AsString();
  WebhookRequest request;
  request.method = "POST";
  request.data = ComponentTaskJson(task);
  auto accepted = std::make_shared<std::promise<WebhookResponse>>();
  std::future<WebhookResponse> answer = accepted->get_future();
  Status submitted = s_.engine->SubmitWebhook(
      flow_id, component_id, std::move(request),
      [accepted](WebhookResponse response) { accepted->set_value(std::move(response)); }, /*enqueue_only=*/true);
  if (!submitted.ok()) {
    // Stopping a flow unregisters its tasks; a flow that is stopped or gone hears nothing.
    Result<FlowRecord> flow = s_.catalog->flows().Get(flow_id);
    const bool gone = flow.ok() ? flow->stage != "running" || !flow->descriptor.Contains(component_id)
                                : flow.status().code() == StatusCode::kNotFound;
    if (!gone) return left_behind(submitted.ToString());
    (void)s_.catalog->config().Delete(key);
    return true;
  }
  if (answer.wait_for(kAcceptTimeout) != std::future_status::ready) return left_behind("the engine did not accept it in time");
  WebhookResponse response = answer.get();
  if (response.status != 202) return left_behind("the engine answered " + std::to_string(response.status));
  Status removed = s_.catalog->config().Delete(key);
  // Not removed: delivered again later, which the component ignores (it reported the task).
  if (!removed.ok() && removed.code() != StatusCode::kNotFound) return left_behind(removed.ToString());
  return true;
}

void PeopleTaskHub::RunDueJob() {
  const int64_t now = s_.clock->NowMillis();
  for (;;) {
    Result<std::vector<PeopleTaskRecord>> due = s_.catalog->people_tasks().MarkDue(now, kDueBatch);
    if (!due.ok()) {
      s_.log->Error("people task deadline job failed", Json::MakeObject({{"error", Json(due.status().ToString())}}));
      break;
    }
    for (const PeopleTaskRecord& task : *due) Changed(task);
    if (due->size() < static_cast<size_t>(kDueBatch)) break;
  }
  if (rescan_.exchange(false, std::memory_order_relaxed)) Rescan();
}

void PeopleTaskHub::Rescan() {
  Result<std::vector<ConfigEntry>> entries = s_.catalog->config().List();
  if (!entries.ok()) {
    rescan_.store(true, std::memory_order_relaxed);
    return;
  }
  const int64_t now = s_.clock->NowMillis();
  for (const ConfigEntry& entry : *entries) {
    if (entry.key.compare(0, kReceiverPrefix.size(), kReceiverPrefix) != 0) continue;
    const std::string task_id = entry.key.substr(kReceiverPrefix.size());
    Result<PeopleTaskRecord> task =
        s_.catalog->people_tasks().Get(Viewer{entry.value["userId"].AsString(), ""}, task_id);
    if (task.status().code() == StatusCode::kNotFound) {
      if (now - entry.value["at"].AsInt() >= kOrphanAgeMs) {
        (void)s_.catalog->config().Delete(entry.key);
      } else {
        rescan_.store(true, std::memory_order_relaxed);  // look again once it is old enough
      }
      continue;
    }
    if (!task.ok()) {
      rescan_.store(true, std::memory_order_relaxed);
      continue;
    }
    if (task->status != "pending") (void)Deliver(*task);
  }
}

size_t PeopleTaskHub::ReceiverCount() {
  Result<std::vector<ConfigEntry>> entries = s_.catalog->config().List();
  if (!entries.ok()) return 0;
  size_t count = 0;
  for (const ConfigEntry& entry : *entries) {
    count += entry.key.compare(0, kReceiverPrefix.size(), kReceiverPrefix) == 0 ? 1 : 0;
  }
  return count;
}

}  // namespace flowkit::server
