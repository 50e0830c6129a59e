// MemoryPeopleTasks: people tasks in a map, for tests (flowkit/testing.h).
#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "flowkit/testing.h"
#include "util/ids.h"
#include "util/js.h"

namespace flowkit::testing {
namespace {

struct StoredTask {
  PeopleTaskOwner owner;
  NewPeopleTask fields;
  std::string id;
  std::string status = "pending";
  int64_t created_ms = 0;
  int64_t mtime_ms = 0;
  int64_t decided_ms = 0;
  bool registered = true;
  uint64_t seq = 0;

  Json ToJson() const {
    Json out = Json::MakeObject({{"taskId", id},
                                 {"title", fields.title},
                                 {"description", fields.description},
                                 {"requester", fields.requester},
                                 {"approver", fields.approver},
                                 {"status", status},
                                 {"userId", owner.user_id},
                                 {"flowId", owner.flow_id},
                                 {"componentId", owner.component_id},
                                 {"created", js::FormatIso(created_ms)},
                                 {"mtime", js::FormatIso(mtime_ms)}});
    if (fields.decision_by_ms != 0) out.Set("decisionBy", js::FormatIso(fields.decision_by_ms));
    if (decided_ms != 0) out.Set("decisionMade", js::FormatIso(decided_ms));
    return out;
  }
};

bool LooksLikeEmail(std::string_view text) {
  size_t at = text.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < text.size();
}

}  // namespace

struct MemoryPeopleTasks::Impl {
  const Clock* clock;
  mutable std::mutex mu;
  std::map<std::string, StoredTask, std::less<>> tasks;  // guarded by mu
  uint64_t next_seq = 0;                                 // guarded by mu
  Delivery delivery;                                     // guarded by mu

  // Marks the task's receiver consumed and hands back what to deliver. REQUIRES: mu held.
  std::optional<std::pair<PeopleTaskOwner, Json>> TakeOutcome(StoredTask& task) {
    if (!task.registered || !delivery) return std::nullopt;
    task.registered = false;
    return std::make_pair(task.owner, task.ToJson());
  }
};

MemoryPeopleTasks::MemoryPeopleTasks(const Clock* clock) : impl_(std::make_unique<Impl>()) {
  impl_->clock = clock != nullptr ? clock : SystemClock();
}

MemoryPeopleTasks::~MemoryPeopleTasks() = default;

void MemoryPeopleTasks::SetDelivery(Delivery delivery) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->delivery = std::move(delivery);
}

Result<Json> MemoryPeopleTasks::Create(const PeopleTaskOwner& owner, const NewPeopleTask& task) {
  if (task.title.empty()) return Status::InvalidArgument("'title' is required");
  if (!LooksLikeEmail(task.approver)) return Status::InvalidArgument("'approver' must be an e-mail address");
  if (!task.requester.empty() && !LooksLikeEmail(task.requester)) {
    return Status::InvalidArgument("'requester' must be an e-mail address");
  }
  StoredTask stored;
  stored.owner = owner;
  stored.fields = task;
  stored.id = internal::NewUuid4();
  stored.created_ms = stored.mtime_ms = impl_->clock->NowMillis();
  std::lock_guard<std::mutex> lock(impl_->mu);
  stored.seq = impl_->next_seq++;
  Json out = stored.ToJson();
  out.Set("approverSecret", "approver-" + stored.id);
  out.Set("requesterSecret", "requester-" + stored.id);
  impl_->tasks.emplace(stored.id, std::move(stored));
  return out;
}

Result<Json> MemoryPeopleTasks::Get(const PeopleTaskOwner& owner, std::string_view task_id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->tasks.find(task_id);
  if (it == impl_->tasks.end() || it->second.owner.user_id != owner.user_id) {
    return Status::NotFound("people task '" + std::string(task_id) + "' not found");
  }
  return it->second.ToJson();
}

Status MemoryPeopleTasks::Unregister(const PeopleTaskOwner& owner, std::string_view task_id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->tasks.find(task_id);
  if (it != impl_->tasks.end() && it->second.owner.flow_id == owner.flow_id &&
      it->second.owner.component_id == owner.component_id) {
    it->second.registered = false;
  }
  return Status::OK();
}

Status MemoryPeopleTasks::Decide(std::string_view task_id, std::string_view decision) {
  if (decision != "approved" && decision != "rejected") {
    return Status::InvalidArgument("decision '" + std::string(decision) + "' is not approved or rejected");
  }
  std::optional<std::pair<PeopleTaskOwner, Json>> outcome;
  Delivery delivery;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto it = impl_->tasks.find(task_id);
    if (it == impl_->tasks.end()) return Status::NotFound("people task '" + std::string(task_id) + "' not found");
    StoredTask& task = it->second;
    if (task.status == "approved" || task.status == "rejected") {
      return Status::FailedPrecondition("people task '" + task.id + "' was already " + task.status);
    }
    task.status = std::string(decision);
    task.decided_ms = task.mtime_ms = impl_->clock->NowMillis();
    outcome = impl_->TakeOutcome(task);
    delivery = impl_->delivery;
  }
  if (!outcome) return Status::OK();
  return delivery(outcome->first, outcome->second);
}

std::vector<std::string> MemoryPeopleTasks::MarkDue(int64_t now_ms) {
  std::vector<std::string> due;
  std::vector<std::pair<PeopleTaskOwner, Json>> outcomes;
  Delivery delivery;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (auto& [id, task] : impl_->tasks) {
      if (task.status != "pending" || task.fields.decision_by_ms == 0 || task.fields.decision_by_ms > now_ms) continue;
      task.status = "due";
      task.mtime_ms = impl_->clock->NowMillis();
      due.push_back(id);
      if (auto outcome = impl_->TakeOutcome(task)) outcomes.push_back(std::move(*outcome));
    }
    delivery = impl_->delivery;
  }
  for (auto& [receiver, task] : outcomes) (void)delivery(receiver, task);
  return due;
}

std::vector<Json> MemoryPeopleTasks::tasks() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<const StoredTask*> ordered;
  for (const auto& [id, task] : impl_->tasks) ordered.push_back(&task);
  std::sort(ordered.begin(), ordered.end(), [](const StoredTask* a, const StoredTask* b) { return a->seq < b->seq; });
  std::vector<Json> out;
  for (const StoredTask* task : ordered) out.push_back(task->ToJson());
  return out;
}

bool MemoryPeopleTasks::registered(std::string_view task_id) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->tasks.find(task_id);
  return it != impl_->tasks.end() && it->second.registered;
}

}  // namespace flowkit::testing
