// Crash safety end to end, through `flowkit run --data`: OnStart → Each over thousands of items
// → Counter → storage.Set. The CLI is SIGKILLed at random moments, several times, each next run
// resuming the run on the same data dir; a last run finishes it. Counter counts each item
// exactly once, so the data store must hold exactly the keys k1 … kN: a lost item leaves a gap
// and a repeated one makes a key past N.
//
// Cycles: FLOWKIT_CRASH_CYCLES (default 4).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "flowkit/json.h"
#include "tools/cli_runner.h"

namespace {

namespace fs = std::filesystem;
using flowkit::Json;
using flowkit::testing_support::CliResult;
using flowkit::testing_support::RunCli;

constexpr int kItems = 3000;

std::string FlowText() {
  std::string list = "[";
  for (int i = 1; i <= kItems; ++i) list += (i > 1 ? "," : "") + std::to_string(i);
  list += "]";
  return R"({"name":"Count many","flowId":"count-many","flow":{
    "on":{"type":"appmixer.utils.controls.OnStart","source":{}},
    "each":{"type":"appmixer.utils.controls.Each","source":{"in":{"on":["out"]}},
      "config":{"transform":{"in":{"on":{"out":{"type":"json2new","lambda":{"list":)" +
         list + R"(}}}}}}},
    "counter":{"type":"appmixer.utils.controls.Counter","source":{"item":{"each":["item"]}},
      "config":{"properties":{"count":0,"increment":1}}},
    "save":{"type":"appmixer.utils.storage.Set","source":{"in":{"counter":["count"]}},
      "config":{"transform":{"in":{"counter":{"count":{"type":"json2new",
        "lambda":{"storeId":"results","key":"k{{{$.counter.count.count}}}","value":"{{{$.counter.count.count}}}"}}}}}}}}})";
}

int Cycles() {
  const char* env = std::getenv("FLOWKIT_CRASH_CYCLES");
  return env != nullptr ? std::max(1, std::atoi(env)) : 4;
}

TEST(RunCrash, KilledRunsResumeAndCountEveryItemExactlyOnce) {
  const fs::path dir = fs::temp_directory_path() / ("flowkit-run-crash-" + std::to_string(getpid()) + "-" +
                                                    std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  const std::string flow = (dir / "count-many.json").string();
  std::ofstream(flow) << FlowText();
  const std::string data = (dir / "data").string();

  std::mt19937 rng(std::random_device{}());
  int killed = 0;
  for (int cycle = 0; cycle < Cycles(); ++cycle) {
    std::vector<std::string> args = {FLOWKIT_CLI_PATH, "run", flow, "--data", data, "--wait", "0.2"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(100, 600)(rng)));
    kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status)) ++killed;
  }

  CliResult last = RunCli({"run", flow, "--data", data, "--timeout", "120", "--wait", "0.5"});
  ASSERT_EQ(last.exit_code, 0) << last.err << last.out.substr(last.out.size() > 2000 ? last.out.size() - 2000 : 0);
  std::string summary_line = last.out.substr(last.out.rfind("{\"summary\""));
  auto summary = Json::Parse(summary_line);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  const Json& results = (*summary)["summary"]["stores"]["results"];
  EXPECT_EQ(results.size(), static_cast<size_t>(kItems)) << "a key past N means an item was counted twice";
  for (int i = 1; i <= kItems; ++i) {
    ASSERT_EQ(results["k" + std::to_string(i)].AsInt(), i) << "item " << i << " was lost";
  }
  const bool resumed = last.err.find("resuming flow") != std::string::npos;
  std::cout << "[ crash    ] " << killed << " of " << Cycles() << " runs killed; the last run "
            << (resumed ? "resumed the killed run" : "started afresh") << "; " << kItems
            << " items counted exactly once\n";
  fs::remove_all(dir);
}

}  // namespace
