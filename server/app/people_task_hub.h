// People tasks behind flowkitd: the component-facing PeopleTaskService on the catalog, and the
// outcome deliveries (a decision through /people-task/tasks/:id/approve|reject, or the
// deadline job marking a task due).
//
// Receivers are durable: a task created by a component has a record under the reserved config
// key "flowkit:people-task-receiver:<taskId>" → {userId, flowId, componentId}, written before the
// task itself, so no task exists without its receiver (a record whose task never came is
// dropped by the next rescan). An outcome goes to the component natively, as a webhook call
// queued with Engine::SubmitWebhook(enqueue_only); the record is deleted once the engine has
// accepted it (committed, on the LMDB runtime). A delivery that could not be queued leaves the
// record, and the deadline job retries it; a stopped or deleted flow's records are dropped.
// Outcomes also go to the owner's task webhooks (HTTP, best effort, SystemWebhooks).
//
// The deadline job runs on the API thread pool every ServerOptions::people_task_due_interval_ms
// (and once at start): overdue pending tasks become "due" (PeopleTaskCatalog::MarkDue, once per
// task) and their receivers are told.
//
// Threading: thread-safe. Deliveries block until the engine accepted them: call from the API
// pool or the job, never from the HTTP loop or an engine thread.
#pragma once

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/catalog.h"
#include "flowkit/people_tasks.h"

namespace flowkit::server {

struct Services;

inline constexpr std::string_view kApproverPurpose = "people-task:approver";
inline constexpr std::string_view kRequesterPurpose = "people-task:requester";

// A task link's secret: "<ownerId>.<mac>" — an HMAC under the server's token key over the
// task and its owner, for `purpose` (kApproverPurpose: read and decide; kRequesterPurpose: read).
std::string PeopleTaskSecret(const Services& services, std::string_view purpose, const PeopleTaskRecord& task);

// Applies {title, description, requester, approver, decisionBy, data} of `body` to `task`;
// `creating` makes title and approver required. kInvalidArgument naming the field.
Status ApplyPeopleTaskFields(const Json& body, bool creating, PeopleTaskRecord* task);

class PeopleTaskHub final : public PeopleTaskService {
 public:
  explicit PeopleTaskHub(Services& services);  // `services` must outlive the hub

  Result<Json> Create(const PeopleTaskOwner& owner, const NewPeopleTask& task) override;
  Result<Json> Get(const PeopleTaskOwner& owner, std::string_view task_id) override;
  Status Unregister(const PeopleTaskOwner& owner, std::string_view task_id) override;

  // Task `task_id` was deleted: its receiver record goes too.
  Status Forget(std::string_view task_id);
  // `task` was decided or fell due: tell its receiver and its owner's task webhooks.
  void Changed(const PeopleTaskRecord& task);
  // One run of the deadline job; then retries the receivers left behind by failed deliveries
  // (all of them on the first run after start).
  void RunDueJob();

  // The config key of a user's task webhooks ({webhookId: url}), and their URLs.
  static std::string WebhooksKey(std::string_view user_id);
  std::vector<std::string> WebhookUrls(std::string_view user_id);
  // How many receiver records exist (tests).
  size_t ReceiverCount();

 private:
  // Delivers `task` to its receiver, if it has one; returns whether none is left behind.
  bool Deliver(const PeopleTaskRecord& task);
  void Rescan();

  Services& s_;
  std::atomic<bool> rescan_{true};  // receivers may be waiting for a retry
};

}  // namespace flowkit::server
