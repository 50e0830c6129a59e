// flowkitd: the flowkit server. Settings come from defaults, then --config FILE (a JSON object
// whose keys are the long flag names), then FLOWKIT_* environment variables (flag name upper-cased,
// '-' → '_'), then flags; later sources win. SIGTERM or SIGINT drains and exits 0.
#include <CLI/CLI.hpp>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include "app/server.h"
#include "flowkit/version.h"

namespace {

using flowkit::Result;
using flowkit::Status;
using flowkit::server::ServerOptions;

Result<int64_t> ParseInt(const std::string& name, const std::string& text) {
  try {
    size_t used = 0;
    long long v = std::stoll(text, &used);
    if (used == text.size()) return static_cast<int64_t>(v);
  } catch (...) {
  }
  return Status::InvalidArgument("--" + name + " must be an integer, not '" + text + "'");
}

Result<double> ParseDouble(const std::string& name, const std::string& text) {
  try {
    size_t used = 0;
    double v = std::stod(text, &used);
    if (used == text.size() && v >= 0) return v;
  } catch (...) {
  }
  return Status::InvalidArgument("--" + name + " must be a non-negative number, not '" + text + "'");
}

Result<bool> ParseBool(const std::string& name, const std::string& text) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  return Status::InvalidArgument("--" + name + " must be true or false, not '" + text + "'");
}

struct Setting {
  std::string help;
  std::function<Status(ServerOptions&, const std::string&)> apply;
};

Status SetListen(ServerOptions& o, const std::string& text) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("--listen must be HOST:PORT, not '" + text + "'");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  Result<int64_t> port = ParseInt("listen", text.substr(colon + 1));
  if (!port.ok() || *port < 0 || *port > 65535) return Status::InvalidArgument("--listen port must be 0..65535");
  o.host = host;
  o.port = static_cast<int>(*port);
  return Status::OK();
}

template <typename T, typename Parse>
std::function<Status(ServerOptions&, const std::string&)> Number(const std::string& name, T ServerOptions::*field,
                                                                   Parse parse) {
  return [name, field, parse](ServerOptions& o, const std::string& text) -> Status {
    auto value = parse(name, text);
    if (!value.ok()) return value.status();
    o.*field = static_cast<T>(*value);
    return Status::OK();
  };
}

std::map<std::string, Setting> Settings() {
  std::map<std::string, Setting> s;
  s["listen"] = {"HOST:PORT to listen on (default 127.0.0.1:2200; port 0 = any)", SetListen};
  s["data"] = {"Data directory of the embedded default (LMDB runtime + SQLite)",
               [](ServerOptions& o, const std::string& v) { o.data_dir = v; return Status::OK(); }};
  s["store"] = {"Documents/catalog/insights adapter URI (empty = SQLite in --data; memory:)",
                [](ServerOptions& o, const std::string& v) { o.store_uri = v; return Status::OK(); }};
  s["queue"] = {"Runtime (queue, state, timers) adapter URI (empty = LMDB in --data; memory:)",
                [](ServerOptions& o, const std::string& v) { o.queue_uri = v; return Status::OK(); }};
  s["coord"] = {"Coordination (locks, quotas) adapter URI (empty = in-process)",
                [](ServerOptions& o, const std::string& v) { o.coord_uri = v; return Status::OK(); }};
  s["public-url"] = {"Public base URL of webhooks (default http://HOST:PORT)",
                     [](ServerOptions& o, const std::string& v) { o.public_url = v; return Status::OK(); }};
  s["retry-max-attempts"].help = "Attempts before a message is dead-lettered (default 30)";
  s["retry-max-attempts"].apply = [](ServerOptions& o, const std::string& t) -> Status {
    Result<int64_t> v = ParseInt("retry-max-attempts", t);
    if (!v.ok() || *v < 1) return Status::InvalidArgument("--retry-max-attempts must be an integer >= 1");
    o.retry.max_attempts = static_cast<int>(*v);
    return Status::OK();
  };
  s["retry-initial-delay"] = {"Delay before the first retry, ms (default 1000)",
                              [](ServerOptions& o, const std::string& t) -> Status {
                                Result<int64_t> v = ParseInt("retry-initial-delay", t);
                                if (!v.ok() || *v < 0) return Status::InvalidArgument("--retry-initial-delay must be ms >= 0");
                                o.retry.initial_delay_ms = *v;
                                return Status::OK();
                              }};
  s["log-level"] = {"debug | info | warn | error (default info)", [](ServerOptions& o, const std::string& t) -> Status {
                      if (!flowkit::server::ParseLogSeverity(t, &o.log_level)) {
                        return Status::InvalidArgument("--log-level must be debug, info, warn or error");
                      }
                      return Status::OK();
                    }};
  auto int_setting = [&s](const std::string& name, const std::string& help, auto field) {
    s[name] = {help, [name, field](ServerOptions& o, const std::string& t) -> Status {
                 Result<int64_t> v = ParseInt(name, t);
                 if (!v.ok()) return v.status();
                 if (*v < 0) return Status::InvalidArgument("--" + name + " must not be negative");
                 o.*field = static_cast<std::remove_reference_t<decltype(o.*field)>>(*v);
                 return Status::OK();
               }};
  };
  int_setting("max-body-bytes", "Largest API request body (default 4 MiB)", &ServerOptions::max_body_bytes);
  int_setting("max-webhook-body-bytes", "Largest webhook body (default 1 MiB)", &ServerOptions::max_webhook_body_bytes);
  int_setting("max-header-bytes", "Largest request header block (default 16 KiB)", &ServerOptions::max_header_bytes);
  int_setting("header-timeout", "Ms for a request's headers to arrive (default 10000)", &ServerOptions::header_timeout_ms);
  int_setting("body-timeout", "Ms for a request's body to arrive (default 60000)", &ServerOptions::body_timeout_ms);
  int_setting("idle-timeout", "Ms an idle keep-alive connection stays open (default 75000)", &ServerOptions::idle_timeout_ms);
  int_setting("max-connections", "Open connections at most (default 10000)", &ServerOptions::max_connections);
  int_setting("webhook-timeout", "Ms a webhook waits for its Response (default 10000)", &ServerOptions::webhook_timeout_ms);
  int_setting("tick-interval", "Ms between ticks of polling components (default 60000)", &ServerOptions::tick_interval_ms);
  int_setting("workers", "Engine worker threads (default: cores)", &ServerOptions::engine_workers);
  int_setting("api-threads", "Threads running API handlers (default 2)", &ServerOptions::api_threads);
  int_setting("token-ttl", "Seconds a sign-in token lasts (default 604800)", &ServerOptions::token_ttl_s);
  int_setting("insights-retention-days", "Days insights logs are kept (default 30)", &ServerOptions::insights_retention_days);
  s["rate-limit"] = {"Requests/s per user (token bucket; 0 = off; default 100)",
                     Number("rate-limit", &ServerOptions::rate_limit_per_s, [](const std::string& n, const std::string& t) { return ParseDouble(n, t); })};
  s["rate-burst"] = {"Burst of the per-user rate limit (default 200)",
                     Number("rate-burst", &ServerOptions::rate_limit_burst, [](const std::string& n, const std::string& t) { return ParseDouble(n, t); })};
  s["open-signup"] = {"Let anyone POST /user (default false: the first user, then admins)",
                      [](ServerOptions& o, const std::string& t) -> Status {
                        Result<bool> v = ParseBool("open-signup", t);
                        if (!v.ok()) return v.status();
                        o.open_signup = *v;
                        return Status::OK();
                      }};
  s["http-deny-private-addresses"] = {
      "Refuse components' HTTP requests to loopback, private and link-local addresses, checked after DNS "
      "(default false; turn on when users you do not trust write flows)",
      [](ServerOptions& o, const std::string& t) -> Status {
        Result<bool> v = ParseBool("http-deny-private-addresses", t);
        if (!v.ok()) return v.status();
        o.http_deny_private_addresses = *v;
        return Status::OK();
      }};
  s["insights"] = {"What the engine logs to insights: all (every message, default) | errors | none",
                   [](ServerOptions& o, const std::string& t) -> Status {
                     if (t == "all") o.insights_level = flowkit::InsightsLevel::kAll;
                     else if (t == "errors") o.insights_level = flowkit::InsightsLevel::kErrors;
                     else if (t == "none") o.insights_level = flowkit::InsightsLevel::kNone;
                     else return Status::InvalidArgument("--insights must be all, errors or none");
                     return Status::OK();
                   }};
  s["fsync"] = {"fsync the runtime on every group commit (default true; false survives kill -9 but not power loss)",
                [](ServerOptions& o, const std::string& t) -> Status {
                  Result<bool> v = ParseBool("fsync", t);
                  if (!v.ok()) return v.status();
                  o.runtime_fsync = *v;
                  return Status::OK();
                }};
  s["components"] = {"Directory of extra component.json manifests (repeatable; comma-separated in env/config)",
                     [](ServerOptions& o, const std::string& t) {
                       std::stringstream in(t);
                       for (std::string dir; std::getline(in, dir, ',');) {
                         if (!dir.empty()) o.component_dirs.push_back(dir);
                       }
                       return Status::OK();
                     }};
  s["connectors"] = {"Directory of declarative connectors: JSON components and service auth (repeatable; "
                     "comma-separated in env/config)",
                     [](ServerOptions& o, const std::string& t) {
                       std::stringstream in(t);
                       for (std::string dir; std::getline(in, dir, ',');) {
                         if (!dir.empty()) o.connector_dirs.push_back(dir);
                       }
                       return Status::OK();
                     }};
  return s;
}

Status ApplyConfigFile(const std::string& path, const std::map<std::string, Setting>& settings, ServerOptions& options) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("--config " + path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  Result<flowkit::Json> doc = flowkit::Json::Parse(text.str());
  if (!doc.ok()) return Status::InvalidArgument("--config " + path + ": " + doc.status().message());
  if (!doc->IsObject()) return Status::InvalidArgument("--config " + path + ": must be a JSON object");
  for (const auto& member : doc->object()) {
    auto it = settings.find(member.key);
    if (it == settings.end()) return Status::InvalidArgument("--config " + path + ": unknown setting '" + member.key + "'");
    const flowkit::Json& v = member.value;
    std::string value = v.IsString() ? v.AsString() : v.Dump();
    if (v.IsArray()) {
      value.clear();
      for (const flowkit::Json& item : v.array()) value += (value.empty() ? "" : ",") + item.AsString();
    }
    if (Status s = it->second.apply(options, value); !s.ok()) return Status(s.code(), "--config " + path + ": " + s.message());
  }
  return Status::OK();
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, Setting> settings = Settings();
  CLI::App app{"flowkitd — the flowkit server: REST API, webhooks and the engine", "flowkitd"};
  app.set_version_flag("--version", std::string("flowkitd ") + flowkit::Version());
  std::string config_file;
  app.add_option("--config", config_file, "JSON file of settings (keys: the long flag names)")->type_name("FILE");
  std::map<std::string, std::vector<std::string>> given;
  for (auto& [name, setting] : settings) {
    // On/off switches take no value on the command line (true in env and config files).
    if (name == "open-signup" || name == "http-deny-private-addresses") {
      app.add_flag_callback("--" + name, [&given, name] { given[name].push_back("true"); }, setting.help);
      continue;
    }
    app.add_option("--" + name, given[name], setting.help)->type_name("VALUE")->allow_extra_args(false);
  }
  CLI11_PARSE(app, argc, argv);

  ServerOptions options;
  auto fail = [](const Status& s) {
    std::cerr << "flowkitd: " << s.message() << "\n";
    return 2;
  };
  if (!config_file.empty()) {
    if (Status s = ApplyConfigFile(config_file, settings, options); !s.ok()) return fail(s);
  }
  for (auto& [name, setting] : settings) {
    std::string env = "FLOWKIT_" + name;
    for (char& c : env) c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (const char* value = std::getenv(env.c_str()); value != nullptr && *value != '\0') {
      if (Status s = setting.apply(options, value); !s.ok()) return fail(Status(s.code(), env + ": " + s.message()));
    }
  }
  for (auto& [name, values] : given) {
    if (name == "components" && !values.empty()) options.component_dirs.clear();
    if (name == "connectors" && !values.empty()) options.connector_dirs.clear();
    for (const std::string& value : values) {
      if (Status s = settings[name].apply(options, value); !s.ok()) return fail(s);
    }
  }

  // Signals are taken by sigwait below: block them before any thread starts so none gets them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  flowkit::server::Logger log(options.log_level);
  Result<std::unique_ptr<flowkit::server::Server>> server = flowkit::server::Server::Start(options, &log);
  if (!server.ok()) {
    log.Error("cannot start", flowkit::Json::MakeObject({{"error", flowkit::Json(server.status().ToString())}}));
    return 1;
  }
  // A line for scripts and tests that start the server on port 0.
  std::cout << "flowkitd listening on " << (*server)->base_url() << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  log.Info("signal received; draining", flowkit::Json::MakeObject({{"signal", flowkit::Json(received == SIGTERM ? "SIGTERM" : "SIGINT")}}));
  bool drained = (*server)->Drain(10000);
  server->reset();
  (void)drained;  // a drain that timed out still exits 0: in-flight work stays durably queued
  return 0;
}
