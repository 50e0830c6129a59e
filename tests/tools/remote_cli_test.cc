// Black-box tests of the CLI's server commands (login, flow, dead, logs) against an in-process
// flowkitd: the lines printed, the exit codes and the saved config are a user contract.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "server/test_server.h"
#include "tools/cli_runner.h"

namespace flowkit::server::testing {
namespace {

using flowkit::testing_support::CliResult;
using flowkit::testing_support::Slurp;

// Runs the CLI with the variables in `env` replacing the caller's (every FLOWKIT_* and the config
// locations are cleared first, so the developer's own login never leaks in) and `input` on stdin.
CliResult Cli(std::vector<std::string> args, const std::map<std::string, std::string>& env,
              const std::string& input = {}) {
  args.insert(args.begin(), FLOWKIT_CLI_PATH);
  std::vector<std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string var(*e);
    std::string name = var.substr(0, var.find('='));
    if (name.rfind("FLOWKIT_", 0) == 0 || name == "XDG_CONFIG_HOME" || env.count(name) != 0) continue;
    vars.push_back(var);
  }
  for (const auto& [name, value] : env) vars.push_back(name + "=" + value);
  char in_path[] = "/tmp/flowkit-cli-in-XXXXXX";
  char out_path[] = "/tmp/flowkit-cli-out-XXXXXX";
  char err_path[] = "/tmp/flowkit-cli-err-XXXXXX";
  int in_fd = mkstemp(in_path);
  int out_fd = mkstemp(out_path);
  int err_fd = mkstemp(err_path);
  EXPECT_EQ(write(in_fd, input.data(), input.size()), static_cast<ssize_t>(input.size()));
  lseek(in_fd, 0, SEEK_SET);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);
  CliResult r;
  pid_t pid;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data()) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  for (int fd : {in_fd, out_fd, err_fd}) close(fd);
  r.out = Slurp(out_path);
  r.err = Slurp(err_path);
  for (const char* path : {in_path, out_path, err_path}) unlink(path);
  return r;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

Json OnStartFlow() {
  return Json::MakeObject({{"a", Json::MakeObject({{"type", Json("appmixer.utils.controls.OnStart")},
                                                   {"x", Json(0)}, {"y", Json(0)}})}});
}

// A webhook flow whose Response always fails with a final error: each call leaves a dead letter.
Json FailingFlow() {
  return *Json::Parse(R"({
    "hook": {"type": "appmixer.utils.http.WebhookTrigger", "config": {"properties": {"immediateResponse": false}}},
    "reply": {"type": "appmixer.utils.http.Response", "source": {"in": {"hook": ["request"]}},
      "config": {"transform": {"in": {"hook": {"request": {"type": "json2new", "lambda": {"body": "x", "statusCode": 999}}}}}}}
  })");
}

class RemoteCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.CreateUser("u@example.com", &user_id_);
    config_ = dir_.path() + "/cfg/flowkit.json";
    env_ = {{"FLOWKIT_CONFIG", config_}};
  }
  CliResult Run(std::vector<std::string> args, const std::string& input = {}) { return Cli(std::move(args), env_, input); }
  CliResult Login() {
    return Run({"login", "--url", server_.url(), "--email", "u@example.com", "--password", "user-password"});
  }

  TestServer server_;
  TempDir dir_;
  std::string user_id_;
  std::string config_;
  std::map<std::string, std::string> env_;
};

TEST_F(RemoteCliTest, LoginSavesAPrivateConfigWithTheToken) {
  CliResult r = Login();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Logged in to " + server_.url() + " as u@example.com\n");
  EXPECT_EQ(ModeOf(config_), 0600u);
  EXPECT_EQ(ModeOf(dir_.path() + "/cfg"), 0700u);
  Result<Json> saved = Json::Parse(Slurp(config_));
  ASSERT_TRUE(saved.ok()) << Slurp(config_);
  EXPECT_EQ((*saved)["url"].AsString(), server_.url());
  EXPECT_EQ((*saved)["email"].AsString(), "u@example.com");
  const std::string token = (*saved)["token"].AsString();
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(server_.client().Get("/user", token).json()["email"].AsString(), "u@example.com");
  EXPECT_FALSE(std::filesystem::exists(config_ + ".tmp"));

  // A later login tightens a config that was left readable by others.
  ASSERT_EQ(chmod(config_.c_str(), 0644), 0);
  ASSERT_EQ(Login().exit_code, 0);
  EXPECT_EQ(ModeOf(config_), 0600u);
}

TEST_F(RemoteCliTest, FlowRoundTrip) {
  ASSERT_EQ(Login().exit_code, 0);
  const std::string file = dir_.path() + "/flow.json";
  Json doc = Json::MakeObject({{"name", Json("First")}, {"flow", OnStartFlow()},
                               {"customFields", Json::MakeObject({{"team", Json("ops")}})},
                               {"flowId", Json("ignored")}, {"stage", Json("running")}});
  WriteFile(file, doc.DumpPretty());

  CliResult put = Run({"flow", "put", file});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  const std::string id = put.out.substr(0, put.out.find('\n'));
  ASSERT_FALSE(id.empty());
  EXPECT_NE(id, "ignored");
  EXPECT_EQ(put.out, id + "\n");

  CliResult ls = Run({"flow", "ls"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_EQ(ls.out, id + "\tstopped\tFirst\n");

  CliResult get = Run({"flow", "get", id});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  Result<Json> got = Json::Parse(get.out);
  ASSERT_TRUE(got.ok()) << get.out;
  EXPECT_EQ((*got)["flowId"].AsString(), id);
  EXPECT_EQ((*got)["name"].AsString(), "First");
  EXPECT_EQ((*got)["flow"], OnStartFlow());
  EXPECT_EQ((*got)["customFields"]["team"].AsString(), "ops");
  EXPECT_NE(get.out.find("\n  \"flow\""), std::string::npos) << "pretty-printed:\n" << get.out;

  doc.Set("name", Json("Renamed"));
  WriteFile(file, doc.Dump());
  CliResult update = Run({"flow", "put", file, "--id", id});
  ASSERT_EQ(update.exit_code, 0) << update.err;
  EXPECT_EQ(update.out, "updated " + id + "\n");
  EXPECT_EQ(server_.client().Get("/flows/" + id, server_.CreateUser("x@example.com")).status, 404);

  CliResult start = Run({"flow", "start", id});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  EXPECT_EQ(start.out, "started " + id + "\n");
  EXPECT_EQ(Run({"flow", "ls"}).out, id + "\trunning\tRenamed\n");
  CliResult busy = Run({"flow", "put", file, "--id", id});
  EXPECT_EQ(busy.exit_code, 1);
  EXPECT_EQ(busy.err.rfind("error: 409 ", 0), 0u) << busy.err;
  EXPECT_NE(busy.err.find("forceUpdate"), std::string::npos) << busy.err;
  EXPECT_EQ(Run({"flow", "put", file, "--id", id, "--force"}).exit_code, 0);
  CliResult stop = Run({"flow", "stop", id});
  ASSERT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_EQ(stop.out, "stopped " + id + "\n");

  const std::string exported = dir_.path() + "/exported.json";
  CliResult to_file = Run({"flow", "export", id, "-o", exported});
  ASSERT_EQ(to_file.exit_code, 0) << to_file.err;
  Result<Json> export_doc = Json::Parse(Slurp(exported));
  ASSERT_TRUE(export_doc.ok()) << Slurp(exported);
  EXPECT_EQ(*export_doc, Json::MakeObject({{"name", Json("Renamed")}, {"flow", OnStartFlow()},
                                           {"customFields", Json::MakeObject({{"team", Json("ops")}})}}));
  CliResult to_stdout = Run({"flow", "export", id});
  ASSERT_EQ(to_stdout.exit_code, 0) << to_stdout.err;
  EXPECT_EQ(to_stdout.out, Slurp(exported));

  CliResult imported = Run({"flow", "import", exported});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const std::string copy = imported.out.substr(0, imported.out.find('\n'));
  EXPECT_NE(copy, id);
  std::vector<std::string> rows = Lines(Run({"flow", "ls"}).out);
  ASSERT_EQ(rows.size(), 2u);
  for (const std::string& row : rows) EXPECT_NE(row.find("\tstopped\tRenamed"), std::string::npos) << row;
  EXPECT_EQ(Json::Parse(Run({"flow", "get", copy}).out)->Get("flow"), OnStartFlow());

  for (const std::string& flow_id : {id, copy}) {
    CliResult rm = Run({"flow", "rm", flow_id});
    ASSERT_EQ(rm.exit_code, 0) << rm.err;
    EXPECT_EQ(rm.out, "removed " + flow_id + "\n");
  }
  EXPECT_EQ(Run({"flow", "ls"}).out, "");
  CliResult gone = Run({"flow", "get", id});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_EQ(gone.out, "");
  EXPECT_EQ(gone.err.rfind("error: 404 ", 0), 0u) << gone.err;
  EXPECT_NE(gone.err.find(id), std::string::npos) << gone.err;
}

TEST_F(RemoteCliTest, AnotherUsersFlowIsNotFound) {
  std::string other = server_.CreateUser("other@example.com");
  std::string id = server_.client()
                       .Post("/flows", Json::MakeObject({{"name", Json("Theirs")}, {"flow", OnStartFlow()}}), other)
                       .json()["flowId"]
                       .AsString();
  ASSERT_EQ(Login().exit_code, 0);
  EXPECT_EQ(Run({"flow", "ls"}).out, "");
  for (const char* command : {"get", "start", "rm", "export"}) {
    CliResult r = Run({"flow", command, id});
    EXPECT_EQ(r.exit_code, 1) << command;
    EXPECT_EQ(r.err.rfind("error: 404 ", 0), 0u) << command << ": " << r.err;
  }
  EXPECT_EQ(server_.client().Get("/flows/" + id, other).status, 200);
}

TEST_F(RemoteCliTest, WrongPasswordExitsOneAndSavesNothing) {
  CliResult r = Run({"login", "--url", server_.url(), "--email", "u@example.com", "--password", "not-it"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("error: 401 ", 0), 0u) << r.err;
  EXPECT_FALSE(std::filesystem::exists(config_));
}

TEST_F(RemoteCliTest, PasswordFromEnvironmentOrStdin) {
  env_["FLOWKIT_PASSWORD"] = "user-password";
  CliResult from_env = Run({"login", "--url", server_.url(), "--email", "u@example.com"});
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;
  env_.erase("FLOWKIT_PASSWORD");
  std::filesystem::remove(config_);
  CliResult from_stdin = Run({"login", "--url", server_.url() + "/", "--email", "u@example.com"}, "user-password\n");
  EXPECT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  EXPECT_EQ(from_stdin.out, "Logged in to " + server_.url() + " as u@example.com\n");
  EXPECT_EQ(Run({"flow", "ls"}).exit_code, 0);
  CliResult empty = Run({"login", "--url", server_.url(), "--email", "u@example.com"}, "");
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.err.find("no password"), std::string::npos) << empty.err;
}

TEST_F(RemoteCliTest, ConfigGoesUnderXdgConfigHomeWithoutFlowkitConfig) {
  const std::string xdg = dir_.path() + "/xdg";
  env_ = {{"XDG_CONFIG_HOME", xdg}};
  ASSERT_EQ(Login().exit_code, 0);
  EXPECT_EQ(ModeOf(xdg + "/flowkit"), 0700u);
  EXPECT_EQ(ModeOf(xdg + "/flowkit/config.json"), 0600u);
  EXPECT_EQ(Run({"flow", "ls"}).exit_code, 0);
  env_ = {{"HOME", dir_.path() + "/home"}};
  ASSERT_EQ(Login().exit_code, 0);
  EXPECT_EQ(ModeOf(dir_.path() + "/home/.config/flowkit/config.json"), 0600u);
}

TEST_F(RemoteCliTest, WithoutLoginSaysHowToLogIn) {
  CliResult r = Run({"flow", "ls"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "error: not logged in: run flowkit login\n");

  ASSERT_EQ(Login().exit_code, 0);
  CliResult logout = Run({"logout"});
  ASSERT_EQ(logout.exit_code, 0) << logout.err;
  EXPECT_EQ(logout.out, "Logged out of " + server_.url() + "\n");
  EXPECT_FALSE(Json::Parse(Slurp(config_))->Contains("token"));
  EXPECT_EQ(ModeOf(config_), 0600u);
  EXPECT_EQ(Run({"flow", "ls"}).err, "error: not logged in: run flowkit login\n");
}

TEST_F(RemoteCliTest, SavedTokenIsOnlySentToItsServer) {
  ASSERT_EQ(Login().exit_code, 0);
  CliResult r = Run({"flow", "ls", "--url", "http://127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not logged in to http://127.0.0.1:1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("run flowkit login"), std::string::npos) << r.err;
}

TEST_F(RemoteCliTest, TokenAndUrlFromOptionsOrEnvironment) {
  std::string token = server_.CreateUser("t@example.com");
  server_.client().Post("/flows", Json::MakeObject({{"name", Json("T")}, {"flow", OnStartFlow()}}), token);
  CliResult by_option = Run({"flow", "ls", "--url", server_.url(), "--token", token});
  ASSERT_EQ(by_option.exit_code, 0) << by_option.err;
  EXPECT_NE(by_option.out.find("\tstopped\tT\n"), std::string::npos) << by_option.out;
  env_["FLOWKIT_URL"] = server_.url();
  env_["FLOWKIT_TOKEN"] = token;
  EXPECT_EQ(Run({"flow", "ls"}).out, by_option.out);
  env_["FLOWKIT_TOKEN"] = "garbage";
  CliResult bad = Run({"flow", "ls"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err.rfind("error: 401 ", 0), 0u) << bad.err;
}

TEST_F(RemoteCliTest, UnreachableServerIsAClearError) {
  CliResult r = Run({"flow", "ls", "--url", "http://127.0.0.1:1", "--token", "t"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("error: cannot reach http://127.0.0.1:1: ", 0), 0u) << r.err;
  CliResult login = Run({"login", "--url", "http://127.0.0.1:1", "--email", "a@b.c", "--password", "p"});
  EXPECT_EQ(login.exit_code, 1);
  EXPECT_EQ(login.err.rfind("error: cannot reach http://127.0.0.1:1: ", 0), 0u) << login.err;
}

TEST_F(RemoteCliTest, UsageErrorsExitTwo) {
  ASSERT_EQ(Login().exit_code, 0);
  EXPECT_EQ(Run({"flow"}).exit_code, 2);
  EXPECT_EQ(Run({"flow", "get"}).exit_code, 2);
  EXPECT_EQ(Run({"login", "--url", server_.url()}).exit_code, 2);  // no --email
  EXPECT_EQ(Run({"logs", "--severity", "debug"}).exit_code, 2);
  EXPECT_EQ(Run({"logs", "--size", "0"}).exit_code, 2);
  CliResult missing = Run({"flow", "put", dir_.path() + "/nope.json"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot open"), std::string::npos) << missing.err;
  const std::string not_a_flow = dir_.path() + "/bad.json";
  WriteFile(not_a_flow, R"({"name": "no flow"})");
  CliResult bad = Run({"flow", "import", not_a_flow});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("expected a flow document"), std::string::npos) << bad.err;
  EXPECT_EQ(Run({"flow", "ls"}).out, "");  // nothing was created
}

TEST(RemoteCli, DeadLettersListGetRetryRemove) {
  ServerOptions options = MemoryOptions();
  options.webhook_timeout_ms = 200;  // the failing flow never answers its webhook
  TestServer server(options);
  TempDir dir;
  std::map<std::string, std::string> env = {{"FLOWKIT_CONFIG", dir.path() + "/config.json"}};
  server.CreateUser("d@example.com");
  ASSERT_EQ(Cli({"login", "--url", server.url(), "--email", "d@example.com", "--password", "user-password"}, env)
                .exit_code,
            0);

  CliResult none = Cli({"dead", "ls"}, env);
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "");

  const std::string file = dir.path() + "/failing.json";
  WriteFile(file, Json::MakeObject({{"name", Json("Failing")}, {"flow", FailingFlow()}}).Dump());
  CliResult put = Cli({"flow", "put", file}, env);
  ASSERT_EQ(put.exit_code, 0) << put.err;
  const std::string flow = put.out.substr(0, put.out.find('\n'));
  ASSERT_EQ(Cli({"flow", "start", flow}, env).exit_code, 0);
  EXPECT_EQ(server.client().Post("/flows/" + flow + "/components/hook", Json::MakeObject()).status, 504);

  CliResult ls = Cli({"dead", "ls"}, env);
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  std::vector<std::string> rows = Lines(ls.out);
  ASSERT_EQ(rows.size(), 1u) << ls.out;
  const std::string id = rows[0].substr(0, rows[0].find('\t'));
  EXPECT_EQ(rows[0].rfind(id + "\t" + flow + "\treply\t", 0), 0u) << rows[0];
  EXPECT_GT(rows[0].size(), (id + "\t" + flow + "\treply\t").size());
  EXPECT_EQ(Cli({"dead", "ls", "--flow", flow}, env).out, ls.out);
  EXPECT_EQ(Cli({"dead", "ls", "--flow", "some-other-flow"}, env).out, "");

  CliResult get = Cli({"dead", "get", id}, env);
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(Json::Parse(get.out)->Get("messageId").AsString(), id);
  EXPECT_EQ(Json::Parse(get.out)->Get("flowId").AsString(), flow);

  // Another user sees none of it.
  std::string other = server.CreateUser("e@example.com");
  CliResult theirs = Cli({"dead", "get", id, "--url", server.url(), "--token", other}, env);
  EXPECT_EQ(theirs.exit_code, 1);
  EXPECT_EQ(theirs.err.rfind("error: 404 ", 0), 0u) << theirs.err;
  EXPECT_EQ(Cli({"dead", "ls", "--token", other}, env).out, "");

  CliResult retry = Cli({"dead", "retry", id}, env);
  ASSERT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_EQ(retry.out, "retried " + id + "\n");

  // The retry fails again and may leave a new letter; remove whatever is there.
  for (const std::string& row : Lines(Cli({"dead", "ls"}, env).out)) {
    const std::string letter = row.substr(0, row.find('\t'));
    CliResult rm = Cli({"dead", "rm", letter}, env);
    ASSERT_EQ(rm.exit_code, 0) << rm.err;
    EXPECT_EQ(rm.out, "removed " + letter + "\n");
  }
  CliResult missing = Cli({"dead", "rm", "no-such-letter"}, env);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err.rfind("error: 404 ", 0), 0u) << missing.err;
}

TEST_F(RemoteCliTest, LogsPrintOneLinePerHit) {
  ASSERT_EQ(Login().exit_code, 0);
  CliResult empty = Run({"logs", "--flow", "no-such-flow"});
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_EQ(empty.out, "");
  CliResult empty_json = Run({"logs", "--flow", "no-such-flow", "--json"});
  ASSERT_EQ(empty_json.exit_code, 0) << empty_json.err;
  EXPECT_EQ(empty_json.out, "[]\n");

  const std::string file = dir_.path() + "/flow.json";
  WriteFile(file, Json::MakeObject({{"name", Json("Logged")}, {"flow", OnStartFlow()}}).Dump());
  CliResult put = Run({"flow", "put", file});
  const std::string id = put.out.substr(0, put.out.find('\n'));
  ASSERT_EQ(Run({"flow", "start", id}).exit_code, 0);

  // The run's records reach the log asynchronously: poll.
  CliResult logs;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    logs = Run({"logs", "--flow", id});
    if (!logs.out.empty() || logs.exit_code != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  std::vector<std::string> rows = Lines(logs.out);
  ASSERT_FALSE(rows.empty()) << "no log lines for the started flow";
  for (const std::string& row : rows) {
    EXPECT_NE(row.find(" " + id + "/a "), std::string::npos) << row;
    EXPECT_NE(row.find(" out:out "), std::string::npos) << row;
  }
  CliResult json = Run({"logs", "--flow", id, "--json", "--size", "1"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  Result<Json> hits = Json::Parse(json.out);
  ASSERT_TRUE(hits.ok()) << json.out;
  ASSERT_TRUE(hits->IsArray());
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0]["flowId"].AsString(), id);
  EXPECT_EQ(Run({"logs", "--flow", id, "--severity", "error"}).out, "");
  EXPECT_EQ(Run({"logs", "--flow", id, "--component", "zz"}).out, "");
  CliResult bad = Run({"logs", "--query", "gridTimestamp:[2020-01-01"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err.rfind("error: 400 ", 0), 0u) << bad.err;
}

}  // namespace
}  // namespace flowkit::server::testing
