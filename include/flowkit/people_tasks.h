// People tasks for components: how a component (appmixer.utils.tasks.RequestApproval) asks a
// person for a decision and hears about it, without the engine knowing where tasks are kept.
//
// The host supplies a PeopleTaskService (EngineOptions::people_tasks); a component reaches it
// through Context::people_tasks(). Create stores a pending task owned by the flow's user and
// registers the creating component as the receiver of its outcome. When the task is decided
// (approved or rejected) or its decisionBy passes (due), the host delivers the outcome natively:
// the component gets a webhook call (InvocationKind::kWebhook) whose request is
// {method: "POST", data: <the task JSON>}, queued through Engine::SubmitWebhook with
// enqueue_only, so on a durable runtime the delivery is committed before the host forgets the
// registration. Delivery is at least once; a receiver treats the request only as a hint and
// reads the task back with Get (a webhook URL is public, so its data is not to be trusted).
//
// Task JSON is Appmixer's plugin shape: {taskId, title, description, requester, approver,
// status ("pending" | "approved" | "rejected" | "due"), decisionBy (ISO), decisionMade?,
// flowId, created, mtime, ...}; Create's answer adds approverSecret and requesterSecret.
//
// Threading: services are called from engine worker threads, concurrently; implementations are
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit {

// The component that creates a task and receives its outcome.
struct PeopleTaskOwner {
  std::string user_id;  // the flow's owner, who owns the task
  std::string flow_id;
  std::string component_id;
};

struct NewPeopleTask {
  std::string title;
  std::string description;
  std::string requester;  // e-mail
  std::string approver;   // e-mail
  int64_t decision_by_ms = 0;  // epoch ms; 0 = no deadline
};

class PeopleTaskService {
 public:
  virtual ~PeopleTaskService() = default;
  // Creates a pending task owned by owner.user_id and registers `owner` as the receiver of its
  // outcome; both are durable when this returns OK. Returns the task JSON with its secrets.
  // kInvalidArgument for a missing title or approver or a malformed e-mail address.
  virtual Result<Json> Create(const PeopleTaskOwner& owner, const NewPeopleTask& task) = 0;
  // The task as stored now (no secrets). kNotFound unless owner.user_id owns task `task_id`.
  virtual Result<Json> Get(const PeopleTaskOwner& owner, std::string_view task_id) = 0;
  // Stops delivering task `task_id`'s outcome to `owner`. OK when nothing was registered.
  virtual Status Unregister(const PeopleTaskOwner& owner, std::string_view task_id) = 0;
};

// A service without tasks: every call answers kFailedPrecondition naming
// EngineOptions::people_tasks. What Context::people_tasks() gives when the host has none.
PeopleTaskService& UnavailablePeopleTasks();

}  // namespace flowkit
