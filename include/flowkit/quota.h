// Quotas: rate and concurrency limits on component calls, as Appmixer's quota.js rules.
//
// A quota manager (a name such as "appmixer:utils:csv" or "acme:crm") owns rules; a component
// opts in through its manifest's `quota` block, which names the manager and the resources it
// uses (and `scope: {"userId": ...}` to count per user). Before the engine calls Receive for a
// message, webhook or timeout of such a component, it takes one unit of every rule of that
// manager whose resource the manifest lists. When a rule has no room the call does not fail: the
// delivery waits (in the durable queue, like a retry but without counting an attempt) until the
// rule frees up, first come first served for `fifo` rules. A webhook whose component is over its
// quota answers 202 at once and is processed when the quota allows. A delivery that has waited
// longer than the manifest's `maxWait` (default 120 s) counts as a failed attempt
// (kResourceExhausted) and follows the retry policy.
//
//   auto quotas = std::make_shared<flowkit::QuotaRegistry>();
//   quotas->Register("acme:crm", *flowkit::ParseQuotaRules(flowkit::Json::Parse(R"({"rules": [
//       {"limit": 3, "window": 1000, "throttling": "window-sliding", "queueing": "fifo",
//        "resource": "requests", "scope": "userId"}]})").value()));
//   options.quotas = quotas;   // EngineOptions
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit {

enum class QuotaThrottling : uint8_t {
  kWindowSliding,  // at most `limit` calls in any `window_ms` span ("window-sliding", the default)
  kWindowFixed,    // at most `limit` calls per fixed window ("window-fixed")
  kConcurrency,    // at most `limit` calls running at once ("limit-concurrency")
};

struct QuotaRule {
  std::string resource;  // matched against the manifest's quota.resources
  int64_t limit = 0;     // ≥ 1
  int64_t window_ms = 0;  // windows: ≥ 1; unused for kConcurrency
  QuotaThrottling throttling = QuotaThrottling::kWindowSliding;
  bool per_user = false;  // scope: "userId" — one budget per flow owner
  bool fifo = false;      // queueing: "fifo" — waiting calls are served in arrival order
  // kWindowFixed: the start of the window after the one containing `now_ms` (Appmixer's
  // getStartOfNextWindow). Unset: windows of `window_ms` aligned to the Unix epoch.
  std::function<int64_t(int64_t now_ms)> start_of_next_window;
};

// Reads quota.js rules written as JSON: {"rules": [{limit, window, throttling, queueing,
// resource, scope}]} (or the bare array). `throttling` is "window-sliding" (default),
// "window-fixed" or "limit-concurrency"; `queueing` "fifo" or absent; `scope` "userId" or absent.
// Errors name the offending rule and field.
Result<std::vector<QuotaRule>> ParseQuotaRules(const Json& json);

// Quota managers by name. Filled before the engine opens; read-only afterwards.
class QuotaRegistry {
 public:
  // kAlreadyExists when `manager` has rules; kInvalidArgument for an invalid rule.
  Status Register(std::string manager, std::vector<QuotaRule> rules);
  // Null when the manager has no rules (its components are then not limited).
  const std::vector<QuotaRule>* Find(std::string_view manager) const;
  std::vector<std::string> Managers() const;

 private:
  std::map<std::string, std::vector<QuotaRule>, std::less<>> managers_;
};

// The rules of the native appmixer.utils components (controls: digest, csv: loadFiles,
// files: storeFile — concurrency limits as Appmixer ships them).
Status RegisterBuiltinQuotas(QuotaRegistry& registry);

}  // namespace flowkit
