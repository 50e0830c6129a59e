#include "app/server.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "api/routes.h"
#include "app/account_service.h"
#include "app/flow_service.h"
#include "app/people_task_hub.h"
#include "app/system_webhooks.h"
#include "app/thread_pool.h"
#include "flowkit/builtins.h"
#include "flowkit/connectors.h"
#include "flowkit/runtime.h"
#include "ops/metrics.h"
#include "util/data_dir.h"

namespace flowkit::server {

Services::Services() = default;
Services::~Services() = default;

namespace {

int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Token buckets per key (user id, or client address for sign-in).
class RateLimiter {
 public:
  RateLimiter(double per_second, double burst) : per_second_(per_second), burst_(burst) {}
  // 0 when allowed, else the seconds to wait (for Retry-After).
  int64_t Take(const std::string& key) {
    if (per_second_ <= 0) return 0;
    int64_t now = SteadyMicros();
    std::lock_guard<std::mutex> lock(mu_);
    if (buckets_.size() > 100000) buckets_.clear();  // bound memory against many distinct keys
    Bucket& b = buckets_[key];
    if (b.last_us == 0) {
      b.tokens = burst_;
    } else {
      b.tokens = std::min(burst_, b.tokens + static_cast<double>(now - b.last_us) / 1e6 * per_second_);
    }
    b.last_us = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return static_cast<int64_t>((1 - b.tokens) / per_second_) + 1;
  }

 private:
  struct Bucket {
    double tokens = 0;
    int64_t last_us = 0;
  };
  double per_second_;
  double burst_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

// Records the answer's status and latency for /metrics, then passes it on.
class MeasuredResponder final : public Responder {
 public:
  MeasuredResponder(std::shared_ptr<Responder> inner, Metrics* metrics, const Route* route)
      : inner_(std::move(inner)), metrics_(metrics), route_(route), start_us_(SteadyMicros()) {}
  void Reply(HttpResponse response) override {
    if (inner_->replied()) return;
    metrics_->Observe(route_, response.status, SteadyMicros() - start_us_);
    inner_->Reply(std::move(response));
  }
  bool replied() const override { return inner_->replied(); }

 private:
  std::shared_ptr<Responder> inner_;
  Metrics* metrics_;
  const Route* route_;
  int64_t start_us_;
};

std::string BearerToken(const HttpRequest& request) {
  const std::string* header = request.Header("authorization");
  if (header == nullptr) return {};
  std::string_view value = *header;
  constexpr std::string_view kPrefix = "Bearer ";
  if (value.size() <= kPrefix.size()) return {};
  for (size_t i = 0; i < kPrefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != std::tolower(static_cast<unsigned char>(kPrefix[i]))) return {};
  }
  return std::string(value.substr(kPrefix.size()));
}

// The JWT key: FLOWKIT_JWT_SECRET (shared by every node of a cluster), else <data>/jwt.key
// (created 0600 at first start), else (memory mode) a fresh random key per process.
Result<std::string> LoadJwtKey(const ServerOptions& options) {
  if (const char* env = std::getenv("FLOWKIT_JWT_SECRET"); env != nullptr && *env != '\0') {
    if (std::string_view(env).size() < 32) return Status::InvalidArgument("FLOWKIT_JWT_SECRET must be at least 32 characters");
    return std::string(env);
  }
  if (options.data_dir.empty()) return RandomToken(32);
  std::string path = options.data_dir + "/jwt.key";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    std::string key = RandomToken(32);
    bool ok = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) return Status::IOError("cannot write " + path);
    return key;
  }
  if (errno != EEXIST) return Status::IOError("cannot create " + path + ": " + std::strerror(errno));
  fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot read " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
    ::close(fd);
    return Status::FailedPrecondition(path + " must not be readable by group or others (chmod 600)");
  }
  char buffer[256];
  ssize_t n = ::read(fd, buffer, sizeof(buffer));
  ::close(fd);
  if (n < 32) return Status::FailedPrecondition(path + " is damaged (shorter than 32 bytes)");
  return std::string(buffer, static_cast<size_t>(n));
}

bool IsMemory(const std::string& uri) { return uri == "memory:" || uri == "memory://"; }

Status CheckAdapterUri(std::string_view role, const std::string& uri) {
  if (uri.empty() || IsMemory(uri)) return Status::OK();
  std::string_view scheme = std::string_view(uri).substr(0, uri.find(':'));
  std::string shown = uri;
  if (size_t at = shown.find('@'); at != std::string::npos) {
    size_t start = shown.find("://");
    if (start != std::string::npos) shown = shown.substr(0, start + 3) + "***" + shown.substr(at);
  }
  return Status::NotSupported(std::string(role) + " adapter '" + std::string(scheme) + "' (" + shown +
                              ") is not built into this flowkitd; known: memory:, and the embedded default "
                              "(leave empty: LMDB + SQLite in --data)");
}

}  // namespace

struct Server::Impl {
  Services services;
  Router router;
  std::unique_ptr<ThreadPool> api_pool;
  std::unique_ptr<RateLimiter> limiter;
  std::unique_ptr<HttpServer> http;
  bool drained = false;
  std::atomic<bool> ready{false};

  void Handle(HttpRequest&& request, std::shared_ptr<Responder> responder);
  void Run(const Route* route, std::unique_ptr<Call> call, std::string token);
  Status AddOperationRoutes();
  // The people-task deadline job, on the API pool: after `delay_ms`, then every interval. The
  // pool is passed along rather than read from api_pool, which Drain resets (to null) while the
  // pool's destructor lets a running job finish; the pool ignores the re-post then.
  void ScheduleDueJob(ThreadPool* pool, int64_t delay_ms) {
    pool->PostAfter(delay_ms, [this, pool] {
      services.people_tasks->RunDueJob();
      ScheduleDueJob(pool, std::max<int64_t>(1, services.options.people_task_due_interval_ms));
    });
  }
};

void Server::Impl::Handle(HttpRequest&& request, std::shared_ptr<Responder> responder) {
  if (!ready.load(std::memory_order_acquire)) {
    responder->Reply(HttpResponse::Error(503, "unavailable", "the server is starting").SetHeader("Retry-After", "1"));
    return;
  }
  Router::Match match = router.Find(request.method, request.path);
  auto measured = std::make_shared<MeasuredResponder>(std::move(responder), services.metrics.get(), match.route);
  if (match.route == nullptr) {
    if (match.path_known) {
      measured->Reply(HttpResponse::Error(405, "method_not_allowed",
                                          "method " + request.method + " is not allowed on " + request.path));
    } else {
      measured->Reply(HttpResponse::Error(404, "not_found", "no route " + request.method + " " + request.path));
    }
    return;
  }
  const Route* route = match.route;
  std::string token = BearerToken(request);
  if (route->access != Access::kAnonymous && route->access != Access::kUserOrSecret && token.empty()) {
    measured->Reply(HttpResponse::Error(401, "unauthenticated", "this route needs a token: Authorization: Bearer <token>")
                        .SetHeader("WWW-Authenticate", "Bearer"));
    return;
  }
  auto call = std::make_unique<Call>(std::move(request), measured);
  call->set_params(std::move(match.params));
  if (route->thread == RouteThread::kLoop) {
    Run(route, std::move(call), std::move(token));
    return;
  }
  // std::function needs a copyable callable: hand the call over through a shared_ptr.
  auto shared = std::make_shared<std::unique_ptr<Call>>(std::move(call));
  api_pool->Post([this, route, shared, token = std::move(token)]() mutable { Run(route, std::move(*shared), std::move(token)); });
}

void Server::Impl::Run(const Route* route, std::unique_ptr<Call> call, std::string token) {
  if (!token.empty()) {
    int64_t now_s = services.clock->NowMillis() / 1000;
    Result<Json> claims = services.jwt->Verify(token, now_s);
    if (claims.ok()) {
      std::string user_id = claims->Get("id").AsString();
      // Scope and activity come from the stored user, so a removed or demoted user loses
      // access at once. Loop-thread routes are anonymous and skip the lookup.
      if (route->thread == RouteThread::kWorker && !user_id.empty()) {
        Result<UserRecord> user = services.catalog->users().Get(user_id);
        if (user.ok() && user->is_active) {
          Caller caller;
          caller.user_id = user->id;
          caller.email = user->email;
          caller.username = user->username;
          caller.scope = user->scope;
          for (const std::string& s : user->scope) caller.admin = caller.admin || s == "admin";
          call->set_caller(std::move(caller));
        } else if (route->access != Access::kAnonymous) {
          call->Reply(HttpResponse::Error(401, "unauthenticated", "the token's user no longer exists or is inactive"));
          return;
        }
      }
    } else if (route->access != Access::kAnonymous) {
      call->Reply(HttpResponse::Error(401, "unauthenticated", "invalid token: " + claims.status().message())
                      .SetHeader("WWW-Authenticate", "Bearer error=\"invalid_token\""));
      return;
    }
  }
  if (route->access == Access::kAdmin && !call->caller()->admin) {
    call->Reply(HttpResponse::Error(403, "permission_denied", "this route is for administrators"));
    return;
  }
  if (route->access != Access::kAnonymous || route->pattern == "/user/auth" || route->pattern == "/user") {
    std::string key = call->caller() != nullptr ? "u:" + call->caller()->user_id : "a:" + call->request().remote_address;
    if (int64_t wait = limiter->Take(key); wait > 0) {
      call->Reply(HttpResponse::Error(429, "resource_exhausted", "too many requests; retry in " + std::to_string(wait) + " s")
                      .SetHeader("Retry-After", std::to_string(wait)));
      return;
    }
  }
  try {
    route->handler(*call);
  } catch (const std::exception& e) {
    services.log->Error("handler threw", Json::MakeObject({{"route", Json(route->pattern)}, {"error", Json(e.what())}}));
    if (!call->replied()) call->Reply(HttpResponse::Error(500, "internal", "internal error"));
  }
}

Status Server::Impl::AddOperationRoutes() {
  Status s = router.Add(Route{
      .method = "GET", .pattern = "/healthz", .access = Access::kAnonymous, .thread = RouteThread::kLoop,
      .summary = "Liveness: 200 {status: ok} while the server runs", .tag = "operations",
      .handler = [](Call& call) { call.Reply(200, Json::MakeObject({{"status", Json("ok")}})); }});
  if (!s.ok()) return s;
  s = router.Add(Route{
      .method = "GET", .pattern = "/metrics", .access = Access::kAdmin, .thread = RouteThread::kWorker,
      .summary = "Prometheus metrics (text exposition format)", .tag = "operations",
      .handler = [this](Call& call) {
        EngineStats engine = services.engine->Stats();
        HttpServerStats http_stats = http != nullptr ? http->Stats() : HttpServerStats{};
        InsightsStats insights = services.insights->Stats();
        Metrics::Sources sources;
        sources.engine = &engine;
        sources.http = &http_stats;
        sources.insights = &insights;
        sources.api_queue = api_pool->queued();
        sources.uptime_s = (services.clock->NowMillis() - services.started_ms) / 1000;
        call.Reply(HttpResponse::WithText(200, services.metrics->Render(sources), "text/plain; version=0.0.4; charset=utf-8"));
      }});
  if (!s.ok()) return s;
  return router.Add(Route{
      .method = "GET", .pattern = "/openapi.json", .access = Access::kAnonymous, .thread = RouteThread::kWorker,
      .summary = "This API as an OpenAPI 3 document", .tag = "operations",
      .handler = [this](Call& call) { call.Reply(200, OpenApiDocument(router, services.public_url)); }});
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Drain(0); }

int Server::port() const { return impl_->http->port(); }

std::string Server::base_url() const {
  std::string host = impl_->services.options.host;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port());
}

Services& Server::services() { return impl_->services; }

const Router& Server::router() const { return impl_->router; }

bool Server::Drain(int64_t timeout_ms) {
  if (impl_->drained) return true;
  impl_->drained = true;
  Services& s = impl_->services;
  s.log->Info("draining", Json::MakeObject({{"timeoutMs", Json(timeout_ms)}}));
  bool answered = impl_->http->Stop(timeout_ms);
  impl_->api_pool.reset();  // runs what is queued (their answers go nowhere now)
  // The engine's destructor on a durable runtime is a shutdown: running flows stay running and
  // their queued work stays queued for the next start.
  s.engine.reset();
  s.system_webhooks.reset();
  if (s.insights) (void)s.insights->Flush();
  s.log->Info("stopped", Json::MakeObject({{"drained", Json(answered)}}));
  return answered;
}

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options, Logger* log) {
  auto impl = std::make_unique<Impl>();
  Services& s = impl->services;
  s.log = log;
  s.clock = options.clock != nullptr ? options.clock : SystemClock();
  s.started_ms = s.clock->NowMillis();
  if (Status st = InitCrypto(); !st.ok()) return st;
  for (auto [role, uri] : {std::pair<std::string_view, const std::string*>{"store", &options.store_uri},
                           {"queue", &options.queue_uri},
                           {"coordination", &options.coord_uri}}) {
    if (Status st = CheckAdapterUri(role, *uri); !st.ok()) return st;
  }
  bool memory_store = IsMemory(options.store_uri);
  bool memory_queue = IsMemory(options.queue_uri);
  if (options.data_dir.empty() && !(memory_store && memory_queue)) {
    return Status::InvalidArgument("--data DIR is required (or --store memory: --queue memory:)");
  }
  if (!options.data_dir.empty()) {
    if (Status st = util::EnsurePrivateDirectory(options.data_dir); !st.ok()) return st;
  }
  if (options.public_url.empty()) {
    std::string host = options.host.empty() || options.host == "0.0.0.0" ? "127.0.0.1" : options.host;
    // The port is known only after binding when 0; fixed below.
    options.public_url = "http://" + host + ":" + std::to_string(options.port);
  }

  // Components and modifiers.
  s.components = std::make_shared<ComponentRegistry>();
  s.modifiers = std::make_shared<ModifierRegistry>();
  if (Status st = RegisterBuiltinComponents(*s.components); !st.ok()) return st;
  if (Status st = RegisterBuiltinModifiers(*s.modifiers); !st.ok()) return st;
  s.auth = std::make_shared<AuthRegistry>();
  for (const std::string& dir : options.component_dirs) {
    Result<size_t> loaded = s.components->LoadManifestDirectory(dir);
    if (!loaded.ok()) return Status(loaded.status().code(), "--components " + dir + ": " + loaded.status().message());
    Result<size_t> auths = LoadAuthDefinitions(dir, *s.auth);
    if (!auths.ok()) return Status(auths.status().code(), "--components " + dir + ": " + auths.status().message());
  }
  for (const std::string& dir : options.connector_dirs) {
    Result<ConnectorSet> connectors = LoadConnectors(dir);
    Status st = connectors.status();
    if (st.ok()) st = RegisterConnectors(*connectors, *s.components);
    if (st.ok()) st = RegisterConnectorAuth(*connectors, *s.auth);
    if (!st.ok()) return Status(st.code(), "--connectors " + dir + ": " + st.message());
  }
  s.accounts = std::make_shared<AccountService>(s);

  // Stores.
  if (memory_store) {
    s.catalog = NewMemoryCatalog(s.clock);
    s.documents = NewMemoryDocumentStore(MemoryDocumentOptions{.clock = s.clock});
    s.insights = std::make_shared<MemoryInsights>(100000, s.clock);
  } else {
    Result<std::unique_ptr<Catalog>> catalog =
        NewSqliteCatalog(SqliteCatalogOptions{.path = options.data_dir + "/catalog.db", .clock = s.clock});
    if (!catalog.ok()) return catalog.status();
    s.catalog = std::move(*catalog);
    Result<std::unique_ptr<DocumentStore>> documents =
        NewSqliteDocumentStore(SqliteDocumentOptions{.path = options.data_dir + "/documents.db", .clock = s.clock});
    if (!documents.ok()) return documents.status();
    s.documents = std::move(*documents);
    SqliteInsightsOptions insights_options;
    insights_options.dir = options.data_dir;
    insights_options.clock = s.clock;
    insights_options.retention_max_age_ms = options.insights_retention_days * 24 * 3600 * 1000;
    Result<std::unique_ptr<InsightsStore>> insights = NewSqliteInsights(insights_options);
    if (!insights.ok()) return insights.status();
    s.insights = std::move(*insights);
  }

  // Secrets and tokens.
  {
    const char* env = std::getenv("FLOWKIT_MASTER_KEY");
    std::string key = !options.master_key.empty() ? options.master_key : (env != nullptr ? env : "");
    if (options.data_dir.empty() && key.empty()) {
      std::string ephemeral(32, '\0');
      randombytes_buf(ephemeral.data(), ephemeral.size());
      s.secrets = std::make_unique<SecretBox>(SecretBox::FromKey(ephemeral));
      sodium_memzero(ephemeral.data(), ephemeral.size());
    } else {
      Result<SecretBox> box = SecretBox::Open(options.data_dir, key);
      if (!box.ok()) return box.status();
      s.secrets = std::make_unique<SecretBox>(std::move(*box));
    }
    Result<std::string> jwt_key = LoadJwtKey(options);
    if (!jwt_key.ok()) return jwt_key.status();
    s.jwt = std::make_unique<JwtSigner>(std::move(*jwt_key));
  }

  // The router first: the HTTP server needs it, the engine needs the public URL (port).
  s.options = options;
  s.flows = std::make_unique<FlowService>(s);
  s.system_webhooks = std::make_unique<SystemWebhooks>(s);
  s.people_tasks = std::make_shared<PeopleTaskHub>(s);
  Router& router = impl->router;
  for (auto add : {AddUserRoutes, AddFlowRoutes, AddWebhookRoutes, AddComponentRoutes, AddAccountRoutes,
                   AddStoreRoutes, AddFileRoutes, AddConfigRoutes, AddDeadLetterRoutes, AddInsightsRoutes,
                   AddPeopleTaskRoutes, AddModifierRoutes, AddAuthRoutes}) {
    if (Status st = add(router, s); !st.ok()) return st;
  }
  if (Status st = impl->AddOperationRoutes(); !st.ok()) return st;
  s.metrics = std::make_unique<Metrics>(router);
  impl->api_pool = std::make_unique<ThreadPool>(options.api_threads);
  impl->limiter = std::make_unique<RateLimiter>(options.rate_limit_per_s, options.rate_limit_burst);

  HttpServerOptions http;
  http.host = options.host;
  http.port = options.port;
  http.max_body_bytes = options.max_body_bytes;
  http.max_header_bytes = options.max_header_bytes;
  http.header_timeout_ms = options.header_timeout_ms;
  http.body_timeout_ms = options.body_timeout_ms;
  http.idle_timeout_ms = options.idle_timeout_ms;
  http.max_connections = options.max_connections;
  size_t webhook_limit = options.max_webhook_body_bytes;
  http.body_limit = [webhook_limit](std::string_view /*method*/, std::string_view target) -> size_t {
    // /flows/<flowId>/components/<componentId>: a webhook.
    std::vector<std::string_view> parts = SplitPath(target.substr(0, target.find('?')));
    return parts.size() == 4 && parts[0] == "flows" && parts[2] == "components" ? webhook_limit : 0;
  };
  Impl* raw = impl.get();
  // Webhook URLs need the bound port (port 0), so the listener starts before the engine opens;
  // requests arriving meanwhile get 503 until `ready`.
  Result<std::unique_ptr<HttpServer>> started =
      HttpServer::Start(std::move(http), [raw](HttpRequest&& request, std::shared_ptr<Responder> responder) {
        raw->Handle(std::move(request), std::move(responder));
      });
  if (!started.ok()) return started.status();
  impl->http = std::move(*started);
  if (options.port == 0 && s.options.public_url == options.public_url) {
    std::string host = options.host.empty() || options.host == "0.0.0.0" ? "127.0.0.1" : options.host;
    s.options.public_url = "http://" + host + ":" + std::to_string(impl->http->port());
  }
  s.public_url = s.options.public_url;

  EngineOptions engine_options;
  engine_options.components = s.components;
  engine_options.modifiers = s.modifiers;
  engine_options.workers = options.engine_workers;
  engine_options.retry = options.retry;
  engine_options.tick_interval_ms = options.tick_interval_ms;
  engine_options.webhook_base_url = s.public_url;
  engine_options.clock = s.clock;
  engine_options.documents = s.documents;
  engine_options.insights = s.insights;
  engine_options.insights_level = options.insights_level;
  engine_options.webhook_timeout_ms = options.webhook_timeout_ms;
  HttpClientOptions http_options;
  http_options.deny_private_addresses = options.http_deny_private_addresses;
  Result<std::unique_ptr<HttpClient>> http_client = NewCurlHttpClient(http_options);
  if (!http_client.ok()) return http_client.status();
  s.http = std::move(*http_client);
  engine_options.http_client = s.http;
  engine_options.credentials = s.accounts;
  engine_options.people_tasks = s.people_tasks;
  SystemWebhooks* hooks = s.system_webhooks.get();
  engine_options.on_component_error = [hooks](const Json& event) { hooks->ComponentError(event); };
  engine_options.on_dead_letter = [hooks](const DeadLetter& letter) { hooks->DeadLetterCreated(letter); };
  if (!memory_queue) {
    LmdbRuntimeOptions runtime_options;
    runtime_options.path = options.data_dir + "/runtime";
    runtime_options.sync = options.runtime_fsync;
    Result<std::unique_ptr<Runtime>> runtime = NewLmdbRuntime(runtime_options);
    if (!runtime.ok()) return runtime.status();
    engine_options.runtime = std::move(*runtime);
  }
  Result<std::unique_ptr<Engine>> engine = Engine::Open(std::move(engine_options));
  if (!engine.ok()) return engine.status();
  s.engine = std::move(*engine);
  s.flows->Reconcile();
  impl->ScheduleDueJob(impl->api_pool.get(), 0);  // at once: tasks that fell due while the server was down
  impl->ready.store(true, std::memory_order_release);
  log->Info("listening", Json::MakeObject({{"host", Json(options.host)},
                                            {"port", Json(static_cast<int64_t>(impl->http->port()))},
                                            {"data", Json(options.data_dir)},
                                            {"publicUrl", Json(s.public_url)}}));
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

}  // namespace flowkit::server
