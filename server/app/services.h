// What route handlers work with: the library's stores and engine as composed by the Server,
// plus the server's own services (crypto, flows lifecycle, metrics, logs, system webhooks).
// Every member is owned by the Server and lives as long as it; all are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "auth/crypto.h"
#include "flowkit/auth.h"
#include "flowkit/catalog.h"
#include "flowkit/clock.h"
#include "flowkit/engine.h"
#include "flowkit/http_client.h"
#include "flowkit/insights.h"
#include "flowkit/modifier.h"
#include "flowkit/registry.h"
#include "flowkit/storage.h"
#include "http/http_server.h"
#include "ops/log.h"

namespace flowkit::server {

class AccountService;
class FlowService;
class Metrics;
class PeopleTaskHub;
class SystemWebhooks;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 2200;  // 0 = any free port
  // The data directory of the embedded default: runtime/ (LMDB), documents.db, catalog.db,
  // insights.db, master.key. Required unless every adapter is "memory:".
  std::string data_dir;
  // Adapter URIs; empty = the embedded default in data_dir. "memory:" keeps that role in memory
  // (tests). Other schemes (postgresql://, amqp://, redis://) are not built into this server yet.
  std::string store_uri;  // documents, catalog, insights
  std::string queue_uri;  // the runtime: queue, state, timers
  std::string coord_uri;  // locks, quotas, leases
  // fsync the embedded runtime on every commit (group commit). false: a process crash (kill -9)
  // still loses nothing, a machine crash or power loss may lose the newest hops.
  bool runtime_fsync = true;
  // Public base URL of webhooks; empty = http://<host>:<port>.
  std::string public_url;

  RetryPolicy retry;
  size_t engine_workers = 0;  // 0 = cores
  size_t api_threads = 2;     // the pool running blocking API handlers
  int64_t webhook_timeout_ms = 10000;
  int64_t tick_interval_ms = 60000;
  // How often pending people tasks past their decisionBy become "due" (Appmixer: every minute).
  int64_t people_task_due_interval_ms = 60000;

  // HTTP limits.
  size_t max_body_bytes = 4 * 1024 * 1024;
  size_t max_webhook_body_bytes = 1024 * 1024;  // Appmixer's LIMIT_WEBHOOK_BYTES
  size_t max_header_bytes = 16 * 1024;
  int64_t header_timeout_ms = 10000;
  int64_t body_timeout_ms = 60000;
  int64_t idle_timeout_ms = 75000;
  size_t max_connections = 10000;
  // Outbound requests of components (HTTP Get, Post, Uptime, ...): refuse loopback, private and
  // link-local addresses (HttpClientOptions::deny_private_addresses). Default: false.
  bool http_deny_private_addresses = false;
  // Per-user request rate (token bucket): sustained requests/s and burst. 0 = unlimited.
  double rate_limit_per_s = 100;
  double rate_limit_burst = 200;

  // Users and tokens.
  bool open_signup = false;  // anyone may POST /user (else only the first user, then admins)
  int64_t token_ttl_s = 7 * 24 * 3600;
  PasswordHashParams password_hash;
  std::string master_key;  // base64; empty = <data_dir>/master.key (created at first start)

  std::vector<std::string> component_dirs;  // extra component.json manifests
  std::vector<std::string> connector_dirs;  // declarative connectors (flowkit/connectors.h)
  LogSeverity log_level = LogSeverity::kInfo;
  int64_t insights_retention_days = 30;
  // What the engine logs to insights: every message (Appmixer's default), errors only, or none.
  InsightsLevel insights_level = InsightsLevel::kAll;
  const Clock* clock = nullptr;  // null = SystemClock()
};

struct Services {
  ServerOptions options;
  const Clock* clock = nullptr;
  Logger* log = nullptr;
  std::shared_ptr<ComponentRegistry> components;
  std::shared_ptr<ModifierRegistry> modifiers;
  std::unique_ptr<Catalog> catalog;
  std::shared_ptr<DocumentStore> documents;  // the engine's (store triggers fire through it)
  std::shared_ptr<InsightsStore> insights;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<SecretBox> secrets;
  std::unique_ptr<JwtSigner> jwt;
  std::unique_ptr<FlowService> flows;
  std::unique_ptr<Metrics> metrics;
  std::unique_ptr<SystemWebhooks> system_webhooks;
  // People tasks for components (the engine's EngineOptions::people_tasks) and their outcomes.
  std::shared_ptr<PeopleTaskHub> people_tasks;
  std::shared_ptr<HttpClient> http;             // outbound requests: components and OAuth token calls
  // How each service's accounts connect: auth.json of --components dirs, service files of --connectors.
  std::shared_ptr<AuthRegistry> auth;
  std::shared_ptr<AccountService> accounts;     // the engine's credentials; OAuth flows
  std::string public_url;
  int64_t started_ms = 0;

  Services();
  ~Services();
};

}  // namespace flowkit::server
