// System webhooks: the engine POSTs every component error to the URLs of the system config key
// WEBHOOK_FLOW_COMPONENT_ERROR, and every new dead letter to WEBHOOK_UNPROCESSED_MESSAGE
// (Appmixer's key names; values are comma-separated URLs). Delivery runs on its own thread with
// retries and back-off; the engine only enqueues (bounded; overflow drops the oldest event and
// counts it), so a slow or dead receiver never blocks a flow.
//
// Threading: thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "flowkit/engine.h"
#include "flowkit/json.h"

namespace flowkit::server {

struct Services;

inline constexpr std::string_view kComponentErrorWebhookKey = "WEBHOOK_FLOW_COMPONENT_ERROR";
inline constexpr std::string_view kDeadLetterWebhookKey = "WEBHOOK_UNPROCESSED_MESSAGE";

struct SystemWebhookOptions {
  size_t max_queue = 10000;
  int max_attempts = 5;
  int64_t initial_delay_ms = 500;  // doubles per attempt
  int64_t request_timeout_ms = 10000;
};

struct SystemWebhookStats {
  uint64_t queued = 0;
  uint64_t delivered = 0;
  uint64_t failed = 0;   // gave up after max_attempts
  uint64_t dropped = 0;  // queue overflow
};

class SystemWebhooks {
 public:
  // Reads the URLs from services.catalog->config() when an event is delivered.
  SystemWebhooks(Services& services, SystemWebhookOptions options = {});
  ~SystemWebhooks();  // stops delivering; undelivered events are dropped (logged)

  // Appmixer's payload: {err: {message, code, name}, type: "component", flowId, flowName, userId,
  // componentId, componentType, inputMessages}. Never blocks.
  void ComponentError(const Json& event);
  // The dead letter's Appmixer record ({messageId, flowId, componentId, messages, created, err})
  // plus userId. Never blocks.
  void DeadLetterCreated(const DeadLetter& letter);
  // POSTs `body` to each URL with the same retries (people-task webhooks). Never blocks.
  void PostTo(std::vector<std::string> urls, const Json& body, std::string flow_id = {});
  SystemWebhookStats Stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowkit::server
