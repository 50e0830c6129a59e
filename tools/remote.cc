#include "remote.h"

#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "api_client.h"

namespace flowkit::cli {
namespace {

constexpr int kOk = 0;
constexpr int kApiError = 1;
constexpr int kUsage = 2;
constexpr size_t kLogMessageChars = 200;
constexpr int kFlowPage = 1000;

// A field for a one-line listing: strings as they are, other values as compact JSON, "-" for none.
std::string Field(const Json& object, std::string_view key) {
  const Json& value = object.Get(key);
  if (value.IsString()) return value.StringView().empty() ? "-" : value.AsString();
  if (value.IsNullish()) return "-";
  return value.Dump();
}

// The first `max_chars` UTF-8 characters of `text`, with "…" when something was cut.
std::string CutChars(const std::string& text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (chars++ == max_chars) return text.substr(0, i) + "…";
  }
  return text;
}

std::string FirstLine(const Json& err) {
  std::string text;
  if (err.IsString()) {
    text = err.AsString();
  } else if (err.IsObject() && err.Get("message").IsString()) {
    text = err.Get("message").AsString();
  } else if (!err.IsNullish()) {
    text = err.Dump();
  }
  text = text.substr(0, text.find('\n'));
  return text.empty() ? "-" : text;
}

// The password without echo when stdin is a terminal; otherwise one line of stdin.
std::string ReadPassword(std::ostream& err) {
  std::string password;
  if (isatty(STDIN_FILENO) != 0) {
    err << "Password: " << std::flush;
    termios saved{};
    const bool have_tty = tcgetattr(STDIN_FILENO, &saved) == 0;
    if (have_tty) {
      termios quiet = saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    std::getline(std::cin, password);
    if (have_tty) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    err << "\n";
  } else {
    std::getline(std::cin, password);
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

class RemoteCommandsImpl final : public RemoteCommands {
 public:
  explicit RemoteCommandsImpl(CLI::App& app) {
    login_ = app.add_subcommand("login", "Sign in to a flowkitd server and save the token");
    login_->add_option("--url", url_, std::string("Server URL (default ") + kDefaultServerUrl + ")")->type_name("URL");
    login_->add_option("--email", email_, "Account email")->required()->type_name("EMAIL");
    login_->add_option("--password", password_,
                       "Password (default: $FLOWKIT_PASSWORD, else read from the terminal or stdin)")
        ->type_name("PASSWORD");
    logout_ = app.add_subcommand("logout", "Forget the saved token");

    CLI::App* flow = app.add_subcommand("flow", "Manage flows on the server");
    flow->require_subcommand(1);
    flow_ls_ = Leaf(flow, "ls", "List flows: <flowId> TAB <stage> TAB <name>");
    flow_get_ = Leaf(flow, "get", "Print one flow as JSON");
    AddId(flow_get_);
    flow_put_ = Leaf(flow, "put", "Create a flow from FILE (prints its id), or update flow --id with it");
    flow_put_->add_option("file", file_, "Flow document {name, flow, customFields}")->required()->type_name("FILE");
    flow_put_->add_option("--id", id_, "Update this flow instead of creating one")->type_name("ID");
    flow_put_->add_flag("--force", force_, "Update a running flow (it is stopped and started again)");
    flow_rm_ = Leaf(flow, "rm", "Delete a flow");
    AddId(flow_rm_);
    flow_start_ = Leaf(flow, "start", "Start a flow");
    AddId(flow_start_);
    flow_stop_ = Leaf(flow, "stop", "Stop a flow");
    AddId(flow_stop_);
    flow_export_ = Leaf(flow, "export", "Print a flow as an importable document {name, flow, customFields}");
    AddId(flow_export_);
    flow_export_->add_option("-o,--output", file_, "Write to FILE instead of stdout")->type_name("FILE");
    flow_import_ = Leaf(flow, "import", "Create a flow from an exported document (prints its id)");
    flow_import_->add_option("file", file_, "Flow document {name, flow, customFields}")->required()->type_name("FILE");

    CLI::App* dead = app.add_subcommand("dead", "Manage dead letters (unprocessed messages)");
    dead->require_subcommand(1);
    dead_ls_ = Leaf(dead, "ls", "List dead letters: <messageId> TAB <flowId> TAB <componentId> TAB <error>");
    dead_ls_->add_option("--flow", flow_ids_, "Only this flow's (repeatable)")->type_name("ID")->allow_extra_args(false);
    dead_get_ = Leaf(dead, "get", "Print one dead letter as JSON");
    AddId(dead_get_);
    dead_retry_ = Leaf(dead, "retry", "Put a dead letter back into its flow");
    AddId(dead_retry_);
    dead_rm_ = Leaf(dead, "rm", "Delete a dead letter");
    AddId(dead_rm_);

    logs_ = Leaf(&app, "logs", "Search the activity log");
    logs_->add_option("--flow", flow_ids_, "Only this flow's (repeatable)")->type_name("ID")->allow_extra_args(false);
    logs_->add_option("--component", component_, "Only this component's")->type_name("ID");
    logs_->add_option("--severity", severity_, "info or error")->check(CLI::IsMember({"info", "error"}));
    logs_->add_option("--query", query_, "Query text (Lucene syntax)")->type_name("TEXT");
    logs_->add_option("--size", size_, "At most N hits")->check(CLI::PositiveNumber)->type_name("N");
    logs_->add_flag("--json", json_, "Print the hits as a JSON array");
  }

  bool Run(std::ostream& out, std::ostream& err, int* exit_code) override {
    out_ = &out;
    err_ = &err;
    int rc = -1;
    if (login_->parsed()) rc = Login();
    else if (logout_->parsed()) rc = Logout();
    else if (flow_ls_->parsed()) rc = FlowList();
    else if (flow_get_->parsed()) rc = PrintJson("/flows/" + ApiClient::Escape(id_));
    else if (flow_put_->parsed()) rc = id_.empty() ? FlowCreate() : FlowUpdate();
    else if (flow_import_->parsed()) rc = FlowCreate();
    else if (flow_rm_->parsed()) rc = Simple("DELETE", "/flows/" + ApiClient::Escape(id_), nullptr, "removed");
    else if (flow_start_->parsed()) rc = Coordinate("start", "started");
    else if (flow_stop_->parsed()) rc = Coordinate("stop", "stopped");
    else if (flow_export_->parsed()) rc = FlowExport();
    else if (dead_ls_->parsed()) rc = DeadList();
    else if (dead_get_->parsed()) rc = PrintJson("/unprocessed-messages/" + ApiClient::Escape(id_));
    else if (dead_retry_->parsed()) rc = Simple("POST", "/unprocessed-messages/" + ApiClient::Escape(id_), nullptr, "retried");
    else if (dead_rm_->parsed()) rc = Simple("DELETE", "/unprocessed-messages/" + ApiClient::Escape(id_), nullptr, "removed");
    else if (logs_->parsed()) rc = Logs();
    if (rc < 0) return false;
    *exit_code = rc;
    return true;
  }

 private:
  // A command that talks to the server as the saved (or given) user.
  CLI::App* Leaf(CLI::App* parent, const std::string& name, const std::string& description) {
    CLI::App* cmd = parent->add_subcommand(name, description);
    cmd->add_option("--url", url_, "Server URL (default: $FLOWKIT_URL, else the saved login's)")->type_name("URL");
    cmd->add_option("--token", token_, "Access token (default: $FLOWKIT_TOKEN, else the saved login's)")
        ->type_name("TOKEN");
    return cmd;
  }
  void AddId(CLI::App* cmd) { cmd->add_option("id", id_, "Id")->required()->type_name("ID"); }

  int Fail(int code, const std::string& message) {
    *err_ << "error: " << message << "\n";
    return code;
  }

  // The client for every command but login: --url/--token, else the environment, else the saved
  // login. A saved token is only sent to the server it came from.
  std::optional<ApiClient> Connect() {
    CliConfig saved;
    const std::string path = ConfigPath();
    if (!path.empty()) {
      Result<CliConfig> loaded = LoadConfig(path);
      if (loaded.ok()) {
        saved = *loaded;
      } else if (loaded.status().code() != StatusCode::kNotFound) {
        *err_ << "warning: ignoring " << loaded.status().message() << "\n";
      }
    }
    std::string url = !url_.empty() ? url_ : !Env("FLOWKIT_URL").empty() ? Env("FLOWKIT_URL") : saved.url;
    if (url.empty()) url = kDefaultServerUrl;
    url = NormalizeUrl(url);
    std::string token = !token_.empty() ? token_ : Env("FLOWKIT_TOKEN");
    if (token.empty() && !saved.token.empty()) {
      if (NormalizeUrl(saved.url) != url) {
        Fail(kApiError, "not logged in to " + url + " (the saved login is for " + saved.url +
                            "): run flowkit login --url " + url);
        return std::nullopt;
      }
      token = saved.token;
    }
    if (token.empty()) {
      Fail(kApiError, "not logged in: run flowkit login");
      return std::nullopt;
    }
    return ApiClient(url, token);
  }

  // Calls the server; on an error prints it and returns nullopt.
  std::optional<Json> Call(const std::string& method, const std::string& path, const Json* body = nullptr) {
    std::optional<ApiClient> client = Connect();
    if (!client) return std::nullopt;
    ApiResult r = client->Call(method, path, body);
    if (!r.ok) {
      Fail(kApiError, r.error);
      return std::nullopt;
    }
    return std::move(r.json);
  }

  int Login() {
    std::string url = !url_.empty() ? url_ : !Env("FLOWKIT_URL").empty() ? Env("FLOWKIT_URL") : kDefaultServerUrl;
    url = NormalizeUrl(url);
    std::string password = !password_.empty() ? password_ : Env("FLOWKIT_PASSWORD");
    if (password.empty()) password = ReadPassword(*err_);
    if (password.empty()) return Fail(kUsage, "no password: pass --password, set FLOWKIT_PASSWORD or type it");
    const std::string path = ConfigPath();
    if (path.empty()) return Fail(kUsage, "no place for the config: set FLOWKIT_CONFIG or HOME");
    ApiClient client(url, "");
    Json body = Json::MakeObject({{"email", Json(email_)}, {"password", Json(password)}});
    ApiResult r = client.Call("POST", "/user/auth", &body);
    if (!r.ok) return Fail(kApiError, r.error);
    std::string token = r.json.Get("token").AsString();
    if (token.empty()) return Fail(kApiError, std::to_string(r.status) + " the server's answer has no token");
    if (Status s = SaveConfig(path, CliConfig{url, token, email_}); !s.ok()) return Fail(kApiError, s.message());
    *out_ << "Logged in to " << url << " as " << email_ << "\n";
    return kOk;
  }

  int Logout() {
    const std::string path = ConfigPath();
    Result<CliConfig> saved = path.empty() ? Result<CliConfig>(Status::NotFound("")) : LoadConfig(path);
    if (!saved.ok() || saved->token.empty()) {
      *out_ << "Not logged in\n";
      return kOk;
    }
    saved->token.clear();
    if (Status s = SaveConfig(path, *saved); !s.ok()) return Fail(kApiError, s.message());
    *out_ << "Logged out of " << saved->url << "\n";
    return kOk;
  }

  int PrintJson(const std::string& path) {
    std::optional<Json> answer = Call("GET", path);
    if (!answer) return kApiError;
    *out_ << answer->DumpPretty() << "\n";
    return kOk;
  }

  int Simple(const std::string& method, const std::string& path, const Json* body, const std::string& verb) {
    if (!Call(method, path, body)) return kApiError;
    *out_ << verb << " " << id_ << "\n";
    return kOk;
  }

  int Coordinate(const std::string& command, const std::string& verb) {
    Json body = Json::MakeObject({{"command", Json(command)}});
    return Simple("POST", "/flows/" + ApiClient::Escape(id_) + "/coordinator", &body, verb);
  }

  int FlowList() {
    for (int offset = 0;; offset += kFlowPage) {
      std::optional<Json> page = Call("GET", "/flows?projection=-flow,-thumbnail&limit=" + std::to_string(kFlowPage) +
                                                 "&offset=" + std::to_string(offset));
      if (!page) return kApiError;
      if (!page->IsArray()) return Fail(kApiError, "the server's flow list is not an array");
      for (const Json& f : page->array()) {
        *out_ << Field(f, "flowId") << "\t" << Field(f, "stage") << "\t" << Field(f, "name") << "\n";
      }
      if (page->size() < static_cast<size_t>(kFlowPage)) return kOk;
    }
  }

  // The fields of a flow document the server takes on create and update.
  std::optional<Json> ReadFlowDocument(int* rc) {
    Result<Json> doc = ReadJsonFile(file_);
    if (!doc.ok()) {
      *rc = Fail(kUsage, doc.status().message());
      return std::nullopt;
    }
    if (!doc->IsObject() || !doc->Get("flow").IsObject()) {
      *rc = Fail(kUsage, file_ + ": expected a flow document {name, flow: {...}, customFields}");
      return std::nullopt;
    }
    Json body = Json::MakeObject({{"flow", doc->Get("flow")}});
    for (const char* key : {"name", "customFields"}) {
      if (!doc->Get(key).IsUndefined()) body.Set(key, doc->Get(key));
    }
    return body;
  }

  int FlowCreate() {
    int rc = kOk;
    std::optional<Json> body = ReadFlowDocument(&rc);
    if (!body) return rc;
    std::optional<Json> answer = Call("POST", "/flows", &*body);
    if (!answer) return kApiError;
    *out_ << answer->Get("flowId").AsString() << "\n";
    return kOk;
  }

  int FlowUpdate() {
    int rc = kOk;
    std::optional<Json> body = ReadFlowDocument(&rc);
    if (!body) return rc;
    std::string path = "/flows/" + ApiClient::Escape(id_);
    if (force_) path += "?forceUpdate=true";
    return Simple("PUT", path, &*body, "updated");
  }

  int FlowExport() {
    std::optional<Json> flow = Call("GET", "/flows/" + ApiClient::Escape(id_));
    if (!flow) return kApiError;
    Json doc = Json::MakeObject({{"name", flow->Get("name")}, {"flow", flow->Get("flow")}});
    if (flow->Get("customFields").IsObject()) doc.Set("customFields", flow->Get("customFields"));
    const std::string text = doc.DumpPretty() + "\n";
    if (file_.empty()) {
      *out_ << text;
      return kOk;
    }
    std::ofstream file(file_, std::ios::binary | std::ios::trunc);
    if (!(file << text) || !file.flush()) return Fail(kUsage, "cannot write " + file_);
    *out_ << "exported " << id_ << " to " << file_ << "\n";
    return kOk;
  }

  int DeadList() {
    std::optional<Json> answer = Call("GET", "/unprocessed-messages");
    if (!answer) return kApiError;
    if (answer->IsNullish()) return kOk;
    if (!answer->IsArray()) return Fail(kApiError, "the server's dead-letter list is not an array");
    for (const Json& m : answer->array()) {
      if (!flow_ids_.empty() &&
          std::find(flow_ids_.begin(), flow_ids_.end(), m.Get("flowId").AsString()) == flow_ids_.end()) {
        continue;
      }
      *out_ << Field(m, "messageId") << "\t" << Field(m, "flowId") << "\t" << Field(m, "componentId") << "\t"
            << FirstLine(m.Get("err")) << "\n";
    }
    return kOk;
  }

  int Logs() {
    std::string path = "/logs";
    char separator = '?';
    auto add = [&](const std::string& name, const std::string& value) {
      path += separator + name + "=" + ApiClient::Escape(value);
      separator = '&';
    };
    for (const std::string& flow_id : flow_ids_) add("flowId", flow_id);
    if (!component_.empty()) add("componentId", component_);
    if (!severity_.empty()) add("severity", severity_);
    if (!query_.empty()) add("query", query_);
    if (size_ > 0) add("size", std::to_string(size_));

    std::optional<Json> answer = Call("GET", path);
    if (!answer) return kApiError;
    const Json& hits = answer->IsArray() ? *answer : answer->Get("hits");
    if (json_) {
      *out_ << (hits.IsArray() ? hits : Json::MakeArray()).Dump() << "\n";
      return kOk;
    }
    if (!hits.IsArray()) return hits.IsNullish() ? kOk : Fail(kApiError, "the server's log hits are not an array");
    for (const Json& h : hits.array()) {
      *out_ << Field(h, "gridTimestamp") << " " << Field(h, "severity") << " " << Field(h, "flowId") << "/"
            << Field(h, "componentId") << " " << Field(h, "portType") << ":" << Field(h, "port") << " "
            << CutChars(h.Get("msg").IsUndefined() ? std::string("-") : h.Get("msg").Dump(), kLogMessageChars)
            << "\n";
    }
    return kOk;
  }

  std::ostream* out_ = nullptr;
  std::ostream* err_ = nullptr;

  std::string url_, token_, email_, password_, id_, file_, component_, severity_, query_;
  std::vector<std::string> flow_ids_;
  bool force_ = false;
  bool json_ = false;
  int size_ = 0;

  CLI::App* login_ = nullptr;
  CLI::App* logout_ = nullptr;
  CLI::App* flow_ls_ = nullptr;
  CLI::App* flow_get_ = nullptr;
  CLI::App* flow_put_ = nullptr;
  CLI::App* flow_rm_ = nullptr;
  CLI::App* flow_start_ = nullptr;
  CLI::App* flow_stop_ = nullptr;
  CLI::App* flow_export_ = nullptr;
  CLI::App* flow_import_ = nullptr;
  CLI::App* dead_ls_ = nullptr;
  CLI::App* dead_get_ = nullptr;
  CLI::App* dead_retry_ = nullptr;
  CLI::App* dead_rm_ = nullptr;
  CLI::App* logs_ = nullptr;
};

}  // namespace

std::unique_ptr<RemoteCommands> AddRemoteCommands(CLI::App& app) { return std::make_unique<RemoteCommandsImpl>(app); }

}  // namespace flowkit::cli
