// Components: a Behaviour (what a component does) and the Context it runs in.
//
// One Behaviour object exists per component instance of a running flow, made by the factory
// registered with its type. The engine calls Start once when the flow starts, Stop once when it
// stops, Receive for every delivery (messages that satisfy the fire pattern, timeouts, webhook
// requests, component errors for error-feed types), Tick periodically for `tick: true` types
// and Signal for signals sent within the flow. Each call gets a Context valid for that call only.
//
// Threading: calls on one instance never overlap unless its type was registered with
// `ComponentOptions::concurrent` (then Receive may run on several workers at once and the
// behaviour must be thread-safe). Context methods may be called only from the thread running
// the call they were handed to.
//
// Errors: return a Status. kCancelled (Appmixer's CancelError), kInvalidArgument and the other
// final codes are not retried; retryable codes (Status::IsRetryable) are retried with back-off
// and end in the dead-letter store. A thrown exception is caught where the engine calls the
// behaviour and treated as kInternal (retried).
//
// Effects are transactional per call: messages sent, component-state changes and timers set
// become visible together when the call returns OK, and are discarded when it fails (the
// delivery is retried). Flow-scoped state, data stores and files are written at once
// (at-least-once under retries).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/clock.h"
#include "flowkit/http_client.h"
#include "flowkit/json.h"
#include "flowkit/people_tasks.h"
#include "flowkit/status.h"
#include "flowkit/storage.h"
#include "flowkit/transform.h"

namespace flowkit {

// Why the behaviour is being called.
enum class InvocationKind : uint8_t {
  kStart,    // flow start
  kStop,     // flow stop
  kMessage,  // messages on in-ports (Input(port))
  kTimeout,  // a timer set by SetTimeout fired (Input(kTimeoutPort))
  kWebhook,  // an HTTP request reached the component's webhook URL (Input(kWebhookPort))
  kTick,     // periodic call of a `tick: true` component
  kSignal,   // a signal sent by a component of the same flow (Input(kSignalPort))
  // A component of the same flow failed a call (Input(kErrorPort)); only types registered with
  // ComponentOptions::error_feed get these, through Receive.
  kError,
};

// Pseudo-ports under which non-message inputs appear (Appmixer's context.messages.timeout,
// context.messages.webhook, context.signal).
inline constexpr std::string_view kTimeoutPort = "timeout";
inline constexpr std::string_view kWebhookPort = "webhook";
inline constexpr std::string_view kSignalPort = "signal";
inline constexpr std::string_view kErrorPort = "error";

// One delivered input.
struct Message {
  std::string id;              // unique per message; stable across redelivery
  std::string correlation_id;  // the run this message belongs to
  std::string source_component;  // sender's component id ("" for webhooks, timeouts)
  std::string source_port;
  // The input after the link's transform (and in-port schema coercion).
  std::shared_ptr<const Json> content;
  // What the sender emitted, before the transform.
  std::shared_ptr<const Json> original_content;
  std::string timeout_id;  // set for timeout deliveries

  const Json& Content() const noexcept;
  const Json& OriginalContent() const noexcept;
};

struct SendOptions {
  // Replace the scope the new message carries with this Appmixer-form scope object
  // ({componentId: {port: payload}, "_walkthrough": [...]}) — what test.BeforeAll does to
  // resume the triggering run. null = the current invocation's scope.
  const Json* scope = nullptr;
};

struct LockOptions {
  int64_t ttl_ms = 20000;        // the lock frees itself after this long
  int64_t retry_delay_ms = 200;  // wait between attempts while held by someone else
  int max_retries = 30;          // 0 = fail at once when held
};

// A held named lock; released by Unlock() or destruction.
class LockHandle {
 public:
  virtual ~LockHandle() = default;
  virtual Status Extend(int64_t ttl_ms) = 0;
  virtual void Unlock() = 0;
};

// Keyed JSON state of one scope (component or flow). A missing key reads as Undefined.
class StateScope {
 public:
  virtual ~StateScope() = default;
  virtual Result<Json> Get(std::string_view key) = 0;
  virtual Status Set(std::string_view key, Json value) = 0;
  virtual Status Unset(std::string_view key) = 0;
  virtual Status Clear() = 0;
  // The whole state as an object / replace it whole (Appmixer loadState / saveState).
  virtual Result<Json> Load() = 0;
  virtual Status Save(Json state) = 0;
  // Adds `by` to the number under `key` (missing = 0) and returns the new value.
  virtual Result<Json> Inc(std::string_view key, double by = 1) = 0;
  // Appends `value` to the array under `key` unless an equal element is there; returns whether
  // it was added. A non-array value under `key` is replaced by [value].
  virtual Result<bool> AddToSet(std::string_view key, Json value) = 0;
  // Removes every element equal to `value`; returns whether any was removed.
  virtual Result<bool> RemoveFromSet(std::string_view key, const Json& value) = 0;
};

enum class LogLevel : uint8_t { kDebug, kInfo, kWarning, kError };

class Context {
 public:
  virtual ~Context() = default;

  // --- identity
  virtual InvocationKind kind() const noexcept = 0;
  virtual const std::string& flow_id() const noexcept = 0;
  virtual const std::string& flow_name() const noexcept = 0;
  virtual const std::string& user_id() const noexcept = 0;
  virtual const std::string& component_id() const noexcept = 0;
  virtual const std::string& component_type() const noexcept = 0;
  // Appmixer's context.id: the id of the delivery being processed (stable across redelivery);
  // a fresh id for start/stop/tick calls.
  virtual const std::string& invocation_id() const noexcept = 0;
  // The run this call belongs to ("" for start/stop/tick).
  virtual const std::string& correlation_id() const noexcept = 0;

  // --- configuration
  virtual const Json& properties() const noexcept = 0;  // config.properties (object)
  virtual const Json& auth() const noexcept = 0;        // account secrets ({} without account)
  // After the service refused auth() (an HTTP 401): refreshes the account's token once and
  // returns the new secrets, which auth() then returns too (credentials.h). kUnauthenticated when
  // it cannot; the component should then fail the call with it (final, no retry storm).
  virtual Result<Json> RefreshAuth();
  virtual const Json& config() const noexcept = 0;      // service/module configuration ({})
  virtual const Json& flow_descriptor() const noexcept = 0;  // {componentId: node}
  virtual const Json& custom_fields() const noexcept = 0;    // the flow's customFields ({})

  // --- inputs
  // The messages delivered on `port` in this call (several when a fire pattern collects them);
  // empty when none. Pseudo-ports: kTimeoutPort, kWebhookPort, kSignalPort.
  virtual std::span<const Message> Inputs(std::string_view port) const = 0;
  // The first message on `port`, or nullptr.
  const Message* Input(std::string_view port) const;
  // The scope of this call's run (outputs of every ancestor).
  virtual const ScopeView& scope() const = 0;
  // The same as an Appmixer-form scope object (costs a walk of the run's history).
  virtual Json ScopeJson() const = 0;

  // --- outputs
  // Emits `content` on out-port `port` to every linked component. kInvalidArgument when the
  // manifest has no such out-port.
  virtual Status Send(std::string_view port, Json content, const SendOptions& options = {}) = 0;
  // One Send per element of `items` (an array; a non-array is sent as one message).
  Status SendArray(std::string_view port, const Json& items, const SendOptions& options = {});
  // Answers the pending webhook request of this run; a no-op when there is none.
  virtual Status Respond(Json body, int status = 200, Json headers = Json::MakeObject()) = 0;
  // The public URL that feeds this component's webhook input.
  virtual std::string WebhookUrl(bool enqueue_only = false) const = 0;
  // Broadcasts `content` to every component of this flow (their Signal is called).
  virtual Status SendSignal(Json content) = 0;
  // Stops the running flow once this call returns.
  virtual Status StopFlow() = 0;
  // Starts a run at a component of another running flow of the same user (Appmixer's
  // triggerComponent; subflows use it): that component gets a webhook call whose request data is
  // `data`, and every message of the run carries `correlation_id` (empty: a new one). Applied
  // when this call succeeds, in the same commit as its messages. kNotFound when the flow is not
  // this user's, not running, or has no such component.
  virtual Status TriggerComponent(std::string_view flow_id, std::string_view component_id, Json data,
                                  std::string_view correlation_id = {}) = 0;

  // --- state, timers, locks
  virtual StateScope& state() = 0;       // this component instance's state
  virtual StateScope& flow_state() = 0;  // shared by the flow's components
  // Delivers `content` back to this component as a kTimeout call after `delay_ms` (0 or less:
  // as soon as possible), restoring this call's correlation id and scope. Returns the timeout id.
  virtual Result<std::string> SetTimeout(Json content, int64_t delay_ms) = 0;
  // Cancels a pending timeout; unknown or empty ids are ignored.
  virtual Status ClearTimeout(std::string_view timeout_id) = 0;
  virtual Result<std::unique_ptr<LockHandle>> Lock(std::string_view name, const LockOptions& options = {}) = 0;

  // --- services
  // Store triggers (Appmixer's store.registerWebhook / unregisterWebhook): after WatchStore,
  // every insert, update and delete of a record in the flow owner's data store `store_id` comes
  // to this component as a webhook call whose data is {type: "insert"|"update"|"delete",
  // currentValue: {key, storeId, value, oldValue?, createdAt, updatedAt}}. A watch lasts until
  // UnwatchStore or the flow stops, and survives an engine restart on a durable runtime. Applied
  // when the call succeeds.
  virtual Status WatchStore(std::string_view store_id) = 0;
  virtual Status UnwatchStore(std::string_view store_id) = 0;

  virtual DataStore& stores() = 0;  // the flow owner's data stores
  virtual FileStore& files() = 0;   // the flow owner's files
  // The outbound HTTP client (the engine's, EngineOptions::http_client). Default:
  // DefaultHttpClient(). Perform blocks this call until the response arrives.
  virtual HttpClient& http();
  // People tasks of the flow's user (the engine's EngineOptions::people_tasks; people_tasks.h).
  // Default: UnavailablePeopleTasks().
  virtual PeopleTaskService& people_tasks();
  virtual const Clock& clock() const = 0;
  // An insights log entry of this component.
  virtual void Log(Json entry, LogLevel level = LogLevel::kInfo) = 0;
  // Appmixer's context.evalJavaScript: runs `code` (a function body) in the JavaScript sandbox
  // with `data` as `$data` and `value`, and returns what it returns (flowkit/javascript.h has the
  // rules and errors). The engine applies EngineOptions::javascript; this default, the defaults.
  virtual Result<Json> EvalJavaScript(std::string_view code, const Json& data);
  // A new random UUID v4.
  static std::string NewId();
};

class Behaviour {
 public:
  virtual ~Behaviour() = default;
  // Failing Start keeps the flow stopped.
  virtual Status Start(Context& ctx);
  // Failing Stop is logged; the flow stops anyway.
  virtual Status Stop(Context& ctx);
  virtual Status Receive(Context& ctx);
  // Failing Tick is logged, never retried.
  virtual Status Tick(Context& ctx);
  virtual Status Signal(Context& ctx);
};

}  // namespace flowkit
