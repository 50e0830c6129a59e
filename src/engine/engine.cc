#include "flowkit/engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <queue>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "engine/engine_internal.h"
#include "engine/journal.h"
#include "engine/json_state.h"
#include "engine/store_watch.h"
#include "engine/locks.h"
#include "engine/quota_limiter.h"
#include "util/ids.h"
#include "util/js.h"

namespace flowkit {

using engine::FlowRuntime;
using engine::Instance;
using engine::PendingInput;
using engine::PendingWebhook;
using engine::ScopeChain;
using engine::Task;
using engine::TaskKind;
using engine::TaskPtr;

int64_t RetryPolicy::BaseDelay(int attempt) const {
  double delay = static_cast<double>(initial_delay_ms) * std::pow(multiplier, std::max(0, attempt - 1));
  if (!std::isfinite(delay) || delay > static_cast<double>(max_delay_ms)) return max_delay_ms;
  return static_cast<int64_t>(delay);
}

std::string_view FlowStageName(FlowStage stage) {
  return stage == FlowStage::kRunning ? "running" : "stopped";
}

namespace {

const Json& EmptyObject() {
  static const Json* empty = new Json(Json::MakeObject());
  return *empty;
}

// Rebuilds a scope chain from an Appmixer-form scope object, following `_walkthrough` for the
// order of hops when present.
ScopeChain ScopeFromJson(const Json& scope) {
  ScopeChain chain;
  if (!scope.IsObject()) return chain;
  for (const JsonMember& component : scope.object()) {
    if (component.key == "_walkthrough" || !component.value.IsObject()) continue;
    for (const JsonMember& port : component.value.object()) {
      chain = chain.Extend(component.key, port.key, std::make_shared<const Json>(port.value));
    }
  }
  return chain;
}

Json TruncatedPayload(const Json& payload, size_t limit) {
  std::string text = payload.Dump();
  if (text.size() <= limit) return payload;
  return Json::MakeObject({{"truncated", true},
                           {"bytes", static_cast<int64_t>(text.size())},
                           {"preview", text.substr(0, std::min<size_t>(limit, 512))}});
}

// What a call produced, applied only when it succeeds.
// A dead letter as the runtime keeps it: the letter and the delivery to retry.
std::string EncodeDeadLetter(const DeadLetter& letter, const engine::Task& task) {
  return Json::MakeObject({{"id", letter.id},
                           {"flowId", letter.flow_id},
                           {"userId", letter.user_id},
                           {"componentId", letter.component_id},
                           {"componentType", letter.component_type},
                           {"attempts", letter.attempts},
                           {"created", letter.created_ms},
                           {"code", static_cast<int64_t>(letter.error.code())},
                           {"message", letter.error.message()},
                           {"record", letter.record},
                           {"task", engine::EncodeTask(task)}})
      .Dump();
}

DeadLetter DecodeDeadLetter(const Json& j) {
  DeadLetter letter;
  letter.id = j["id"].AsString();
  letter.flow_id = j["flowId"].AsString();
  letter.user_id = j["userId"].AsString();
  letter.component_id = j["componentId"].AsString();
  letter.component_type = j["componentType"].AsString();
  letter.attempts = static_cast<int>(j["attempts"].AsInt());
  letter.created_ms = j["created"].AsInt();
  letter.error = Status(static_cast<StatusCode>(j["code"].AsInt(static_cast<int64_t>(StatusCode::kInternal))),
                        j["message"].AsString());
  letter.record = j["record"];
  return letter;
}

struct Outbox {
  struct Sent {
    std::string port;
    std::shared_ptr<const Json> payload;
    std::optional<ScopeChain> scope;  // explicit scope (SendOptions::scope)
  };
  struct Timer {
    std::string id;
    std::shared_ptr<const Json> content;
    int64_t due_ms;
  };
  std::vector<Sent> sent;
  std::vector<Timer> timers;
  std::vector<std::string> cleared_timers;
  std::vector<std::shared_ptr<const Json>> signals;
  struct Trigger {
    std::shared_ptr<FlowRuntime> flow;
    size_t instance;
    std::shared_ptr<const Json> request;
    std::string correlation_id;
  };
  std::vector<Trigger> triggers;
  std::optional<WebhookResponse> response;
  bool stop_flow = false;
  std::vector<std::pair<std::string, bool>> watches;  // store id, watch (true) or unwatch
};

}  // namespace

// ---------------------------------------------------------------------------------------------

struct Engine::Impl {
  EngineOptions options;
  const Clock* clock = nullptr;
  Engine* self = nullptr;
  // Store triggers: who watches which data store; `documents` reports their changes.
  engine::StoreWatchTable store_watches;
  std::shared_ptr<DocumentStore> documents;
  std::shared_ptr<HttpClient> http;
  engine::LockTable locks;

  mutable std::shared_mutex flows_mu;
  std::map<std::string, std::shared_ptr<FlowRuntime>, std::less<>> flows;

  // Ready deliveries.
  std::mutex ready_mu;
  std::condition_variable ready_cv;
  std::deque<TaskPtr> ready;
  // Completions of runtime commits, run by the workers ahead of new deliveries: the runtime's
  // single committer thread only hands them over, so it spends its time writing.
  std::deque<std::function<void()>> completions;
  int idle_workers = 0;  // workers waiting on ready_cv
  bool shutting_down = false;

  // Deliveries that wait for a time (retries, timeouts, ticks) and timed actions (webhook
  // time-outs), served by the timer thread.
  struct Delayed {
    int64_t due_ms;
    uint64_t seq;
    mutable TaskPtr task;
    mutable std::function<void()> action;
    bool operator>(const Delayed& o) const { return due_ms != o.due_ms ? due_ms > o.due_ms : seq > o.seq; }
  };
  std::mutex delayed_mu;
  std::condition_variable delayed_cv;
  std::priority_queue<Delayed, std::vector<Delayed>, std::greater<>> delayed_tasks;
  std::priority_queue<Delayed, std::vector<Delayed>, std::greater<>> delayed_actions;
  uint64_t delayed_seq = 0;

  // Flows asked to stop by a component (StopFlow runs off the worker that asked).
  std::mutex control_mu;
  std::condition_variable control_cv;
  std::deque<std::string> stop_requests;

  // Idle tracking: deliveries queued, waiting in a mailbox or running.
  std::atomic<int64_t> outstanding{0};
  std::mutex idle_mu;
  std::condition_variable idle_cv;

  // Dead letters, with the delivery kept for retry.
  struct Letter {
    DeadLetter letter;
    TaskPtr task;
  };
  mutable std::mutex dead_mu;
  std::map<std::string, Letter, std::less<>> dead;

  std::atomic<uint64_t> stat_sent{0}, stat_deliveries{0}, stat_errors{0}, stat_retries{0}, stat_dead{0};
  std::atomic<uint64_t> stat_quota_waits{0};

  std::unique_ptr<engine::QuotaLimiter> quota;

  std::vector<std::thread> workers;
  std::thread timer_thread;
  std::thread control_thread;

  // --- scheduling -----------------------------------------------------------------------------

  // A worker keeps the first delivery its own call produced and runs it next (a "LIFO slot"):
  // a chain of hops then stays on one thread, warm in its cache, without a queue round trip or a
  // wake-up per hop. Further deliveries go to the shared queue for the other workers. After
  // kMaxSlotRun hops in a row the slot goes to the back of the shared queue, so a looping flow
  // cannot starve queued work.
  struct WorkerSlot {
    const Impl* owner = nullptr;
    TaskPtr next;
    int run = 0;
  };
  static constexpr int kMaxSlotRun = 64;
  static WorkerSlot& Slot() {
    thread_local WorkerSlot slot;
    return slot;
  }

  void Push(TaskPtr task) {
    WorkerSlot& slot = Slot();
    if (slot.owner == this && !slot.next && slot.run < kMaxSlotRun) {
      slot.next = std::move(task);
      return;
    }
    PushShared(std::move(task));
  }

  void PushShared(TaskPtr task) {
    bool wake;
    {
      std::lock_guard<std::mutex> lock(ready_mu);
      ready.push_back(std::move(task));
      wake = idle_workers > 0;
    }
    if (wake) ready_cv.notify_one();
  }

  // A new delivery enters the engine.
  void Dispatch(TaskPtr task) {
    outstanding.fetch_add(1, std::memory_order_relaxed);
    Route(std::move(task));
  }

  // Hands a counted delivery to a worker, or to its instance's mailbox while the instance is busy.
  void Route(TaskPtr task) {
    Instance& inst = *task->flow->instances[task->instance];
    if (!inst.concurrent) {
      std::lock_guard<std::mutex> lock(inst.mu);
      if (inst.busy) {
        inst.mailbox.push_back(std::move(task));
        return;
      }
      inst.busy = true;
    }
    Push(std::move(task));
  }

  void Schedule(TaskPtr task, int64_t due_ms) {
    bool earliest;
    {
      std::lock_guard<std::mutex> lock(delayed_mu);
      earliest = delayed_tasks.empty() || due_ms < delayed_tasks.top().due_ms;
      delayed_tasks.push(Delayed{due_ms, delayed_seq++, std::move(task), nullptr});
    }
    if (earliest) delayed_cv.notify_one();
  }

  void ScheduleAction(int64_t due_ms, std::function<void()> action) {
    {
      std::lock_guard<std::mutex> lock(delayed_mu);
      delayed_actions.push(Delayed{due_ms, delayed_seq++, nullptr, std::move(action)});
    }
    delayed_cv.notify_one();
  }

  // A delivery left the engine (done, failed for good, dropped or moved to the delayed queue).
  void Finish() {
    if (outstanding.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(idle_mu);
      idle_cv.notify_all();
    }
  }

  // After a call on a serialized instance: run its next waiting delivery, or free it.
  void Release(Instance& inst) {
    if (inst.concurrent) return;
    TaskPtr next;
    {
      std::lock_guard<std::mutex> lock(inst.mu);
      if (inst.mailbox.empty()) {
        inst.busy = false;
        return;
      }
      next = std::move(inst.mailbox.front());
      inst.mailbox.pop_front();
    }
    Push(std::move(next));
  }

  void WorkerLoop() {
    WorkerSlot& slot = Slot();
    slot.owner = this;
    for (;;) {
      TaskPtr task;
      std::function<void()> completion;
      if (slot.next) {
        task = std::move(slot.next);
        ++slot.run;
      } else {
        slot.run = 0;
        std::unique_lock<std::mutex> lock(ready_mu);
        ++idle_workers;
        ready_cv.wait(lock, [&] { return shutting_down || !ready.empty() || !completions.empty(); });
        --idle_workers;
        if (shutting_down) break;
        if (!completions.empty()) {
          completion = std::move(completions.front());
          completions.pop_front();
        } else {
          task = std::move(ready.front());
          ready.pop_front();
        }
      }
      if (completion) {
        completion();
        continue;
      }
      Process(std::move(task));
      if (slot.next && slot.run >= kMaxSlotRun) {
        PushShared(std::move(slot.next));
      }
    }
    slot.next.reset();
    slot.owner = nullptr;
  }

  void TimerLoop() {
    std::unique_lock<std::mutex> lock(delayed_mu);
    while (!shutting_down) {
      const int64_t now = clock->NowMillis();
      std::vector<TaskPtr> due;
      std::vector<std::function<void()>> actions;
      while (!delayed_tasks.empty() && delayed_tasks.top().due_ms <= now) {
        due.push_back(std::move(delayed_tasks.top().task));
        delayed_tasks.pop();
        // Counted while still visible to WaitIdle's look at the delayed queue.
        outstanding.fetch_add(1, std::memory_order_relaxed);
      }
      while (!delayed_actions.empty() && delayed_actions.top().due_ms <= now) {
        actions.push_back(std::move(delayed_actions.top().action));
        delayed_actions.pop();
      }
      if (!due.empty() || !actions.empty()) {
        lock.unlock();
        for (TaskPtr& t : due) Route(std::move(t));
        for (auto& a : actions) a();
        lock.lock();
        continue;
      }
      int64_t next = INT64_MAX;
      if (!delayed_tasks.empty()) next = delayed_tasks.top().due_ms;
      if (!delayed_actions.empty()) next = std::min(next, delayed_actions.top().due_ms);
      // The clock may be a test's ManualClock that moves without notice: look again soon.
      const int64_t wait_ms = std::clamp<int64_t>(next - now, 1, 20);
      delayed_cv.wait_for(lock, std::chrono::milliseconds(wait_ms));
    }
  }

  void ControlLoop() {
    std::unique_lock<std::mutex> lock(control_mu);
    while (!shutting_down) {
      control_cv.wait(lock, [&] { return shutting_down || !stop_requests.empty(); });
      while (!stop_requests.empty()) {
        std::string flow_id = std::move(stop_requests.front());
        stop_requests.pop_front();
        lock.unlock();
        (void)StopFlow(flow_id);
        lock.lock();
      }
    }
  }

  // --- delivery ---------------------------------------------------------------------------------

  void Process(TaskPtr task);
  // What a call produced, held back instead of dispatched: until every component of the flow
  // has started (Start calls), or until the hop is committed to the runtime.
  struct Deferred {
    std::vector<TaskPtr> ready;
    std::vector<std::pair<TaskPtr, int64_t>> delayed;
    std::vector<std::string> cleared_timers;  // ClearTimeout of timers set by earlier calls
    bool state_dirty = false;                 // the component's state changed ...
    Json previous_state;                      // ... from this (restored if the commit fails)
    bool flow_state_changed = false;
    std::vector<StateWrite> watch_writes;  // store watches set or dropped
  };
  Status Invoke(const std::shared_ptr<FlowRuntime>& flow_ref, Instance& inst, InvocationKind kind,
                const Task* task, std::vector<PendingInput> inputs, ScopeChain scope,
                const std::string& correlation_id, Deferred* deferred = nullptr);
  void Commit(const std::shared_ptr<FlowRuntime>& flow_ref, Instance& inst, const ScopeChain& scope,
              const std::string& correlation_id, Outbox& out, Deferred* deferred);
  // A failed delivery: retried later or dead-lettered. `counted`: the delivery holds a count of
  // flow.executing that Fail gives back once done.
  void Fail(TaskPtr task, Instance& inst, const Status& error, bool counted);
  CredentialsRequest CredentialsFor(const FlowRuntime& flow, const Instance& inst) const {
    return CredentialsRequest{flow.user_id, flow.id, inst.node->id, inst.node->type,
                              inst.node->manifest->auth ? inst.node->manifest->auth->service : std::string()};
  }
  // Puts a delivery back into the (durable) queue, due at `due_ms`: a retry, or a call waiting
  // for its quota. `counted`: the task holds an `executing` count of its flow. `rewrite`: the
  // runtime's copy must be rewritten (its attempt count changed).
  // `also`: deliveries to dispatch once the requeue is recorded, journaled in the same commit.
  void Requeue(TaskPtr task, Instance& inst, int64_t due_ms, bool counted, bool rewrite,
               std::vector<TaskPtr> also = {});
  // What an error-feed instance receives about a failed call of `inst`; `err` is
  // {message, code, attempt, final}.
  Json ErrorRecord(const Task& task, const Instance& inst, Json err) const;
  // One kError delivery of `record` per error-feed instance of the flow, each a run of its own.
  std::vector<TaskPtr> ErrorFeedTasks(const std::shared_ptr<FlowRuntime>& flow_ref,
                                      const std::shared_ptr<const Json>& record) const;
  // Gives each delivery a key and adds it to `hop` (journal mode only).
  void JournalFeed(std::vector<TaskPtr>& tasks, HopCommit* hop) {
    if (journal == nullptr) return;
    for (TaskPtr& t : tasks) {
      t->key = NewWorkKey();
      hop->enqueued.push_back(QueuedWork{t->key, t->flow->id, 0, engine::EncodeTaskText(*t)});
    }
  }
  // Takes the quota units for a call of `inst`; when there are none, requeues the task (or fails
  // it after maxWait) and returns false — the task is then gone.
  bool TakeQuota(TaskPtr& task, Instance& inst, engine::QuotaLease* lease);

  // --- runtime journal (EngineOptions::runtime; engine/journal.h) -------------------------------
  Runtime* journal = nullptr;
  std::atomic<uint64_t> work_seq{0};
  std::string NewWorkKey() { return fmt::format("m{:016x}", work_seq.fetch_add(1, std::memory_order_relaxed) + 1); }
  // The runtime keys a delivery consumes: its own and those of the batch members it carries.
  static void ConsumedKeys(const Task& task, std::vector<std::string>* keys) {
    if (!task.key.empty()) keys->push_back(task.key);
    if (task.batch) {
      for (const PendingInput& in : *task.batch) {
        if (!in.key.empty() && in.key != task.key) keys->push_back(in.key);
      }
    }
  }
  // Gives every held-back delivery a key and adds it to `hop`.
  void JournalOutputs(Deferred& fx, HopCommit* hop) {
    for (TaskPtr& t : fx.ready) {
      t->key = NewWorkKey();
      hop->enqueued.push_back(QueuedWork{t->key, t->flow->id, 0, engine::EncodeTaskText(*t)});
    }
    for (auto& [t, due] : fx.delayed) {
      t->key = engine::TimerKey(t->timeout_id);
      hop->enqueued.push_back(QueuedWork{t->key, t->flow->id, due, engine::EncodeTaskText(*t)});
    }
    for (const std::string& id : fx.cleared_timers) hop->acked.push_back(engine::TimerKey(id));
    for (StateWrite& w : fx.watch_writes) hop->state.push_back(std::move(w));
    fx.watch_writes.clear();
  }
  // A watched store changed: each watching component of a running flow gets a webhook call.
  void NotifyStoreChange(const engine::StoreChange& change) {
    for (const engine::StoreWatcher& w : store_watches.Watchers(change.user_id, change.store_id)) {
      WebhookRequest request;
      request.data = change.data;
      (void)self->SubmitWebhook(w.flow_id, w.component_id, std::move(request), nullptr, true);
    }
  }
  void JournalInstanceState(const FlowRuntime& flow, Instance& inst, HopCommit* hop) {
    std::string key = engine::ComponentStateKey(flow.id, inst.node->id);
    std::unique_lock<std::mutex> lock(inst.mu, std::defer_lock);
    if (inst.concurrent) lock.lock();
    if (inst.state.IsObject() && inst.state.empty()) {
      hop->state.push_back(StateWrite{std::move(key), std::nullopt});
    } else {
      hop->state.push_back(StateWrite{std::move(key), inst.state.Dump()});
    }
  }
  void JournalFlowState(FlowRuntime& flow, HopCommit* hop) {
    std::lock_guard<std::mutex> lock(flow.flow_state_mu);
    hop->state.push_back(StateWrite{engine::FlowStateKey(flow.id), flow.flow_state.Dump()});
  }
  void JournalFlowRecord(const FlowRuntime& flow, bool running, HopCommit* hop) {
    Json record = Json::MakeObject({{"document", flow.flow->document()},
                                    {"userId", flow.user_id},
                                    {"stage", running ? "running" : "stopped"}});
    hop->state.push_back(StateWrite{engine::FlowRecordKey(flow.id), record.Dump()});
  }
  // Commits a finished hop, then lets its outputs move on (Process, journal mode).
  void CommitHop(TaskPtr task, Instance& inst, Deferred fx);
  // journal->Commit, counted: the engine is not torn down while a commit's callback, which
  // touches the engine, may still run.
  std::atomic<int64_t> journal_pending{0};
  void JournalCommit(HopCommit hop, std::function<void(Status)> done) {
    journal_pending.fetch_add(1, std::memory_order_acq_rel);
    journal->Commit(std::move(hop), [this, done = std::move(done)](Status status) mutable {
      auto completion = [this, done = std::move(done), status = std::move(status)]() mutable {
        done(std::move(status));
        if (journal_pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
          std::lock_guard<std::mutex> lock(idle_mu);
          idle_cv.notify_all();
        }
      };
      // Notified under the lock: this runs on the runtime's committer thread, and once the lock
      // is released a worker may run the completion and let ~Engine destroy ready_cv.
      std::lock_guard<std::mutex> lock(ready_mu);
      completions.push_back(std::move(completion));
      if (idle_workers > 0) ready_cv.notify_one();
    });
  }
  void ApplyDeferred(Deferred& fx) {
    for (TaskPtr& t : fx.ready) Dispatch(std::move(t));
    for (auto& [t, due] : fx.delayed) Schedule(std::move(t), due);
  }
  void ExecDone(FlowRuntime& flow) {
    if (flow.executing.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(idle_mu);
      idle_cv.notify_all();
    }
  }
  // Engine::Open with a runtime: loaded flows, their state, queued work and dead letters.
  Status Recover();
  Result<std::shared_ptr<FlowRuntime>> MakeFlowRuntime(std::shared_ptr<const Flow> flow, std::string_view flow_id,
                                                       std::string_view user_id) const;
  // Marks a restored flow running without calling Start (its components started before).
  Status ResumeFlow(FlowRuntime& flow);
  void ScheduleTicks(const std::shared_ptr<FlowRuntime>& flow, uint64_t epoch);
  void RecordInsight(const FlowRuntime& flow, const Instance& inst, std::string severity, std::string port_type,
                     std::string port, const std::string& correlation_id, const std::string& message_id,
                     const Json& msg);
  Json DeadLetterRecord(const Task& task, const Instance& inst, const Status& error) const;

  Status StartFlow(std::string_view flow_id);
  Status StopFlow(std::string_view flow_id);
  std::shared_ptr<FlowRuntime> FindFlow(std::string_view flow_id) const {
    std::shared_lock<std::shared_mutex> lock(flows_mu);
    auto it = flows.find(flow_id);
    return it == flows.end() ? nullptr : it->second;
  }
  Json ConfigFor(std::string_view type) const;
};

// ---------------------------------------------------------------------------------------------
// The Context of one call.

class InvocationContext final : public Context {
 public:
  InvocationContext(Engine::Impl& engine, FlowRuntime& flow, Instance& inst, InvocationKind kind,
                    std::vector<PendingInput> inputs, ScopeChain scope, std::string correlation_id,
                    std::string invocation_id, const Json* state_base)
      : engine_(engine),
        flow_(flow),
        inst_(inst),
        kind_(kind),
        scope_(std::move(scope)),
        correlation_id_(std::move(correlation_id)),
        invocation_id_(std::move(invocation_id)),
        state_(state_base),
        flow_state_(&flow.flow_state, &flow.flow_state_mu) {
    for (PendingInput& in : inputs) {
      auto it = std::find_if(messages_.begin(), messages_.end(), [&](const auto& e) { return e.first == in.port; });
      if (it == messages_.end()) it = messages_.insert(messages_.end(), {std::move(in.port), {}});
      it->second.push_back(std::move(in.message));
    }
  }

  InvocationKind kind() const noexcept override { return kind_; }
  const std::string& flow_id() const noexcept override { return flow_.id; }
  const std::string& flow_name() const noexcept override { return flow_.flow->name(); }
  const std::string& user_id() const noexcept override { return flow_.user_id; }
  const std::string& component_id() const noexcept override { return inst_.node->id; }
  const std::string& component_type() const noexcept override { return inst_.node->type; }
  const std::string& invocation_id() const noexcept override { return invocation_id_; }
  const std::string& correlation_id() const noexcept override { return correlation_id_; }

  const Json& properties() const noexcept override { return inst_.node->properties; }
  const Json& auth() const noexcept override { return auth_.IsObject() ? auth_ : EmptyObject(); }
  void set_auth(Json auth) { auth_ = std::move(auth); }
  Result<Json> RefreshAuth() override {
    if (!engine_.options.credentials || !inst_.node->manifest->auth) return Context::RefreshAuth();
    FLOWKIT_ASSIGN_OR_RETURN(Json fresh, engine_.options.credentials->Refresh(engine_.CredentialsFor(flow_, inst_), auth()));
    auth_ = fresh;
    return fresh;
  }
  const Json& config() const noexcept override { return inst_.config; }
  const Json& flow_descriptor() const noexcept override { return flow_.flow->descriptor(); }
  const Json& custom_fields() const noexcept override { return flow_.flow->custom_fields(); }

  std::span<const Message> Inputs(std::string_view port) const override {
    auto it = std::find_if(messages_.begin(), messages_.end(), [&](const auto& e) { return e.first == port; });
    if (it == messages_.end()) return {};
    return it->second;
  }
  const ScopeView& scope() const override { return scope_; }
  Json ScopeJson() const override { return scope_.ToJson(); }

  Status Send(std::string_view port, Json content, const SendOptions& options) override {
    if (inst_.node->manifest->FindOutPort(port) == nullptr) {
      return Status::InvalidArgument("component " + inst_.node->type + " has no out-port '" + std::string(port) + "'");
    }
    Outbox::Sent sent{std::string(port), std::make_shared<const Json>(std::move(content)), std::nullopt};
    if (options.scope != nullptr) sent.scope = ScopeFromJson(*options.scope);
    out_.sent.push_back(std::move(sent));
    return Status::OK();
  }

  Status Respond(Json body, int status, Json headers) override {
    if (!out_.response) out_.response = WebhookResponse{status, std::move(headers), std::move(body)};
    return Status::OK();
  }

  std::string WebhookUrl(bool enqueue_only) const override {
    std::string url = inst_.webhook_url;
    if (enqueue_only) url += "?enqueueOnly=true";
    return url;
  }

  Status SendSignal(Json content) override {
    out_.signals.push_back(std::make_shared<const Json>(std::move(content)));
    return Status::OK();
  }

  Status StopFlow() override {
    out_.stop_flow = true;
    return Status::OK();
  }

  Status TriggerComponent(std::string_view flow_id, std::string_view component_id, Json data,
                          std::string_view correlation_id) override {
    std::shared_ptr<FlowRuntime> target = engine_.FindFlow(flow_id);
    // Another user's flow answers like a missing one: its existence is not this user's business.
    if (!target || target->user_id != flow_.user_id || !target->running.load(std::memory_order_acquire)) {
      return Status::NotFound("flow '" + std::string(flow_id) + "' is not a running flow of this user");
    }
    const FlowNode* node = target->flow->FindNode(component_id);
    if (node == nullptr) {
      return Status::NotFound("flow '" + std::string(flow_id) + "' has no component '" + std::string(component_id) +
                              "'");
    }
    const size_t instance = target->IndexOf(node);
    auto request = std::make_shared<const Json>(Json::MakeObject({{"method", "POST"},
                                                                  {"hostname", ""},
                                                                  {"headers", Json::MakeObject()},
                                                                  {"query", Json::MakeObject()},
                                                                  {"data", std::move(data)}}));
    out_.triggers.push_back(Outbox::Trigger{std::move(target), instance, std::move(request),
                                            correlation_id.empty() ? internal::NewUuid4()
                                                                   : std::string(correlation_id)});
    return Status::OK();
  }

  Status WatchStore(std::string_view store_id) override {
    if (store_id.empty()) return Status::InvalidArgument("WatchStore: storeId is required");
    out_.watches.emplace_back(std::string(store_id), true);
    return Status::OK();
  }
  Status UnwatchStore(std::string_view store_id) override {
    out_.watches.emplace_back(std::string(store_id), false);
    return Status::OK();
  }

  StateScope& state() override { return state_; }
  StateScope& flow_state() override { return flow_state_; }

  Result<std::string> SetTimeout(Json content, int64_t delay_ms) override {
    std::string id = internal::NewUuid4();
    out_.timers.push_back(Outbox::Timer{id, std::make_shared<const Json>(std::move(content)),
                                        engine_.clock->NowMillis() + std::max<int64_t>(0, delay_ms)});
    return id;
  }

  Status ClearTimeout(std::string_view timeout_id) override {
    if (timeout_id.empty()) return Status::OK();
    auto& timers = out_.timers;
    auto it = std::find_if(timers.begin(), timers.end(), [&](const Outbox::Timer& t) { return t.id == timeout_id; });
    if (it != timers.end()) {
      timers.erase(it);
    } else {
      out_.cleared_timers.emplace_back(timeout_id);
    }
    return Status::OK();
  }

  Result<std::unique_ptr<LockHandle>> Lock(std::string_view name, const LockOptions& options) override {
    // Appmixer prefixes lock names with the connector; the user keeps tenants apart.
    std::string full = flow_.user_id + ":" + ServicePrefix() + ":" + std::string(name);
    return engine_.locks.Acquire(full, options, *engine_.clock);
  }

  DataStore& stores() override { return engine_.documents->DataStoresOf(flow_.user_id); }
  FileStore& files() override { return engine_.documents->FilesOf(flow_.user_id); }
  HttpClient& http() override { return *engine_.http; }
  PeopleTaskService& people_tasks() override {
    return engine_.options.people_tasks ? *engine_.options.people_tasks : UnavailablePeopleTasks();
  }
  const Clock& clock() const override { return *engine_.clock; }

  void Log(Json entry, LogLevel level) override {
    engine_.RecordInsight(flow_, inst_, level == LogLevel::kError ? "error" : "info", "", "", correlation_id_, "",
                          entry);
  }
  Result<Json> EvalJavaScript(std::string_view code, const Json& data) override {
    return flowkit::EvalJavaScript(code, data, engine_.options.javascript);
  }

  internal::StateTransaction& state_transaction() { return state_; }
  const internal::LockedState& flow_state_view() const { return flow_state_; }
  Outbox& outbox() { return out_; }

 private:
  Json auth_;  // the account's secrets (EngineOptions::credentials), resolved before the call
  std::string ServicePrefix() const {
    const std::string& type = inst_.node->type;
    size_t second_dot = type.find('.', type.find('.') + 1);
    return type.substr(0, second_dot);
  }

  Engine::Impl& engine_;
  FlowRuntime& flow_;
  Instance& inst_;
  InvocationKind kind_;
  // Inputs by in-port; a component has a handful of ports, so a vector beats a map.
  std::vector<std::pair<std::string, std::vector<Message>>> messages_;
  ScopeChain scope_;
  std::string correlation_id_;
  std::string invocation_id_;
  internal::StateTransaction state_;
  internal::LockedState flow_state_;
  Outbox out_;
};

// ---------------------------------------------------------------------------------------------

Json Engine::Impl::ConfigFor(std::string_view type) const {
  const Json* best = nullptr;
  size_t best_len = 0;
  for (const JsonMember& m : options.component_config.object()) {
    if (type.substr(0, m.key.size()) == m.key && m.key.size() >= best_len) {
      best = &m.value;
      best_len = m.key.size();
    }
  }
  return best != nullptr ? *best : Json::MakeObject();
}

void Engine::Impl::RecordInsight(const FlowRuntime& flow, const Instance& inst, std::string severity,
                                 std::string port_type, std::string port, const std::string& correlation_id,
                                 const std::string& message_id, const Json& msg) {
  if (!options.insights || options.insights_level == InsightsLevel::kNone) return;
  if (options.insights_level == InsightsLevel::kErrors && severity != "error") return;
  InsightsRecord r;
  r.time_ms = clock->NowMillis();
  r.severity = std::move(severity);
  r.flow_id = flow.id;
  r.user_id = flow.user_id;
  r.component_id = inst.node->id;
  r.component_type = inst.node->type;
  r.port_type = std::move(port_type);
  r.port = std::move(port);
  r.correlation_id = correlation_id;
  r.message_id = message_id;
  r.msg = TruncatedPayload(msg, options.insights_max_payload_bytes);
  options.insights->Write(std::move(r));
}

Status Engine::Impl::Invoke(const std::shared_ptr<FlowRuntime>& flow_ref, Instance& inst, InvocationKind kind,
                            const Task* task, std::vector<PendingInput> inputs, ScopeChain scope,
                            const std::string& correlation_id, Deferred* deferred) {
  FlowRuntime& flow = *flow_ref;
  // A concurrent instance works on a snapshot of its state; a serialized one reads it directly
  // (no other call of it runs).
  Json snapshot;
  const Json* base = &inst.state;
  if (inst.concurrent) {
    std::lock_guard<std::mutex> lock(inst.mu);
    snapshot = inst.state;
    base = &snapshot;
  }
  std::string invocation_id = task != nullptr && !task->message_id.empty() ? task->message_id : internal::NewUuid4();
  InvocationContext ctx(*this, flow, inst, kind, std::move(inputs), scope, correlation_id, std::move(invocation_id),
                        base);
  if (inst.node->manifest->auth && options.credentials) {
    Result<Json> secrets = options.credentials->Credentials(CredentialsFor(flow, inst));
    if (!secrets.ok()) {
      return secrets.status().WithPrefix("account for '" + inst.node->manifest->auth->service + "'");
    }
    ctx.set_auth(std::move(secrets).value());
  }
  Status status;
  try {
    switch (kind) {
      case InvocationKind::kStart: status = inst.behaviour->Start(ctx); break;
      case InvocationKind::kStop: status = inst.behaviour->Stop(ctx); break;
      case InvocationKind::kTick: status = inst.behaviour->Tick(ctx); break;
      case InvocationKind::kSignal: status = inst.behaviour->Signal(ctx); break;
      default: status = inst.behaviour->Receive(ctx); break;
    }
  } catch (const std::exception& e) {
    status = Status::Internal(std::string("component threw: ") + e.what());
  } catch (...) {
    status = Status::Internal("component threw a non-standard exception");
  }
  if (status.ok()) {
    if (ctx.state_transaction().dirty()) {
      if (deferred != nullptr) {
        deferred->state_dirty = true;
        if (!inst.concurrent) deferred->previous_state = inst.state;
      }
      if (inst.concurrent) {
        std::lock_guard<std::mutex> lock(inst.mu);
        ctx.state_transaction().CommitTo(&inst.state);
      } else {
        ctx.state_transaction().CommitTo(&inst.state);
      }
    }
    if (deferred != nullptr && ctx.flow_state_view().changed()) deferred->flow_state_changed = true;
    Commit(flow_ref, inst, scope, correlation_id, ctx.outbox(), deferred);
  }
  return status;
}

void Engine::Impl::Commit(const std::shared_ptr<FlowRuntime>& flow_ref, Instance& inst, const ScopeChain& scope,
                          const std::string& correlation_id, Outbox& out, Deferred* deferred) {
  FlowRuntime& flow = *flow_ref;
  auto dispatch = [&](TaskPtr t) {
    if (deferred != nullptr) {
      deferred->ready.push_back(std::move(t));
    } else {
      Dispatch(std::move(t));
    }
  };
  const uint64_t epoch = flow.epoch.load(std::memory_order_acquire);
  const int64_t now = clock->NowMillis();
  const size_t self = flow.IndexOf(inst.node);
  const std::vector<FlowLink>& links = flow.flow->links();

  for (Outbox::Sent& sent : out.sent) {
    stat_sent.fetch_add(1, std::memory_order_relaxed);
    RecordInsight(flow, inst, "info", "out", sent.port, correlation_id, "", *sent.payload);
    const ScopeChain& base = sent.scope ? *sent.scope : scope;
    ScopeChain next = base.Extend(inst.node->id, sent.port, sent.payload);
    for (size_t link_index : inst.node->outbound) {
      const FlowLink& link = links[link_index];
      if (link.source_port != sent.port) continue;
      auto task = std::make_unique<Task>();
      task->kind = TaskKind::kMessage;
      task->flow = flow_ref;
      task->epoch = epoch;
      task->instance = flow.IndexOf(flow.flow->FindNode(link.target_id));
      task->link = link_index;
      task->port = link.target_port;
      task->payload = sent.payload;
      task->scope = next;
      task->correlation_id = correlation_id;
      task->message_id = internal::NewUuid4();
      task->created_ms = now;
      dispatch(std::move(task));
    }
  }
  for (Outbox::Timer& timer : out.timers) {
    auto task = std::make_unique<Task>();
    task->kind = TaskKind::kTimeout;
    task->flow = flow_ref;
    task->epoch = epoch;
    task->instance = self;
    task->payload = std::move(timer.content);
    task->scope = scope;
    task->correlation_id = correlation_id;
    task->message_id = internal::NewUuid4();
    task->timeout_id = timer.id;
    task->created_ms = now;
    if (deferred != nullptr) {
      deferred->delayed.emplace_back(std::move(task), timer.due_ms);
    } else {
      Schedule(std::move(task), timer.due_ms);
    }
  }
  if (!out.cleared_timers.empty()) {
    if (deferred != nullptr) {
      deferred->cleared_timers.insert(deferred->cleared_timers.end(), out.cleared_timers.begin(),
                                      out.cleared_timers.end());
    }
    std::lock_guard<std::mutex> lock(flow.timers_mu);
    for (std::string& id : out.cleared_timers) flow.cancelled_timers.insert(std::move(id));
  }
  for (const std::shared_ptr<const Json>& signal : out.signals) {
    for (size_t i = 0; i < flow.instances.size(); ++i) {
      auto task = std::make_unique<Task>();
      task->kind = TaskKind::kSignal;
      task->flow = flow_ref;
      task->epoch = epoch;
      task->instance = i;
      task->payload = signal;
      task->correlation_id = correlation_id;
      task->message_id = internal::NewUuid4();
      task->created_ms = now;
      dispatch(std::move(task));
    }
  }
  for (Outbox::Trigger& trigger : out.triggers) {
    auto task = std::make_unique<Task>();
    task->kind = TaskKind::kWebhook;
    task->epoch = trigger.flow->epoch.load(std::memory_order_acquire);
    task->flow = std::move(trigger.flow);
    task->instance = trigger.instance;
    task->payload = std::move(trigger.request);
    task->correlation_id = std::move(trigger.correlation_id);
    task->message_id = internal::NewUuid4();
    task->created_ms = now;
    dispatch(std::move(task));
  }
  if (out.response) {
    PendingWebhook pending;
    {
      std::lock_guard<std::mutex> lock(flow.webhooks_mu);
      auto it = flow.webhooks.find(correlation_id);
      if (it != flow.webhooks.end()) {
        pending = std::move(it->second);
        flow.webhooks.erase(it);
      }
    }
    if (pending.respond) pending.respond(std::move(*out.response));
  }
  for (const auto& [store_id, watch] : out.watches) {
    engine::StoreWatcher watcher{flow.id, inst.node->id};
    if (watch) {
      store_watches.Add(flow.user_id, store_id, watcher);
    } else {
      store_watches.Remove(flow.user_id, store_id, watcher);
    }
    if (deferred != nullptr) {
      std::optional<std::string> value;
      if (watch) value = "1";
      deferred->watch_writes.push_back(
          StateWrite{engine::StoreWatchKey(flow.id, inst.node->id, store_id), std::move(value)});
    }
  }
  if (out.stop_flow) {
    {
      std::lock_guard<std::mutex> lock(control_mu);
      stop_requests.push_back(flow.id);
    }
    control_cv.notify_one();
  }
}

void Engine::Impl::Process(TaskPtr task) {
  const std::shared_ptr<FlowRuntime> flow_ref = task->flow;
  FlowRuntime& flow = *flow_ref;
  Instance& inst = *flow.instances[task->instance];
  // Counted before the running check, so StopFlow waits for every call that got past it.
  flow.executing.fetch_add(1, std::memory_order_acq_rel);
  // Given back when Process returns, unless handed on (to Fail, or to a pending runtime commit:
  // StopFlow must also wait for hops still being committed).
  struct ExecutingGuard {
    Engine::Impl* engine;
    FlowRuntime* flow;
    ~ExecutingGuard() {
      if (flow != nullptr) engine->ExecDone(*flow);
    }
  } executing_guard{this, &flow};
  auto done = [&] {
    Release(inst);
    Finish();
  };
  if (!flow.running.load(std::memory_order_acquire) || task->epoch != flow.epoch.load(std::memory_order_acquire)) {
    done();  // the flow stopped (or restarted) since this was queued
    return;
  }

  // Quotas limit receive calls (messages, webhooks, timeouts). A plain delivery takes its units
  // before its transform runs (so a waiting message is neither transformed nor logged again); a
  // fire-pattern batch takes them once it is complete.
  const bool quota_applies = inst.quota_limited && (task->kind == TaskKind::kMessage ||
                                                    task->kind == TaskKind::kWebhook ||
                                                    task->kind == TaskKind::kTimeout);
  struct LeaseGuard {
    engine::QuotaLimiter* limiter = nullptr;
    engine::QuotaLease lease;
    ~LeaseGuard() {
      if (limiter != nullptr) limiter->Release(lease);
    }
  } quota_lease;
  auto take_quota = [&]() -> bool {
    executing_guard.flow = nullptr;  // handed on when the task goes back to wait
    if (!TakeQuota(task, inst, &quota_lease.lease)) return false;
    executing_guard.flow = &flow;
    quota_lease.limiter = quota.get();
    return true;
  };
  if (quota_applies && (inst.node->manifest->fire_patterns.empty() || task->batch) && !take_quota()) return;

  std::vector<PendingInput> inputs;
  ScopeChain scope = task->scope;
  InvocationKind kind = InvocationKind::kMessage;
  switch (task->kind) {
    case TaskKind::kMessage: {
      if (task->batch) {
        inputs = *task->batch;  // a fire-pattern batch being retried
        break;
      }
      const FlowLink& link = flow.flow->links()[task->link];
      EvalEnv env;
      env.flow_id = flow.id;
      env.flow_name = flow.flow->name();
      env.user_id = flow.user_id;
      env.component_id = inst.node->id;
      env.custom_fields = &flow.flow->custom_fields();
      env.clock = clock;
      env.sent_ms = task->created_ms;
      env.webhook_url = inst.webhook_url;
      env.javascript = &options.javascript;
      const PortSpec* port = inst.node->manifest->FindInPort(task->port);
      const bool has_schema = port != nullptr && port->compiled_schema;
      std::shared_ptr<const Json> content;
      if (link.transform.is_identity() && !has_schema) {
        content = task->payload;  // nothing to change: share the sender's payload, no copy
      } else {
        Result<Json> built = link.transform.Evaluate(*task->payload, task->scope, env);
        Status valid = built.status();
        if (built.ok() && has_schema) {
          valid = port->compiled_schema->CoerceAndValidate(&built.value());
          if (!valid.ok()) valid = valid.WithPrefix("validation error on in-port '" + task->port + "'");
        }
        if (!valid.ok()) {
          executing_guard.flow = nullptr;
          Fail(std::move(task), inst, valid, true);
          return;
        }
        content = std::make_shared<const Json>(std::move(built).value());
      }
      PendingInput in;
      in.port = task->port;
      in.message.id = task->message_id;
      in.message.correlation_id = task->correlation_id;
      in.message.source_component = link.source_id;
      in.message.source_port = link.source_port;
      in.message.content = std::move(content);
      in.message.original_content = task->payload;
      in.scope = task->scope;
      in.key = task->key;
      RecordInsight(flow, inst, "info", "in", in.port, task->correlation_id, task->message_id, *in.message.content);
      if (inst.node->manifest->fire_patterns.empty()) {
        inputs.push_back(std::move(in));
        break;
      }
      std::vector<std::set<std::string>> connected(inst.node->manifest->in_ports.size());
      for (size_t link_index : inst.node->inbound) {
        const FlowLink& l = flow.flow->links()[link_index];
        for (size_t p = 0; p < connected.size(); ++p) {
          if (inst.node->manifest->in_ports[p].name == l.target_port) connected[p].insert(l.source_id);
        }
      }
      std::optional<std::vector<PendingInput>> batch = inst.fire_buffer.Add(std::move(in), *inst.node->manifest, connected);
      if (!batch) {
        done();  // waits in the fire buffer for the rest of its pattern
        return;
      }
      scope = batch->back().scope;
      inputs = std::move(*batch);
      task->batch = std::make_shared<const std::vector<PendingInput>>(inputs);
      break;
    }
    case TaskKind::kTimeout: {
      {
        std::lock_guard<std::mutex> lock(flow.timers_mu);
        if (flow.cancelled_timers.erase(task->timeout_id) > 0) {
          done();
          return;
        }
      }
      kind = InvocationKind::kTimeout;
      PendingInput in;
      in.port = std::string(kTimeoutPort);
      in.message.id = task->message_id;
      in.message.correlation_id = task->correlation_id;
      in.message.content = task->payload;
      in.message.timeout_id = task->timeout_id;
      inputs.push_back(std::move(in));
      break;
    }
    case TaskKind::kWebhook: {
      kind = InvocationKind::kWebhook;
      PendingInput in;
      in.port = std::string(kWebhookPort);
      in.message.id = task->message_id;
      in.message.correlation_id = task->correlation_id;
      in.message.content = task->payload;
      inputs.push_back(std::move(in));
      break;
    }
    case TaskKind::kSignal: {
      kind = InvocationKind::kSignal;
      PendingInput in;
      in.port = std::string(kSignalPort);
      in.message.id = task->message_id;
      in.message.correlation_id = task->correlation_id;
      in.message.content = task->payload;
      inputs.push_back(std::move(in));
      break;
    }
    case TaskKind::kError: {
      kind = InvocationKind::kError;
      PendingInput in;
      in.port = std::string(kErrorPort);
      in.message.id = task->message_id;
      in.message.correlation_id = task->correlation_id;
      in.message.content = task->payload;
      inputs.push_back(std::move(in));
      break;
    }
    case TaskKind::kTick:
      kind = InvocationKind::kTick;
      break;
  }

  if (quota_applies && quota_lease.limiter == nullptr && !take_quota()) return;

  // Ticks start a run of their own.
  const std::string correlation_id = task->kind == TaskKind::kTick ? internal::NewUuid4() : task->correlation_id;
  if (journal != nullptr) {
    Deferred fx;
    Status status = Invoke(flow_ref, inst, kind, task.get(), std::move(inputs), std::move(scope), correlation_id, &fx);
    executing_guard.flow = nullptr;
    if (status.ok()) {
      CommitHop(std::move(task), inst, std::move(fx));
    } else {
      Fail(std::move(task), inst, status, true);
    }
    return;
  }
  Status status = Invoke(flow_ref, inst, kind, task.get(), std::move(inputs), std::move(scope), correlation_id);
  if (status.ok()) {
    stat_deliveries.fetch_add(1, std::memory_order_relaxed);
    if (task->kind == TaskKind::kTick && flow.running.load() && task->epoch == flow.epoch.load()) {
      auto next = task->Clone();
      Schedule(std::move(next), clock->NowMillis() + options.tick_interval_ms);
    }
    done();
    return;
  }
  executing_guard.flow = nullptr;
  Fail(std::move(task), inst, status, true);
}

void Engine::Impl::CommitHop(TaskPtr task, Instance& inst, Deferred fx) {
  FlowRuntime& flow = *task->flow;
  HopCommit hop;
  ConsumedKeys(*task, &hop.acked);
  JournalOutputs(fx, &hop);
  if (fx.state_dirty) JournalInstanceState(flow, inst, &hop);
  if (fx.flow_state_changed) JournalFlowState(flow, &hop);
  // The instance stays busy until the hop is durable, so its next call sees committed state.
  struct Pending {
    TaskPtr task;
    Deferred fx;
  };
  auto pending = std::make_shared<Pending>(Pending{std::move(task), std::move(fx)});
  auto finish = [this, pending, &inst](Status status) {
    Task& t = *pending->task;
    std::shared_ptr<FlowRuntime> flow_ref = t.flow;
    if (!status.ok()) {
      // Nothing of the hop was applied: undo its state change and retry the delivery.
      if (pending->fx.state_dirty && !inst.concurrent) inst.state = std::move(pending->fx.previous_state);
      Fail(std::move(pending->task), inst, status.WithPrefix("committing the hop to the runtime"), true);
      return;
    }
    stat_deliveries.fetch_add(1, std::memory_order_relaxed);
    ApplyDeferred(pending->fx);
    if (t.kind == TaskKind::kTick && flow_ref->running.load() && t.epoch == flow_ref->epoch.load()) {
      Schedule(t.Clone(), clock->NowMillis() + options.tick_interval_ms);
    }
    Release(inst);
    Finish();
    ExecDone(*flow_ref);
  };
  if (hop.empty()) {
    finish(Status::OK());
    return;
  }
  JournalCommit(std::move(hop), std::move(finish));
}

void Engine::Impl::Fail(TaskPtr task, Instance& inst, const Status& error, bool counted) {
  FlowRuntime& flow = *task->flow;
  stat_errors.fetch_add(1, std::memory_order_relaxed);
  // Ticks and signals are not retried (Appmixer logs failed ticks only).
  const bool deliverable = task->kind == TaskKind::kMessage || task->kind == TaskKind::kTimeout ||
                           task->kind == TaskKind::kWebhook || task->kind == TaskKind::kError;
  const bool retry = deliverable && error.IsRetryable() && task->attempt < options.retry.max_attempts;
  Json err = Json::MakeObject({{"message", error.message()},
                               {"code", std::string(StatusCodeName(error.code()))},
                               {"attempt", task->attempt}});
  RecordInsight(flow, inst, "error", "", task->port, task->correlation_id, task->message_id, err);
  err.Set("final", !retry);
  // Error-feed instances (OnError) hear of every failed attempt, as Appmixer's error log records
  // each one; not of their own failures nor of those in runs they started, so a failing error
  // handler cannot loop.
  std::vector<TaskPtr> feed;
  auto is_feed = [&flow](std::string_view component_id) {
    const FlowNode* node = flow.flow->FindNode(component_id);
    return node != nullptr && flow.instances[flow.IndexOf(node)]->type->options.error_feed;
  };
  const bool feeds = task->kind != TaskKind::kError && !inst.type->options.error_feed &&
                     std::any_of(flow.instances.begin(), flow.instances.end(),
                                 [](const auto& i) { return i->type->options.error_feed; }) &&
                     !task->scope.Passed(is_feed);
  if (options.on_component_error || feeds) {
    Json event = ErrorRecord(*task, inst, std::move(err));
    if (options.on_component_error) options.on_component_error(event);
    if (feeds) feed = ErrorFeedTasks(task->flow, std::make_shared<const Json>(std::move(event)));
  }
  // Runs once the failure is recorded (at once, or after the runtime commit); the error-feed
  // deliveries move on with it.
  std::shared_ptr<FlowRuntime> flow_ref = task->flow;
  auto shared_feed = std::make_shared<std::vector<TaskPtr>>(std::move(feed));
  auto finish = [this, flow_ref, &inst, counted, shared_feed] {
    for (TaskPtr& t : *shared_feed) Dispatch(std::move(t));
    Release(inst);
    Finish();
    if (counted) ExecDone(*flow_ref);
  };
  auto commit_then = [this, shared_feed](HopCommit hop, std::function<void()> then) {
    JournalFeed(*shared_feed, &hop);
    if (journal == nullptr || hop.empty()) {
      then();
      return;
    }
    // A failed commit here leaves the delivery queued in the runtime as it was: it is delivered
    // again after a restart. In memory the retry or dead letter goes ahead either way.
    JournalCommit(std::move(hop), [then = std::move(then)](const Status&) { then(); });
  };

  if (!deliverable) {
    if (task->kind == TaskKind::kTick && flow.running.load() && task->epoch == flow.epoch.load()) {
      Schedule(task->Clone(), clock->NowMillis() + options.tick_interval_ms);
    }
    HopCommit hop;
    if (journal != nullptr) ConsumedKeys(*task, &hop.acked);
    commit_then(std::move(hop), finish);
    return;
  }
  if (retry) {
    stat_retries.fetch_add(1, std::memory_order_relaxed);
    const int64_t base = options.retry.BaseDelay(task->attempt);
    const double jitter = options.retry.jitter * (2 * internal::RandomUnit() - 1);
    const int64_t delay = std::max<int64_t>(0, static_cast<int64_t>(static_cast<double>(base) * (1 + jitter)));
    const int64_t due = clock->NowMillis() + delay;
    task->attempt += 1;
    Requeue(std::move(task), inst, due, counted, /*rewrite=*/true, std::move(*shared_feed));
    return;
  }
  stat_dead.fetch_add(1, std::memory_order_relaxed);
  DeadLetter letter;
  letter.id = internal::NewUuid4();
  letter.flow_id = flow.id;
  letter.user_id = flow.user_id;
  letter.component_id = inst.node->id;
  letter.component_type = inst.node->type;
  letter.attempts = task->attempt;
  letter.created_ms = clock->NowMillis();
  letter.error = error;
  letter.record = DeadLetterRecord(*task, inst, error);
  letter.record.Set("messageId", letter.id);
  if (task->kind == TaskKind::kWebhook) {
    // Nobody will answer this request now.
    PendingWebhook pending;
    {
      std::lock_guard<std::mutex> lock(flow.webhooks_mu);
      auto it = flow.webhooks.find(task->correlation_id);
      if (it != flow.webhooks.end()) {
        pending = std::move(it->second);
        flow.webhooks.erase(it);
      }
    }
    if (pending.respond) {
      pending.respond(WebhookResponse{error.ToHttpStatus() == 499 ? 400 : error.ToHttpStatus(), Json::MakeObject(),
                                      Json::MakeObject({{"error", std::string(StatusCodeName(error.code()))},
                                                        {"message", error.message()}})});
    }
  }
  if (options.on_dead_letter) options.on_dead_letter(letter);
  task->attempt = 1;
  HopCommit hop;
  if (journal != nullptr) {
    ConsumedKeys(*task, &hop.acked);
    hop.state.push_back(StateWrite{engine::DeadLetterKey(letter.id), EncodeDeadLetter(letter, *task)});
  }
  {
    std::lock_guard<std::mutex> lock(dead_mu);
    std::string id = letter.id;
    dead.emplace(std::move(id), Letter{std::move(letter), std::move(task)});
  }
  commit_then(std::move(hop), finish);
}

void Engine::Impl::Requeue(TaskPtr task, Instance& inst, int64_t due_ms, bool counted, bool rewrite,
                           std::vector<TaskPtr> also) {
  std::shared_ptr<FlowRuntime> flow_ref = task->flow;
  HopCommit hop;
  JournalFeed(also, &hop);
  if (journal != nullptr) {
    // The delivery is rewritten under its own key with its new due time; batch members it
    // carries are done. A task already queued under its key alone needs no write: after a
    // restart it is simply due at once.
    std::vector<std::string> consumed;
    ConsumedKeys(*task, &consumed);
    if (rewrite || task->key.empty() || consumed.size() > 1) {
      if (task->key.empty()) task->key = NewWorkKey();
      for (std::string& k : consumed) {
        if (k != task->key) hop.acked.push_back(std::move(k));
      }
      if (task->batch) {
        auto members = std::make_shared<std::vector<PendingInput>>(*task->batch);
        for (PendingInput& in : *members) in.key.clear();
        task->batch = std::move(members);
      }
      hop.enqueued.push_back(QueuedWork{task->key, flow_ref->id, due_ms, engine::EncodeTaskText(*task)});
    }
  }
  auto shared_task = std::make_shared<TaskPtr>(std::move(task));
  auto shared_also = std::make_shared<std::vector<TaskPtr>>(std::move(also));
  auto then = [this, shared_task, shared_also, due_ms, flow_ref, &inst, counted] {
    for (TaskPtr& t : *shared_also) Dispatch(std::move(t));
    Release(inst);
    Schedule(std::move(*shared_task), due_ms);
    Finish();
    if (counted) ExecDone(*flow_ref);
  };
  if (hop.empty()) {
    then();
    return;
  }
  // A failed commit leaves the delivery queued in the runtime as it was: it is delivered again
  // after a restart. In memory it goes ahead either way.
  JournalCommit(std::move(hop), [then = std::move(then)](const Status&) { then(); });
}

bool Engine::Impl::TakeQuota(TaskPtr& task, Instance& inst, engine::QuotaLease* lease) {
  const QuotaSpec& spec = *inst.node->manifest->quota;
  const int64_t now = clock->NowMillis();
  engine::QuotaDecision decision =
      quota->Acquire(spec, inst.node->type, task->flow->user_id, task->message_id, now);
  if (decision.granted) {
    task->quota_wait_since_ms = 0;
    *lease = std::move(decision.lease);
    return true;
  }
  if (task->quota_wait_since_ms == 0) task->quota_wait_since_ms = now;
  // Appmixer's default wait (its quota manager's TTL) when the manifest sets no maxWait.
  const int64_t max_wait = spec.max_wait_ms.value_or(120000);
  if (now - task->quota_wait_since_ms >= max_wait || decision.retry_at_ms - task->quota_wait_since_ms > max_wait) {
    task->quota_wait_since_ms = 0;
    Fail(std::move(task), inst,
         Status::ResourceExhausted(decision.reason + "; waited longer than maxWait (" + std::to_string(max_wait) +
                                   " ms)"),
         true);
    return false;
  }
  stat_quota_waits.fetch_add(1, std::memory_order_relaxed);
  Requeue(std::move(task), inst, decision.retry_at_ms, true, /*rewrite=*/false);
  return false;
}

Json Engine::Impl::ErrorRecord(const Task& task, const Instance& inst, Json err) const {
  const FlowRuntime& flow = *task.flow;
  Json inputs = Json::MakeObject();
  Json msg = Json::Undefined();
  auto add_input = [&](const std::string& port, const Json& content) {
    Json* list = inputs.Find(port);
    if (list == nullptr) {
      inputs.Set(port, Json::MakeArray());
      list = inputs.Find(port);
    }
    list->Push(content);
    if (msg.IsUndefined()) msg = content;
  };
  if (task.batch) {
    for (const PendingInput& in : *task.batch) add_input(in.port, in.message.Content());
  } else if (task.payload) {
    std::string port = task.kind == TaskKind::kMessage   ? task.port
                       : task.kind == TaskKind::kTimeout ? std::string(kTimeoutPort)
                       : task.kind == TaskKind::kSignal  ? std::string(kSignalPort)
                       : task.kind == TaskKind::kError   ? std::string(kErrorPort)
                                                         : std::string(kWebhookPort);
    add_input(port, *task.payload);
  }
  Json record = Json::MakeObject({{"err", std::move(err)},
                                  {"type", "component"},
                                  {"severity", "error"},
                                  {"gridTimestamp", js::FormatIso(clock->NowMillis())},
                                  {"flowId", flow.id},
                                  {"flowName", flow.flow->name()},
                                  {"userId", flow.user_id},
                                  {"componentId", inst.node->id},
                                  {"componentType", inst.node->type},
                                  {"correlationId", task.correlation_id},
                                  {"messageId", task.message_id}});
  if (!msg.IsUndefined()) record.Set("msg", std::move(msg));
  record.Set("inputMessages", std::move(inputs));
  return record;
}

std::vector<TaskPtr> Engine::Impl::ErrorFeedTasks(const std::shared_ptr<FlowRuntime>& flow_ref,
                                                  const std::shared_ptr<const Json>& record) const {
  std::vector<TaskPtr> tasks;
  const uint64_t epoch = flow_ref->epoch.load(std::memory_order_acquire);
  const int64_t now = clock->NowMillis();
  for (size_t i = 0; i < flow_ref->instances.size(); ++i) {
    if (!flow_ref->instances[i]->type->options.error_feed) continue;
    auto task = std::make_unique<Task>();
    task->kind = TaskKind::kError;
    task->flow = flow_ref;
    task->epoch = epoch;
    task->instance = i;
    task->payload = record;
    task->correlation_id = internal::NewUuid4();
    task->message_id = internal::NewUuid4();
    task->created_ms = now;
    tasks.push_back(std::move(task));
  }
  return tasks;
}

Json Engine::Impl::DeadLetterRecord(const Task& task, const Instance& inst, const Status& error) const {
  const FlowRuntime& flow = *task.flow;
  Json sender = Json::MakeObject();
  if (task.kind == TaskKind::kMessage && task.link < flow.flow->links().size()) {
    const FlowLink& link = flow.flow->links()[task.link];
    const FlowNode* source = flow.flow->FindNode(link.source_id);
    sender = Json::MakeObject({{"componentId", link.source_id},
                               {"type", source != nullptr ? source->type : std::string()},
                               {"outputPort", link.source_port}});
  }
  std::string port = task.kind == TaskKind::kMessage   ? task.port
                     : task.kind == TaskKind::kTimeout ? std::string(kTimeoutPort)
                     : task.kind == TaskKind::kError   ? std::string(kErrorPort)
                                                       : std::string(kWebhookPort);
  Json properties = Json::MakeObject({{"correlationId", task.correlation_id},
                                      {"sender", sender},
                                      {"destination", Json::MakeObject({{"componentId", inst.node->id},
                                                                        {"inputPort", port}})},
                                      {"flowId", flow.id},
                                      {"messageId", task.message_id}});
  Json envelope = Json::MakeObject({{"properties", properties},
                                    {"content", task.payload ? *task.payload : Json()},
                                    {"scope", task.scope.ToJson()},
                                    {"originalContent", task.payload ? *task.payload : Json()}});
  return Json::MakeObject({{"flowId", flow.id},
                           {"componentId", inst.node->id},
                           {"created", js::FormatIso(clock->NowMillis())},
                           {"err", error.ToString()},
                           {"attempts", task.attempt},
                           {"messages", Json::MakeObject({{port, Json::MakeArray({envelope})}})}});
}

Status Engine::Impl::StartFlow(std::string_view flow_id) {
  std::shared_ptr<FlowRuntime> flow = FindFlow(flow_id);
  if (!flow) return Status::NotFound("flow '" + std::string(flow_id) + "' is not loaded");
  std::lock_guard<std::mutex> control(flow->control_mu);
  if (flow->running.load()) return Status::OK();

  const uint64_t epoch = flow->epoch.fetch_add(1) + 1;
  for (auto& inst : flow->instances) {
    inst->behaviour = inst->type->factory();
    if (!inst->behaviour) {
      return Status::Internal("component type " + inst->node->type + " made no behaviour");
    }
    inst->fire_buffer.Clear();
  }
  flow->running.store(true, std::memory_order_release);

  // Start in document order; a failure stops the ones already started and leaves the flow stopped.
  // What the Start calls send is held back until every component has started, so no component
  // receives a message before its own Start ran.
  Deferred deferred;
  for (size_t i = 0; i < flow->instances.size(); ++i) {
    Instance& inst = *flow->instances[i];
    const std::string correlation_id = internal::NewUuid4();
    Status s = Invoke(flow, inst, InvocationKind::kStart, nullptr, {}, ScopeChain(), correlation_id, &deferred);
    if (!s.ok()) {
      flow->running.store(false, std::memory_order_release);
      flow->epoch.fetch_add(1);
      for (size_t j = 0; j < i; ++j) {
        Instance& started = *flow->instances[j];
        (void)Invoke(flow, started, InvocationKind::kStop, nullptr, {}, ScopeChain(), internal::NewUuid4());
      }
      RecordInsight(*flow, inst, "error", "", "", "", "",
                    Json::MakeObject({{"message", "start failed: " + s.message()}}));
      return s.WithPrefix("component " + inst.node->id + " (" + inst.node->type + ") failed to start");
    }
  }
  if (journal != nullptr) {
    // The flow's start is one transaction: stage, the state Start calls left, what they sent.
    HopCommit hop;
    JournalOutputs(deferred, &hop);
    for (auto& inst : flow->instances) JournalInstanceState(*flow, *inst, &hop);
    JournalFlowState(*flow, &hop);
    JournalFlowRecord(*flow, true, &hop);
    Status committed = journal->CommitSync(std::move(hop));
    if (!committed.ok()) {
      flow->running.store(false, std::memory_order_release);
      flow->epoch.fetch_add(1);
      for (auto& inst : flow->instances) {
        (void)Invoke(flow, *inst, InvocationKind::kStop, nullptr, {}, ScopeChain(), internal::NewUuid4());
      }
      return committed.WithPrefix("flow '" + flow->id + "' could not be started: recording it failed");
    }
  }
  ApplyDeferred(deferred);
  ScheduleTicks(flow, epoch);
  return Status::OK();
}

void Engine::Impl::ScheduleTicks(const std::shared_ptr<FlowRuntime>& flow, uint64_t epoch) {
  for (size_t i = 0; i < flow->instances.size(); ++i) {
    Instance& inst = *flow->instances[i];
    if (!inst.node->manifest->tick) continue;
    auto task = std::make_unique<Task>();
    task->kind = TaskKind::kTick;
    task->flow = flow;
    task->epoch = epoch;
    task->instance = i;
    Schedule(std::move(task), clock->NowMillis() + options.tick_interval_ms);
  }
}

Status Engine::Impl::ResumeFlow(FlowRuntime& flow) {
  for (auto& inst : flow.instances) {
    inst->behaviour = inst->type->factory();
    if (!inst->behaviour) return Status::Internal("component type " + inst->node->type + " made no behaviour");
  }
  flow.epoch.fetch_add(1);
  flow.running.store(true, std::memory_order_release);
  return Status::OK();
}

Status Engine::Impl::Recover() {
  // Loaded flows, with their state; running ones resume.
  std::vector<std::pair<std::string, std::string>> records;
  FLOWKIT_RETURN_IF_ERROR(journal->ForEachState(engine::kFlowRecordPrefix, [&](std::string_view key, std::string_view value) {
    records.emplace_back(std::string(key.substr(engine::kFlowRecordPrefix.size())), std::string(value));
    return true;
  }));
  for (auto& [flow_id, text] : records) {
    Result<Json> record = Json::Parse(text);
    if (!record.ok()) return Status::Corruption("the record of flow '" + flow_id + "' is not JSON");
    // A flow that no longer loads (a component type this build lacks) stays recorded, not loaded.
    Result<std::shared_ptr<const Flow>> flow = Flow::FromJson((*record)["document"], *options.components, *options.modifiers);
    if (!flow.ok()) continue;
    Result<std::shared_ptr<FlowRuntime>> rt = MakeFlowRuntime(*flow, flow_id, (*record)["userId"].AsString());
    if (!rt.ok()) continue;
    FlowRuntime& f = **rt;
    FLOWKIT_RETURN_IF_ERROR(journal->ForEachState(engine::ComponentStatePrefix(flow_id), [&](std::string_view key, std::string_view value) {
      const FlowNode* node = f.flow->FindNode(key.substr(engine::ComponentStatePrefix(flow_id).size()));
      Result<Json> state = Json::Parse(value);
      if (node != nullptr && state.ok()) f.instances[f.IndexOf(node)]->state = std::move(state).value();
      return true;
    }));
    FLOWKIT_ASSIGN_OR_RETURN(std::optional<std::string> flow_state, journal->GetState(engine::FlowStateKey(flow_id)));
    if (flow_state) {
      Result<Json> parsed = Json::Parse(*flow_state);
      if (parsed.ok() && (*parsed).IsObject()) f.flow_state = std::move(parsed).value();
    }
    if ((*record)["stage"].StringView() == "running") FLOWKIT_RETURN_IF_ERROR(ResumeFlow(f));
    flows.emplace(flow_id, std::move(rt).value());
  }

  // Queued work, in key order (the order it was made): work of running flows is scheduled again,
  // work of flows not running (left by a stop that did not finish) is dropped.
  const int64_t now = clock->NowMillis();
  HopCommit orphans;
  uint64_t max_seq = 0;
  std::vector<std::pair<TaskPtr, int64_t>> restored;
  FLOWKIT_RETURN_IF_ERROR(journal->ForEachQueued("", [&](const QueuedWork& work) {
    if (work.id.size() == 17 && work.id[0] == 'm') {
      max_seq = std::max<uint64_t>(max_seq, std::strtoull(work.id.c_str() + 1, nullptr, 16));
    }
    auto it = flows.find(work.flow_id);
    Result<Json> body = Json::Parse(work.body);
    if (it == flows.end() || !it->second->running.load() || !body.ok()) {
      orphans.acked.push_back(work.id);
      return true;
    }
    Result<TaskPtr> task = engine::DecodeTask(*body, it->second);
    if (!task.ok()) {
      orphans.acked.push_back(work.id);
      return true;
    }
    (*task)->key = work.id;
    (*task)->epoch = it->second->epoch.load();
    restored.emplace_back(std::move(task).value(), work.visible_at_ms);
    return true;
  }));
  work_seq.store(max_seq);
  if (!orphans.empty()) FLOWKIT_RETURN_IF_ERROR(journal->CommitSync(std::move(orphans)));
  for (auto& [task, visible_at] : restored) {
    if (visible_at > now) {
      Schedule(std::move(task), visible_at);
    } else {
      Dispatch(std::move(task));
    }
  }
  for (auto& [id, flow] : flows) {
    if (flow->running.load()) ScheduleTicks(flow, flow->epoch.load());
  }

  // Store watches of running flows.
  FLOWKIT_RETURN_IF_ERROR(journal->ForEachState(engine::kStoreWatchPrefix, [&](std::string_view key, std::string_view) {
    std::string_view rest = key.substr(engine::kStoreWatchPrefix.size());
    const size_t a = rest.find('\x1f');
    const size_t b = a == std::string_view::npos ? a : rest.find('\x1f', a + 1);
    if (b == std::string_view::npos) return true;
    auto it = flows.find(rest.substr(0, a));
    if (it != flows.end() && it->second->running.load()) {
      store_watches.Add(it->second->user_id, rest.substr(b + 1),
                        engine::StoreWatcher{std::string(rest.substr(0, a)), std::string(rest.substr(a + 1, b - a - 1))});
    }
    return true;
  }));

  // Dead letters whose flow is loaded.
  return journal->ForEachState(engine::kDeadLetterPrefix, [&](std::string_view, std::string_view value) {
    Result<Json> j = Json::Parse(value);
    if (!j.ok()) return true;
    auto it = flows.find((*j)["flowId"].StringView());
    if (it == flows.end()) return true;
    Result<TaskPtr> task = engine::DecodeTask((*j)["task"], it->second);
    if (!task.ok()) return true;
    DeadLetter letter = DecodeDeadLetter(*j);
    std::string id = letter.id;
    dead.emplace(std::move(id), Letter{std::move(letter), std::move(task).value()});
    return true;
  });
}

Status Engine::Impl::StopFlow(std::string_view flow_id) {
  std::shared_ptr<FlowRuntime> flow = FindFlow(flow_id);
  if (!flow) return Status::NotFound("flow '" + std::string(flow_id) + "' is not loaded");
  std::lock_guard<std::mutex> control(flow->control_mu);
  if (!flow->running.load()) return Status::OK();
  flow->running.store(false, std::memory_order_release);
  flow->epoch.fetch_add(1);  // queued and delayed work of this run is dropped when it comes up
  {
    std::unique_lock<std::mutex> lock(idle_mu);
    idle_cv.wait(lock, [&] { return flow->executing.load(std::memory_order_acquire) == 0; });
  }
  // Stop calls run with the flow marked running for them only (their sends are dropped).
  for (auto& inst_ptr : flow->instances) {
    Instance& inst = *inst_ptr;
    Status s = Invoke(flow, inst, InvocationKind::kStop, nullptr, {}, ScopeChain(), internal::NewUuid4());
    if (!s.ok()) {
      RecordInsight(*flow, inst, "error", "", "", "", "", Json::MakeObject({{"message", "stop failed: " + s.message()}}));
    }
    inst.fire_buffer.Clear();
    if (!inst.node->manifest->state_persistent) {
      std::lock_guard<std::mutex> lock(inst.mu);
      inst.state = Json::MakeObject();
    }
  }
  {
    std::lock_guard<std::mutex> lock(flow->timers_mu);
    flow->cancelled_timers.clear();
  }
  (void)store_watches.RemoveFlow(flow->id);
  Status recorded;
  if (journal != nullptr) {
    // One transaction: the run's queued work and timers go, persistent state stays.
    HopCommit hop;
    recorded = journal->ForEachQueued(flow->id, [&](const QueuedWork& work) {
      hop.acked.push_back(work.id);
      return true;
    });
    if (recorded.ok()) {
      recorded = journal->ForEachState(engine::StoreWatchPrefix(flow->id), [&](std::string_view key, std::string_view) {
        hop.state.push_back(StateWrite{std::string(key), std::nullopt});
        return true;
      });
    }
    for (auto& inst : flow->instances) JournalInstanceState(*flow, *inst, &hop);
    JournalFlowState(*flow, &hop);
    JournalFlowRecord(*flow, false, &hop);
    if (recorded.ok()) recorded = journal->CommitSync(std::move(hop));
  }
  std::map<std::string, engine::PendingWebhook, std::less<>> pending;
  {
    std::lock_guard<std::mutex> lock(flow->webhooks_mu);
    pending.swap(flow->webhooks);
  }
  for (auto& [id, p] : pending) {
    if (p.respond) {
      p.respond(WebhookResponse{503, Json::MakeObject(),
                                Json::MakeObject({{"error", "unavailable"}, {"message", "the flow was stopped"}})});
    }
  }
  if (!recorded.ok()) return recorded.WithPrefix("flow '" + flow->id + "' stopped, but recording it failed");
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) { impl_->self = this; }

Engine::~Engine() {
  if (impl_->journal == nullptr) {
    for (const std::string& id : FlowIds()) (void)impl_->StopFlow(id);
  } else {
    // A shutdown is not a stop: running flows stay recorded as running, with their queued work,
    // and resume in the next engine on this runtime. Work in memory is let go once every call
    // and pending commit has finished.
    std::shared_lock<std::shared_mutex> lock(impl_->flows_mu);
    for (auto& [id, flow] : impl_->flows) {
      flow->running.store(false, std::memory_order_release);
      flow->epoch.fetch_add(1);
    }
    for (auto& [id, flow] : impl_->flows) {
      std::unique_lock<std::mutex> idle(impl_->idle_mu);
      impl_->idle_cv.wait(idle, [&] { return flow->executing.load(std::memory_order_acquire) == 0; });
    }
    std::unique_lock<std::mutex> idle(impl_->idle_mu);
    impl_->idle_cv.wait(idle, [&] { return impl_->journal_pending.load(std::memory_order_acquire) == 0; });
  }
  {
    std::lock_guard<std::mutex> a(impl_->ready_mu);
    std::lock_guard<std::mutex> b(impl_->delayed_mu);
    std::lock_guard<std::mutex> c(impl_->control_mu);
    impl_->shutting_down = true;
  }
  impl_->ready_cv.notify_all();
  impl_->delayed_cv.notify_all();
  impl_->control_cv.notify_all();
  for (std::thread& t : impl_->workers) t.join();
  impl_->timer_thread.join();
  impl_->control_thread.join();
}

Result<std::unique_ptr<Engine>> Engine::Open(EngineOptions options) {
  if (!options.components) return Status::InvalidArgument("EngineOptions.components is required");
  if (!options.modifiers) return Status::InvalidArgument("EngineOptions.modifiers is required");
  if (options.retry.max_attempts < 1) return Status::InvalidArgument("retry.max_attempts must be at least 1");
  if (options.retry.initial_delay_ms < 0 || options.retry.max_delay_ms < 0 || options.retry.multiplier < 1 ||
      options.retry.jitter < 0 || options.retry.jitter > 1) {
    return Status::InvalidArgument("retry policy: delays must be ≥ 0, multiplier ≥ 1 and jitter within [0, 1]");
  }
  if (options.tick_interval_ms <= 0) return Status::InvalidArgument("tick_interval_ms must be positive");
  if (options.javascript.time_limit_ms <= 0 || options.javascript.memory_limit_bytes == 0) {
    return Status::InvalidArgument("javascript: the time and memory limits must be positive");
  }
  auto impl = std::make_unique<Impl>();
  impl->clock = options.clock != nullptr ? options.clock : SystemClock();
  std::shared_ptr<DocumentStore> documents = options.documents;
  if (!documents) {
    MemoryDocumentOptions doc_options;
    doc_options.clock = impl->clock;
    documents = NewMemoryDocumentStore(doc_options);
  }
  Impl* owner = impl.get();
  impl->documents = engine::NewWatchedDocumentStore(
      std::move(documents), &impl->store_watches,
      [owner](const engine::StoreChange& change) { owner->NotifyStoreChange(change); });
  impl->http = options.http_client;
  if (!impl->http) {
    FLOWKIT_ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> http, NewCurlHttpClient(options.http));
    impl->http = std::move(http);
  }
  size_t workers = options.workers;
  if (workers == 0) workers = std::max(1u, std::thread::hardware_concurrency());
  std::shared_ptr<const QuotaRegistry> quotas = options.quotas;
  if (!quotas) {
    auto builtin = std::make_shared<QuotaRegistry>();
    FLOWKIT_RETURN_IF_ERROR(RegisterBuiltinQuotas(*builtin));
    quotas = std::move(builtin);
  }
  impl->quota = std::make_unique<engine::QuotaLimiter>(std::move(quotas));
  impl->options = std::move(options);
  impl->journal = impl->options.runtime.get();
  if (impl->journal != nullptr) {
    // Before the threads start: restored work waits in the queues for them.
    FLOWKIT_RETURN_IF_ERROR(impl->Recover().WithPrefix("restoring the engine from its runtime"));
  }
  Impl* raw = impl.get();
  std::unique_ptr<Engine> engine(new Engine(std::move(impl)));  // before the threads: they use `self`
  for (size_t i = 0; i < workers; ++i) raw->workers.emplace_back([raw] { raw->WorkerLoop(); });
  raw->timer_thread = std::thread([raw] { raw->TimerLoop(); });
  raw->control_thread = std::thread([raw] { raw->ControlLoop(); });
  return engine;
}

Result<std::shared_ptr<FlowRuntime>> Engine::Impl::MakeFlowRuntime(std::shared_ptr<const Flow> flow,
                                                                   std::string_view flow_id,
                                                                   std::string_view user_id) const {
  if (!flow) return Status::InvalidArgument("no flow given");
  for (const FlowNode& node : flow->nodes()) {
    const ComponentType* type = options.components->Find(node.type);
    if (type == nullptr) return Status::InvalidArgument("unknown component type '" + node.type + "'");
    if (!type->runnable()) {
      return Status::NotSupported("component type '" + node.type + "' (component " + node.id +
                                  ") has a manifest but no implementation in this engine");
    }
  }
  auto rt = std::make_shared<FlowRuntime>();
  rt->id = !flow_id.empty() ? std::string(flow_id) : !flow->flow_id().empty() ? flow->flow_id() : internal::NewUuid4();
  rt->user_id = !user_id.empty() ? std::string(user_id) : flow->user_id();
  rt->flow = std::move(flow);
  for (const FlowNode& node : rt->flow->nodes()) {
    auto inst = std::make_unique<Instance>();
    inst->node = &node;
    inst->type = options.components->Find(node.type);
    // Fire patterns buffer per instance, so such instances are always serialized.
    inst->concurrent = inst->type->options.concurrent && node.manifest->fire_patterns.empty();
    inst->config = ConfigFor(node.type);
    inst->webhook_url = options.webhook_base_url + "/flows/" + rt->id + "/components/" + node.id;
    inst->quota_limited = node.manifest->quota && quota->Limits(*node.manifest->quota);
    rt->instances.push_back(std::move(inst));
  }
  return rt;
}

Result<std::string> Engine::LoadFlow(std::shared_ptr<const Flow> flow, std::string_view flow_id,
                                     std::string_view user_id) {
  FLOWKIT_ASSIGN_OR_RETURN(std::shared_ptr<FlowRuntime> rt, impl_->MakeFlowRuntime(std::move(flow), flow_id, user_id));
  std::unique_lock<std::shared_mutex> lock(impl_->flows_mu);
  if (impl_->flows.count(rt->id) > 0) return Status::AlreadyExists("flow '" + rt->id + "' is already loaded");
  if (impl_->journal != nullptr) {
    HopCommit hop;
    impl_->JournalFlowRecord(*rt, false, &hop);
    Status recorded = impl_->journal->CommitSync(std::move(hop));
    if (!recorded.ok()) return recorded.WithPrefix("flow '" + rt->id + "' could not be recorded");
  }
  std::string id = rt->id;
  impl_->flows.emplace(id, std::move(rt));
  return id;
}

Status Engine::UnloadFlow(std::string_view flow_id) {
  FLOWKIT_RETURN_IF_ERROR(impl_->StopFlow(flow_id));
  if (impl_->journal != nullptr && impl_->FindFlow(flow_id)) {
    FLOWKIT_RETURN_IF_ERROR(impl_->journal->DropFlow(flow_id, engine::ComponentStatePrefix(flow_id)));
    HopCommit hop;
    hop.state.push_back(StateWrite{engine::FlowStateKey(flow_id), std::nullopt});
    hop.state.push_back(StateWrite{engine::FlowRecordKey(flow_id), std::nullopt});
    {
      std::lock_guard<std::mutex> lock(impl_->dead_mu);
      for (const auto& [id, letter] : impl_->dead) {
        if (letter.letter.flow_id == flow_id) hop.state.push_back(StateWrite{engine::DeadLetterKey(id), std::nullopt});
      }
    }
    FLOWKIT_RETURN_IF_ERROR(impl_->journal->CommitSync(std::move(hop)));
  }
  {
    // A flow's dead letters go with it: there is nothing left to retry them into.
    std::lock_guard<std::mutex> lock(impl_->dead_mu);
    std::erase_if(impl_->dead, [&](const auto& e) { return e.second.letter.flow_id == flow_id; });
  }
  std::unique_lock<std::shared_mutex> lock(impl_->flows_mu);
  auto it = impl_->flows.find(flow_id);
  if (it != impl_->flows.end()) impl_->flows.erase(it);
  return Status::OK();
}

Status Engine::StartFlow(std::string_view flow_id) { return impl_->StartFlow(flow_id); }
Status Engine::StopFlow(std::string_view flow_id) { return impl_->StopFlow(flow_id); }

Result<FlowStage> Engine::Stage(std::string_view flow_id) const {
  std::shared_ptr<FlowRuntime> flow = impl_->FindFlow(flow_id);
  if (!flow) return Status::NotFound("flow '" + std::string(flow_id) + "' is not loaded");
  return flow->running.load() ? FlowStage::kRunning : FlowStage::kStopped;
}

std::vector<std::string> Engine::FlowIds() const {
  std::shared_lock<std::shared_mutex> lock(impl_->flows_mu);
  std::vector<std::string> ids;
  for (const auto& [id, flow] : impl_->flows) ids.push_back(id);
  return ids;
}

Status Engine::SubmitWebhook(std::string_view flow_id, std::string_view component_id, WebhookRequest request,
                             std::function<void(WebhookResponse)> on_response, bool enqueue_only) {
  std::shared_ptr<FlowRuntime> flow = impl_->FindFlow(flow_id);
  if (!flow || !flow->running.load()) return Status::NotFound("flow '" + std::string(flow_id) + "' is not running");
  const FlowNode* node = flow->flow->FindNode(component_id);
  if (node == nullptr) {
    return Status::NotFound("flow '" + std::string(flow_id) + "' has no component '" + std::string(component_id) + "'");
  }
  auto task = std::make_unique<Task>();
  task->kind = TaskKind::kWebhook;
  task->flow = flow;
  task->epoch = flow->epoch.load();
  task->instance = flow->IndexOf(node);
  task->payload = std::make_shared<const Json>(Json::MakeObject({{"method", request.method},
                                                                  {"hostname", request.hostname},
                                                                  {"headers", request.headers},
                                                                  {"query", request.query},
                                                                  {"data", request.data}}));
  task->correlation_id = internal::NewUuid4();
  task->message_id = internal::NewUuid4();
  task->created_ms = impl_->clock->NowMillis();
  // Over its quota, the component would keep the caller waiting: answer 202 once it is queued
  // and let it run when the quota allows (Appmixer does the same).
  const Instance& target = *flow->instances[task->instance];
  if (!enqueue_only && target.quota_limited &&
      impl_->quota->WouldWait(*node->manifest->quota, node->type, flow->user_id, task->created_ms)) {
    enqueue_only = true;
  }
  // enqueue_only answers 202 once the request is queued: in memory, or durably in the runtime.
  std::function<void(WebhookResponse)> accepted;
  if (enqueue_only) {
    accepted = std::move(on_response);
  } else if (on_response) {
    {
      std::lock_guard<std::mutex> lock(flow->webhooks_mu);
      flow->webhooks.emplace(task->correlation_id, engine::PendingWebhook{std::move(on_response)});
    }
    std::weak_ptr<FlowRuntime> weak = flow;
    std::string correlation = task->correlation_id;
    impl_->ScheduleAction(impl_->clock->NowMillis() + impl_->options.webhook_timeout_ms, [weak, correlation] {
      std::shared_ptr<FlowRuntime> f = weak.lock();
      if (!f) return;
      engine::PendingWebhook pending;
      {
        std::lock_guard<std::mutex> lock(f->webhooks_mu);
        auto it = f->webhooks.find(correlation);
        if (it == f->webhooks.end()) return;
        pending = std::move(it->second);
        f->webhooks.erase(it);
      }
      pending.respond(WebhookResponse{504, Json::MakeObject(),
                                      Json::MakeObject({{"error", "deadline_exceeded"},
                                                        {"message", "no component answered the webhook in time"}})});
    });
  }
  if (impl_->journal == nullptr) {
    if (accepted) accepted(WebhookResponse{202, Json::MakeObject(), Json::MakeObject({{"enqueued", true}})});
    impl_->Dispatch(std::move(task));
    return Status::OK();
  }
  task->key = impl_->NewWorkKey();
  HopCommit hop;
  hop.enqueued.push_back(QueuedWork{task->key, flow->id, 0, engine::EncodeTaskText(*task)});
  impl_->outstanding.fetch_add(1, std::memory_order_relaxed);  // WaitIdle waits for the commit too
  auto shared_task = std::make_shared<TaskPtr>(std::move(task));
  Impl* impl = impl_.get();
  impl_->JournalCommit(std::move(hop), [impl, shared_task, accepted = std::move(accepted)](Status status) {
    if (status.ok()) {
      if (accepted) accepted(WebhookResponse{202, Json::MakeObject(), Json::MakeObject({{"enqueued", true}})});
      impl->Route(std::move(*shared_task));
      return;
    }
    WebhookResponse failed{503, Json::MakeObject(),
                           Json::MakeObject({{"error", std::string(StatusCodeName(status.code()))},
                                             {"message", "the request could not be queued: " + status.message()}})};
    if (accepted) {
      accepted(std::move(failed));
    } else {
      FlowRuntime& f = *(*shared_task)->flow;
      engine::PendingWebhook pending;
      {
        std::lock_guard<std::mutex> lock(f.webhooks_mu);
        auto it = f.webhooks.find((*shared_task)->correlation_id);
        if (it != f.webhooks.end()) {
          pending = std::move(it->second);
          f.webhooks.erase(it);
        }
      }
      if (pending.respond) pending.respond(std::move(failed));
    }
    impl->Finish();
  });
  return Status::OK();
}

std::vector<DeadLetter> Engine::DeadLetters(std::string_view flow_id) const {
  std::lock_guard<std::mutex> lock(impl_->dead_mu);
  std::vector<DeadLetter> out;
  for (const auto& [id, letter] : impl_->dead) {
    if (flow_id.empty() || letter.letter.flow_id == flow_id) out.push_back(letter.letter);
  }
  return out;
}

Status Engine::RetryDeadLetter(std::string_view id) {
  TaskPtr task;
  {
    std::lock_guard<std::mutex> lock(impl_->dead_mu);
    auto it = impl_->dead.find(id);
    if (it == impl_->dead.end()) return Status::NotFound("no dead letter '" + std::string(id) + "'");
    FlowRuntime& flow = *it->second.task->flow;
    if (!flow.running.load()) {
      return Status::FailedPrecondition("flow '" + flow.id + "' is not running; start it before retrying");
    }
    task = std::move(it->second.task);
    if (impl_->journal != nullptr) {
      task->key = impl_->NewWorkKey();
      task->attempt = 1;
      HopCommit hop;
      hop.state.push_back(StateWrite{engine::DeadLetterKey(id), std::nullopt});
      hop.enqueued.push_back(QueuedWork{task->key, flow.id, 0, engine::EncodeTaskText(*task)});
      Status recorded = impl_->journal->CommitSync(std::move(hop));
      if (!recorded.ok()) {
        it->second.task = std::move(task);
        return recorded.WithPrefix("dead letter '" + std::string(id) + "' could not be requeued");
      }
    }
    impl_->dead.erase(it);
  }
  task->epoch = task->flow->epoch.load();
  task->attempt = 1;
  impl_->Dispatch(std::move(task));
  return Status::OK();
}

Status Engine::DeleteDeadLetter(std::string_view id) {
  std::lock_guard<std::mutex> lock(impl_->dead_mu);
  auto it = impl_->dead.find(id);
  if (it == impl_->dead.end()) return Status::NotFound("no dead letter '" + std::string(id) + "'");
  if (impl_->journal != nullptr) {
    HopCommit hop;
    hop.state.push_back(StateWrite{engine::DeadLetterKey(id), std::nullopt});
    FLOWKIT_RETURN_IF_ERROR(impl_->journal->CommitSync(std::move(hop)));
  }
  impl_->dead.erase(it);
  return Status::OK();
}

bool Engine::WaitIdle(int64_t quiet_ms, int64_t timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(impl_->idle_mu);
      impl_->idle_cv.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(20)),
                                [&] { return impl_->outstanding.load() == 0; });
    }
    if (impl_->outstanding.load() == 0) {
      std::lock_guard<std::mutex> lock(impl_->delayed_mu);
      const int64_t horizon = impl_->clock->NowMillis() + quiet_ms;
      if (impl_->delayed_tasks.empty() || impl_->delayed_tasks.top().due_ms > horizon) {
        if (impl_->outstanding.load() == 0) return true;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
  }
}

EngineStats Engine::Stats() const {
  EngineStats s;
  s.messages_sent = impl_->stat_sent.load();
  s.deliveries = impl_->stat_deliveries.load();
  s.errors = impl_->stat_errors.load();
  s.retries = impl_->stat_retries.load();
  s.dead_letters = impl_->stat_dead.load();
  s.quota_waits = impl_->stat_quota_waits.load();
  s.in_flight = static_cast<uint64_t>(std::max<int64_t>(0, impl_->outstanding.load()));
  {
    std::lock_guard<std::mutex> lock(impl_->delayed_mu);
    s.timers_pending = impl_->delayed_tasks.size();
  }
  std::shared_lock<std::shared_mutex> lock(impl_->flows_mu);
  for (const auto& [id, flow] : impl_->flows) s.running_flows += flow->running.load() ? 1 : 0;
  return s;
}

DocumentStore& Engine::documents() { return *impl_->documents; }

}  // namespace flowkit
