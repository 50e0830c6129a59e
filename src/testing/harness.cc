// ComponentHarness: one component run as the engine would run it, with every effect recorded.
//
// Each call builds a HarnessContext holding the call's component-state changes plus the
// sends, signals and timer changes of the call; they are committed to the harness only when the
// behaviour returns OK, which is the engine's transactional hop in miniature. Flow state, data
// stores, files, logs, responses and locks take effect at once, as they do in the engine.
#include "flowkit/testing.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <mutex>
#include <span>
#include <utility>

#include "engine/json_state.h"

namespace flowkit::testing {
namespace {

struct Timer {
  std::string id;
  int64_t due_ms = 0;
  uint64_t seq = 0;  // breaks ties between timers due at the same time: set order
  Json content;
  std::string correlation_id;
  Json scope;
};

// Named locks with a TTL measured on the harness clock. Shared with the handles, which may
// outlive a call (a behaviour may keep one in a member).
struct LockTable {
  struct Entry {
    uint64_t token = 0;
    int64_t expires_ms = 0;
  };
  explicit LockTable(const Clock* clock) : clock(clock) {}
  bool HeldBy(const std::string& name, uint64_t token) const {
    auto it = locks.find(name);
    return it != locks.end() && it->second.token == token &&
           it->second.expires_ms > clock->NowMillis();
  }
  const Clock* clock;
  uint64_t next_token = 1;
  std::map<std::string, Entry, std::less<>> locks;
};

class HarnessLock final : public LockHandle {
 public:
  HarnessLock(std::shared_ptr<LockTable> table, std::string name, uint64_t token)
      : table_(std::move(table)), name_(std::move(name)), token_(token) {}
  ~HarnessLock() override { Unlock(); }

  Status Extend(int64_t ttl_ms) override {
    if (!table_->HeldBy(name_, token_)) {
      return Status::FailedPrecondition("lock '" + name_ + "' is no longer held");
    }
    table_->locks[name_].expires_ms = table_->clock->NowMillis() + ttl_ms;
    return Status::OK();
  }
  void Unlock() override {
    auto it = table_->locks.find(name_);
    if (it != table_->locks.end() && it->second.token == token_) table_->locks.erase(it);
  }

 private:
  std::shared_ptr<LockTable> table_;
  std::string name_;
  uint64_t token_;
};

Status CallSafely(Behaviour& behaviour, InvocationKind kind, Context& ctx) {
  try {
    switch (kind) {
      case InvocationKind::kStart:
        return behaviour.Start(ctx);
      case InvocationKind::kStop:
        return behaviour.Stop(ctx);
      case InvocationKind::kTick:
        return behaviour.Tick(ctx);
      case InvocationKind::kSignal:
        return behaviour.Signal(ctx);
      case InvocationKind::kMessage:
      case InvocationKind::kTimeout:
      case InvocationKind::kWebhook:
      case InvocationKind::kError:
        return behaviour.Receive(ctx);
    }
    return Status::Internal("unknown invocation kind");
  } catch (const std::exception& e) {
    return Status::Internal(std::string("component threw: ") + e.what());
  } catch (...) {
    return Status::Internal("component threw a non-standard exception");
  }
}

using InputMap = std::map<std::string, std::vector<Message>, std::less<>>;

// Everything a harness holds; ComponentHarness::Impl is this, named where the context can see it.
struct HarnessCore {
  HarnessCore(const ComponentType& type, HarnessOptions opts)
      : manifest(type.manifest),
        options(std::move(opts)),
        clock(options.start_time_ms),
        locks(std::make_shared<LockTable>(&clock)),
        documents(NewMemoryDocumentStore(
            {.clock = &clock, .create_stores_on_first_use = true})) {
    if (!options.state.IsObject()) options.state = Json::MakeObject();
    if (!options.flow_state.IsObject()) options.flow_state = Json::MakeObject();
    if (!options.properties.IsObject()) options.properties = Json::MakeObject();
    if (options.flow_descriptor.IsNullish()) {
      Json node = Json::MakeObject(
          {{"type", manifest->name},
           {"source", Json::MakeObject()},
           {"config", Json::MakeObject({{"properties", options.properties}})}});
      options.flow_descriptor = Json::MakeObject();
      options.flow_descriptor.Set(options.component_id, std::move(node));
    }
  }

  // Runs one call of the behaviour and commits its effects when it succeeds.
  Status Invoke(InvocationKind kind, InputMap inputs, std::string correlation_id, Json scope);

  std::shared_ptr<const Manifest> manifest;
  std::unique_ptr<Behaviour> behaviour;
  HarnessOptions options;  // options.state / options.flow_state are the committed state
  ManualClock clock;
  std::shared_ptr<LockTable> locks;
  std::unique_ptr<DocumentStore> documents;
  const Json empty_object = Json::MakeObject();

  std::vector<SentMessage> sent;
  std::vector<Json> signals_sent;
  std::vector<TriggeredRun> triggered;
  std::vector<Json> logs;
  std::set<std::string> watched_stores;
  std::optional<WebhookResponse> last_response;
  bool stop_flow_requested = false;
  std::vector<Timer> timers;  // pending, unordered
  uint64_t next_timer_seq = 1;
};


class HarnessContext final : public Context {
 public:
  HarnessContext(HarnessCore& h, InvocationKind kind, InputMap inputs,
                 std::string correlation_id, Json scope)
      : h_(h),
        kind_(kind),
        inputs_(std::move(inputs)),
        invocation_id_(NewId()),
        correlation_id_(std::move(correlation_id)),
        scope_json_(std::move(scope)),
        scope_view_(scope_json_),
        state_(&h.options.state),
        flow_state_(&h.options.flow_state, &flow_state_mu_) {
    // A timeout or message delivery is identified by its message id (stable on redelivery).
    for (const auto& [port, messages] : inputs_) {
      if (!messages.empty()) {
        invocation_id_ = messages.front().id;
        break;
      }
    }
  }

  InvocationKind kind() const noexcept override { return kind_; }
  const std::string& flow_id() const noexcept override { return h_.options.flow_id; }
  const std::string& flow_name() const noexcept override { return h_.options.flow_name; }
  const std::string& user_id() const noexcept override { return h_.options.user_id; }
  const std::string& component_id() const noexcept override { return h_.options.component_id; }
  const std::string& component_type() const noexcept override { return h_.manifest->name; }
  const std::string& invocation_id() const noexcept override { return invocation_id_; }
  const std::string& correlation_id() const noexcept override { return correlation_id_; }

  const Json& properties() const noexcept override { return h_.options.properties; }
  const Json& auth() const noexcept override { return h_.options.auth; }
  Result<Json> RefreshAuth() override {
    if (!h_.options.refresh_auth) return Context::RefreshAuth();
    FLOWKIT_ASSIGN_OR_RETURN(Json fresh, h_.options.refresh_auth(h_.options.auth));
    h_.options.auth = fresh;
    return fresh;
  }
  const Json& config() const noexcept override { return h_.options.config; }
  const Json& flow_descriptor() const noexcept override { return h_.options.flow_descriptor; }
  const Json& custom_fields() const noexcept override { return h_.empty_object; }

  std::span<const Message> Inputs(std::string_view port) const override {
    auto it = inputs_.find(port);
    if (it == inputs_.end()) return {};
    return it->second;
  }
  const ScopeView& scope() const override { return scope_view_; }
  Json ScopeJson() const override { return scope_json_; }

  Status Send(std::string_view port, Json content, const SendOptions& options) override {
    if (h_.manifest->FindOutPort(port) == nullptr) {
      return Status::InvalidArgument("component type " + h_.manifest->name + " has no out-port '" +
                                     std::string(port) + "'");
    }
    sent_.push_back({std::string(port), std::move(content),
                     options.scope ? *options.scope : Json::Undefined()});
    return Status::OK();
  }
  Status Respond(Json body, int status, Json headers) override {
    h_.last_response = WebhookResponse{std::move(body), status, std::move(headers)};
    return Status::OK();
  }
  std::string WebhookUrl(bool enqueue_only) const override {
    std::string url = h_.options.webhook_base_url + "/flows/" + h_.options.flow_id +
                      "/components/" + h_.options.component_id;
    if (enqueue_only) url += "?enqueueOnly=true";
    return url;
  }
  Status TriggerComponent(std::string_view flow_id, std::string_view component_id, Json data,
                          std::string_view correlation_id) override {
    if (flow_id.empty() || component_id.empty()) {
      return Status::InvalidArgument("TriggerComponent needs a flow id and a component id");
    }
    triggered_.push_back(TriggeredRun{std::string(flow_id), std::string(component_id), std::move(data),
                                      correlation_id.empty() ? Context::NewId() : std::string(correlation_id)});
    return Status::OK();
  }

  Status SendSignal(Json content) override {
    signals_.push_back(std::move(content));
    return Status::OK();
  }
  Status StopFlow() override {
    h_.stop_flow_requested = true;
    return Status::OK();
  }

  StateScope& state() override { return state_; }
  StateScope& flow_state() override { return flow_state_; }

  Result<std::string> SetTimeout(Json content, int64_t delay_ms) override {
    Timer timer;
    timer.id = NewId();
    timer.due_ms = h_.clock.NowMillis() + std::max<int64_t>(delay_ms, 0);
    timer.content = std::move(content);
    timer.correlation_id = correlation_id_;
    timer.scope = scope_json_;
    std::string id = timer.id;
    new_timers_.push_back(std::move(timer));
    return id;
  }
  Status ClearTimeout(std::string_view timeout_id) override {
    if (timeout_id.empty()) return Status::OK();
    auto set_here = std::find_if(new_timers_.begin(), new_timers_.end(),
                                 [&](const Timer& t) { return t.id == timeout_id; });
    if (set_here != new_timers_.end()) {
      new_timers_.erase(set_here);
    } else {
      cleared_timers_.emplace_back(timeout_id);
    }
    return Status::OK();
  }

  Result<std::unique_ptr<LockHandle>> Lock(std::string_view name, const LockOptions& options) override {
    LockTable& table = *h_.locks;
    auto it = table.locks.find(name);
    int64_t now = h_.clock.NowMillis();
    if (it != table.locks.end() && it->second.expires_ms > now) {
      // Single-threaded: only the TTL can free a held lock while we wait. Retry on the harness
      // clock (no sleeping): when the lock expires within the retry budget, the clock moves to
      // the attempt that gets it; otherwise fail without moving the clock.
      const int64_t delay = std::max<int64_t>(options.retry_delay_ms, 0);
      const int64_t expires = it->second.expires_ms;
      // Retries needed until an attempt falls at or after the expiry.
      const int64_t needed = delay > 0 ? (expires - now + delay - 1) / delay : INT64_MAX;
      const int64_t attempt = needed;
      if (attempt > options.max_retries) {
        return Status::Unavailable("lock '" + std::string(name) + "' is held (gave up after " +
                                   std::to_string(options.max_retries) + " retries)");
      }
      h_.clock.Set(now + attempt * delay);
      now = h_.clock.NowMillis();
    }
    const uint64_t token = table.next_token++;
    table.locks.insert_or_assign(std::string(name), LockTable::Entry{token, now + options.ttl_ms});
    return std::unique_ptr<LockHandle>(
        std::make_unique<HarnessLock>(h_.locks, std::string(name), token));
  }

  Status WatchStore(std::string_view store_id) override {
    h_.watched_stores.insert(std::string(store_id));
    return Status::OK();
  }
  Status UnwatchStore(std::string_view store_id) override {
    h_.watched_stores.erase(std::string(store_id));
    return Status::OK();
  }

  DataStore& stores() override { return h_.documents->DataStoresOf(h_.options.user_id); }
  FileStore& files() override { return h_.documents->FilesOf(h_.options.user_id); }
  HttpClient& http() override { return h_.options.http_client ? *h_.options.http_client : DefaultHttpClient(); }
  PeopleTaskService& people_tasks() override {
    return h_.options.people_tasks ? *h_.options.people_tasks : UnavailablePeopleTasks();
  }
  const Clock& clock() const override { return h_.clock; }
  void Log(Json entry, LogLevel) override { h_.logs.push_back(std::move(entry)); }
  Result<Json> EvalJavaScript(std::string_view code, const Json& data) override {
    return flowkit::EvalJavaScript(code, data, h_.options.javascript);
  }

  // Makes the call's effects visible. Called only after the behaviour returned OK.
  void Commit() {
    state_.CommitTo(&h_.options.state);
    for (SentMessage& message : sent_) h_.sent.push_back(std::move(message));
    for (Json& signal : signals_) h_.signals_sent.push_back(std::move(signal));
    for (TriggeredRun& run : triggered_) h_.triggered.push_back(std::move(run));
    for (const std::string& id : cleared_timers_) {
      std::erase_if(h_.timers, [&](const Timer& t) { return t.id == id; });
    }
    for (Timer& timer : new_timers_) {
      timer.seq = h_.next_timer_seq++;
      h_.timers.push_back(std::move(timer));
    }
  }

 private:
  HarnessCore& h_;
  const InvocationKind kind_;
  const InputMap inputs_;
  std::string invocation_id_;
  const std::string correlation_id_;
  const Json scope_json_;
  const JsonScopeView scope_view_;

  // The engine's state scopes: component state is transactional, flow state is applied at once.
  internal::StateTransaction state_;
  std::mutex flow_state_mu_;
  internal::LockedState flow_state_;
  std::vector<SentMessage> sent_;
  std::vector<Json> signals_;
  std::vector<TriggeredRun> triggered_;
  std::vector<Timer> new_timers_;
  std::vector<std::string> cleared_timers_;
};

Message MakeMessage(Json content, Json original, const ReceiveOptions& options) {
  Message message;
  message.id = Context::NewId();
  message.correlation_id = options.correlation_id;
  message.source_component = options.source_component;
  message.source_port = options.source_port;
  message.content = std::make_shared<const Json>(std::move(content));
  message.original_content = std::make_shared<const Json>(std::move(original));
  return message;
}

Status HarnessCore::Invoke(InvocationKind kind, InputMap inputs, std::string correlation_id,
                           Json scope) {
  if (!scope.IsObject()) scope = Json::MakeObject();
  HarnessContext ctx(*this, kind, std::move(inputs), std::move(correlation_id), std::move(scope));
  Status status = CallSafely(*behaviour, kind, ctx);
  if (status.ok()) ctx.Commit();
  return status;
}

}  // namespace

struct ComponentHarness::Impl : HarnessCore {
  using HarnessCore::HarnessCore;
};

Result<std::unique_ptr<ComponentHarness>> ComponentHarness::Create(const ComponentRegistry& registry,
                                                                   std::string_view type,
                                                                   HarnessOptions options) {
  const ComponentType* found = registry.Find(type);
  if (found == nullptr) {
    return Status::NotFound("unknown component type '" + std::string(type) + "'");
  }
  if (!found->runnable()) {
    return Status::FailedPrecondition("component type '" + std::string(type) +
                                      "' has a manifest but no behaviour");
  }
  auto impl = std::make_unique<Impl>(*found, std::move(options));
  try {
    impl->behaviour = found->factory();
  } catch (const std::exception& e) {
    return Status::Internal("factory of '" + std::string(type) + "' threw: " + e.what());
  }
  if (impl->behaviour == nullptr) {
    return Status::Internal("factory of '" + std::string(type) + "' returned no behaviour");
  }
  return std::unique_ptr<ComponentHarness>(new ComponentHarness(std::move(impl)));
}

ComponentHarness::ComponentHarness(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ComponentHarness::~ComponentHarness() = default;

Status ComponentHarness::Start() { return impl_->Invoke(InvocationKind::kStart, {}, "", Json::MakeObject()); }
Status ComponentHarness::Stop() { return impl_->Invoke(InvocationKind::kStop, {}, "", Json::MakeObject()); }
Status ComponentHarness::Tick() { return impl_->Invoke(InvocationKind::kTick, {}, "", Json::MakeObject()); }

Status ComponentHarness::Receive(std::string_view port, Json content, const ReceiveOptions& options) {
  std::map<std::string, std::vector<Json>> inputs;
  inputs[std::string(port)].push_back(std::move(content));
  return ReceiveMany(inputs, options);
}

Status ComponentHarness::ReceiveMany(const std::map<std::string, std::vector<Json>>& inputs,
                                     const ReceiveOptions& options) {
  InputMap messages;
  for (const auto& [port, contents] : inputs) {
    const PortSpec* spec = impl_->manifest->FindInPort(port);
    if (spec == nullptr) {
      return Status::InvalidArgument("component type " + impl_->manifest->name +
                                     " has no in-port '" + port + "'");
    }
    std::vector<Message>& list = messages[port];
    for (const Json& raw : contents) {
      Json content = raw;
      if (spec->compiled_schema) {
        FLOWKIT_RETURN_IF_ERROR(
            spec->compiled_schema->CoerceAndValidate(&content).WithPrefix("in-port '" + port + "'"));
      }
      Json original = options.original_content.IsUndefined() ? raw : options.original_content;
      list.push_back(MakeMessage(std::move(content), std::move(original), options));
    }
  }
  return impl_->Invoke(InvocationKind::kMessage, std::move(messages), options.correlation_id,
                       options.scope);
}

Status ComponentHarness::Webhook(Json request, const ReceiveOptions& options) {
  ReceiveOptions webhook_options = options;
  webhook_options.source_component.clear();
  webhook_options.source_port.clear();
  InputMap inputs;
  Json original = request;
  inputs[std::string(kWebhookPort)].push_back(
      MakeMessage(std::move(request), std::move(original), webhook_options));
  return impl_->Invoke(InvocationKind::kWebhook, std::move(inputs), options.correlation_id,
                       options.scope);
}

Status ComponentHarness::Signal(Json content) {
  ReceiveOptions signal_options;
  signal_options.correlation_id.clear();
  signal_options.source_component.clear();
  signal_options.source_port.clear();
  InputMap inputs;
  Json original = content;
  inputs[std::string(kSignalPort)].push_back(
      MakeMessage(std::move(content), std::move(original), signal_options));
  return impl_->Invoke(InvocationKind::kSignal, std::move(inputs), "", Json::MakeObject());
}

Status ComponentHarness::ComponentError(Json record, const ReceiveOptions& options) {
  ReceiveOptions error_options = options;
  error_options.source_component.clear();
  error_options.source_port.clear();
  InputMap inputs;
  Json original = record;
  inputs[std::string(kErrorPort)].push_back(MakeMessage(std::move(record), std::move(original), error_options));
  return impl_->Invoke(InvocationKind::kError, std::move(inputs), options.correlation_id, options.scope);
}

Status ComponentHarness::AdvanceClock(int64_t ms) {
  const int64_t target = impl_->clock.NowMillis() + std::max<int64_t>(ms, 0);
  while (true) {
    // Timers set by a firing timeout join the scan, so chains due inside the window fire too.
    auto next = std::min_element(impl_->timers.begin(), impl_->timers.end(),
                                 [](const Timer& a, const Timer& b) {
                                   return a.due_ms != b.due_ms ? a.due_ms < b.due_ms : a.seq < b.seq;
                                 });
    if (next == impl_->timers.end() || next->due_ms > target) break;
    Timer timer = std::move(*next);
    impl_->timers.erase(next);
    if (timer.due_ms > impl_->clock.NowMillis()) impl_->clock.Set(timer.due_ms);

    Message message;
    message.id = Context::NewId();
    message.correlation_id = timer.correlation_id;
    message.timeout_id = timer.id;
    message.content = std::make_shared<const Json>(std::move(timer.content));
    InputMap inputs;
    inputs[std::string(kTimeoutPort)].push_back(std::move(message));
    // On failure the clock stays at this timer's due time, so later timers remain pending.
    FLOWKIT_RETURN_IF_ERROR(impl_->Invoke(InvocationKind::kTimeout, std::move(inputs),
                                          timer.correlation_id, std::move(timer.scope)));
  }
  impl_->clock.Set(target);
  return Status::OK();
}

ManualClock& ComponentHarness::clock() { return impl_->clock; }

std::map<std::string, int64_t> ComponentHarness::pending_timeouts() const {
  std::map<std::string, int64_t> out;
  for (const Timer& timer : impl_->timers) out.emplace(timer.id, timer.due_ms);
  return out;
}

const std::vector<SentMessage>& ComponentHarness::sent() const { return impl_->sent; }

std::vector<SentMessage> ComponentHarness::SentOn(std::string_view port) const {
  std::vector<SentMessage> out;
  for (const SentMessage& message : impl_->sent) {
    if (message.port == port) out.push_back(message);
  }
  return out;
}

void ComponentHarness::ClearSent() { impl_->sent.clear(); }
const std::vector<Json>& ComponentHarness::signals_sent() const { return impl_->signals_sent; }
const std::vector<TriggeredRun>& ComponentHarness::triggered() const { return impl_->triggered; }
const std::vector<Json>& ComponentHarness::logs() const { return impl_->logs; }
const std::set<std::string>& ComponentHarness::watched_stores() const { return impl_->watched_stores; }
const std::optional<WebhookResponse>& ComponentHarness::last_response() const {
  return impl_->last_response;
}
bool ComponentHarness::stop_flow_requested() const { return impl_->stop_flow_requested; }

Json& ComponentHarness::state() { return impl_->options.state; }
Json& ComponentHarness::flow_state() { return impl_->options.flow_state; }
DataStore& ComponentHarness::stores() { return impl_->documents->DataStoresOf(impl_->options.user_id); }
FileStore& ComponentHarness::files() { return impl_->documents->FilesOf(impl_->options.user_id); }

}  // namespace flowkit::testing
