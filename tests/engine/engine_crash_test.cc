// Crash safety of the engine on the LMDB runtime: a child process runs a flow and feeds it
// webhooks; the test SIGKILLs it at random moments, several times, starting it again on the same
// data directory each time, and then proves that nothing accepted was lost, nothing was counted
// twice and nothing is stuck.
//
// Cycles: FLOWKIT_CRASH_CYCLES (default 4). Each child is killed 5-300 ms after it starts: while
// it accepts requests, or while it works off its queue.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "flowkit/component.h"
#include "flowkit/engine.h"
#include "flowkit/flow.h"
#include "flowkit/manifest.h"
#include "flowkit/modifier.h"
#include "flowkit/registry.h"
#include "flowkit/runtime.h"

namespace flowkit {
namespace {

class Hook : public Behaviour {
 public:
  Status Receive(Context& ctx) override { return ctx.Send("out", ctx.Input(kWebhookPort)->Content()["data"]); }
};

// Counts every message (exactly once, as the runtime commits state with the hop).
class Count : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(Json n, ctx.state().Inc("n", 1));
    return ctx.Send("out", ctx.Input("in")->Content());
  }
};

// Remembers every id it saw; a second sighting is counted as a duplicate.
class Track : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    const std::string id = std::to_string(ctx.Input("in")->Content()["id"].AsInt());
    FLOWKIT_ASSIGN_OR_RETURN(Json seen, ctx.state().Get(id));
    if (!seen.IsUndefined()) return ctx.state().Inc("_dupes", 1).status();
    return ctx.state().Set(id, true);
  }
};

constexpr const char* kFlow = R"({"flowId":"crash","userId":"u","flow":{
  "hook":{"type":"test.crash.core.Hook"},
  "count":{"type":"test.crash.core.Count","source":{"in":{"hook":["out"]}}},
  "track":{"type":"test.crash.core.Track","source":{"in":{"count":["out"]}}}}})";

struct CrashSetup {
  std::shared_ptr<ComponentRegistry> registry = std::make_shared<ComponentRegistry>();
  std::shared_ptr<ModifierRegistry> modifiers = std::make_shared<ModifierRegistry>();
  CrashSetup() {
    (void)RegisterBuiltinModifiers(*modifiers);
    (void)registry->Register(*Manifest::Parse(R"({"name":"test.crash.core.Hook","webhook":true,"outPorts":["out"]})"),
                             [] { return std::make_unique<Hook>(); });
    (void)registry->Register(
        *Manifest::Parse(R"({"name":"test.crash.core.Count","inPorts":["in"],"outPorts":["out"]})"),
        [] { return std::make_unique<Count>(); });
    (void)registry->Register(*Manifest::Parse(R"({"name":"test.crash.core.Track","inPorts":["in"]})"),
                             [] { return std::make_unique<Track>(); });
  }

  Result<std::unique_ptr<Engine>> Open(const std::string& dir) const {
    LmdbRuntimeOptions ro;
    ro.path = dir;
    FLOWKIT_ASSIGN_OR_RETURN(std::unique_ptr<Runtime> runtime, NewLmdbRuntime(ro));
    EngineOptions options;
    options.components = registry;
    options.modifiers = modifiers;
    options.workers = 2;
    options.runtime = std::move(runtime);
    return Engine::Open(std::move(options));
  }
};

// The child: opens the engine (loading and starting the flow the first time), then submits
// up to kPerCycle webhooks with ids first_id, first_id + 1, ... and writes each id to `fd` once it
// was accepted (answered 202: durably queued). Never returns: it waits to be killed.
[[noreturn]] void RunChild(const std::string& dir, int64_t first_id, int fd) {
  CrashSetup setup;
  auto engine = setup.Open(dir);
  if (!engine.ok()) _exit(3);
  if ((*engine)->FlowIds().empty()) {
    auto flow = Flow::Parse(kFlow, *setup.registry, *setup.modifiers);
    if (!flow.ok() || !(*engine)->LoadFlow(*flow).ok() || !(*engine)->StartFlow("crash").ok()) _exit(4);
  }
  std::atomic<int64_t> in_flight{0};
  // Bounded, so Track's state (one key per id, rewritten by every hop) stays small.
  constexpr int64_t kPerCycle = 600;
  for (int64_t id = first_id;; ++id) {
    if (id - first_id >= kPerCycle) {
      for (;;) pause();  // wait for the kill while the engine works off the queue
    }
    while (in_flight.load() > 64) std::this_thread::yield();
    ++in_flight;
    WebhookRequest req;
    req.data = Json::MakeObject({{"id", id}});
    Status s = (*engine)->SubmitWebhook(
        "crash", "hook", std::move(req),
        [&in_flight, id, fd](WebhookResponse r) {
          if (r.status == 202) {
            int64_t v = id;
            if (write(fd, &v, sizeof v) != sizeof v) _exit(5);
          }
          --in_flight;
        },
        true);
    if (!s.ok()) _exit(6);
  }
}

int Cycles() {
  const char* env = std::getenv("FLOWKIT_CRASH_CYCLES");
  return env != nullptr ? std::max(1, std::atoi(env)) : 4;
}

TEST(EngineCrash, KilledAtRandomMomentsLosesNothingAndCountsEachMessageOnce) {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("flowkit-crash-" + std::to_string(getpid()) + "-" + std::to_string(std::random_device{}())))
                              .string();
  std::set<int64_t> accepted;
  std::mt19937 rng(std::random_device{}());
  const int cycles = Cycles();
  for (int cycle = 0; cycle < cycles; ++cycle) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const int64_t first_id = int64_t{cycle} * 1000000;
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      RunChild(dir, first_id, fds[1]);
    }
    close(fds[1]);
    const auto kill_at = std::chrono::steady_clock::now() +
                         std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 300)(rng));
    auto drain = [&](int timeout_ms) {
      pollfd p{fds[0], POLLIN, 0};
      while (poll(&p, 1, timeout_ms) > 0) {
        int64_t v;
        ssize_t n = read(fds[0], &v, sizeof v);
        if (n != sizeof v) return;
        accepted.insert(v);
        timeout_ms = 0;
      }
    };
    while (std::chrono::steady_clock::now() < kill_at) drain(5);
    kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child exited by itself with " << WEXITSTATUS(status);
    drain(0);
    close(fds[0]);
  }
  ASSERT_GT(accepted.size(), 0u) << "the children accepted nothing";

  // A last engine finishes what is left and shows the state.
  CrashSetup setup;
  {
    auto engine = setup.Open(dir);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    ASSERT_EQ((*engine)->FlowIds().size(), 1u);
    ASSERT_TRUE((*engine)->WaitIdle(200, 60000)) << "work left stuck";
  }
  LmdbRuntimeOptions ro;
  ro.path = dir;
  auto runtime = NewLmdbRuntime(ro);
  ASSERT_TRUE(runtime.ok()) << runtime.status().ToString();
  EXPECT_EQ((*runtime)->Stats().queued, 0u) << "nothing may stay queued";
  auto count_state = (*runtime)->GetState(std::string("s:crash\x1f") + "count");
  auto track_state = (*runtime)->GetState(std::string("s:crash\x1f") + "track");
  ASSERT_TRUE(count_state.ok() && count_state->has_value());
  ASSERT_TRUE(track_state.ok() && track_state->has_value());
  Json counted = *Json::Parse(**count_state);
  Json tracked = *Json::Parse(**track_state);
  EXPECT_FALSE(tracked.Contains("_dupes")) << "a message reached Track twice: " << tracked["_dupes"].Dump();
  const size_t distinct = tracked.size() - (tracked.Contains("_dupes") ? 1 : 0);
  EXPECT_EQ(counted["n"].AsInt(), static_cast<int64_t>(distinct)) << "Count counted a message twice or lost one";
  for (int64_t id : accepted) {
    ASSERT_TRUE(tracked.Contains(std::to_string(id))) << "accepted message " << id << " was lost";
  }
  std::cout << "[ crash    ] " << cycles << " kills, " << accepted.size() << " accepted, " << distinct
            << " processed exactly once\n";
  std::filesystem::remove_all(dir);
}

// A full disk (here: LMDB's map, kept tiny) fails the hops that do not fit — they are retried,
// then dead-lettered in memory — while smaller work goes on; nothing stored is damaged, and with
// room again (a larger map) the work that never committed is delivered.
TEST(EngineDiskFull, HopsThatDoNotFitFailCleanlyAndRunOnceThereIsRoom) {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("flowkit-full-" + std::to_string(getpid()) + "-" + std::to_string(std::random_device{}())))
                              .string();
  CrashSetup setup;
  auto open = [&](int64_t map_bytes) {
    LmdbRuntimeOptions ro;
    ro.path = dir;
    ro.map_size_bytes = map_bytes;
    auto runtime = NewLmdbRuntime(ro);
    EXPECT_TRUE(runtime.ok()) << runtime.status().ToString();
    EngineOptions options;
    options.components = setup.registry;
    options.modifiers = setup.modifiers;
    options.workers = 2;
    options.runtime = std::move(runtime).value();
    options.retry.initial_delay_ms = 1;
    options.retry.max_attempts = 3;
    options.retry.jitter = 0;
    auto engine = Engine::Open(std::move(options));
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    return std::move(engine).value();
  };
  auto submit = [](Engine& engine, Json data) {
    std::atomic<int> code{0};
    WebhookRequest req;
    req.data = std::move(data);
    EXPECT_TRUE(engine.SubmitWebhook("crash", "hook", std::move(req), [&](WebhookResponse r) { code = r.status; }, true).ok());
    while (code.load() == 0) std::this_thread::yield();
    return code.load();
  };
  {
    auto engine = open(int64_t{2} << 20);
    auto flow = Flow::Parse(kFlow, *setup.registry, *setup.modifiers);
    ASSERT_TRUE(flow.ok());
    ASSERT_TRUE(engine->LoadFlow(*flow).ok());
    ASSERT_TRUE(engine->StartFlow("crash").ok());
    // 700 KB fits once (the queued request) but not twice more (the hook's output carries it in
    // its payload and its scope).
    const std::string big(700 * 1024, 'x');
    EXPECT_EQ(submit(*engine, Json::MakeObject({{"id", 1}, {"blob", big}})), 202);
    for (int i = 2; i <= 11; ++i) EXPECT_EQ(submit(*engine, Json::MakeObject({{"id", i}})), 202);
    ASSERT_TRUE(engine->WaitIdle(200, 20000));
    std::vector<DeadLetter> dead = engine->DeadLetters();
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].error.code(), StatusCode::kResourceExhausted) << dead[0].error.ToString();
    EXPECT_EQ(engine->Stats().deliveries, 30u) << "the ten small messages went all the way";
  }
  {
    auto engine = open(int64_t{64} << 20);  // room again
    ASSERT_TRUE(engine->WaitIdle(200, 20000));
    EXPECT_TRUE(engine->DeadLetters().empty()) << "the dead letter never committed; the request was still queued";
  }
  LmdbRuntimeOptions ro;
  ro.path = dir;
  ro.map_size_bytes = int64_t{64} << 20;
  auto runtime = NewLmdbRuntime(ro);
  ASSERT_TRUE(runtime.ok()) << runtime.status().ToString();
  EXPECT_EQ((*runtime)->Stats().queued, 0u);
  auto count_state = (*runtime)->GetState(std::string("s:crash\x1f") + "count");
  ASSERT_TRUE(count_state.ok() && count_state->has_value());
  EXPECT_EQ((*Json::Parse(**count_state))["n"].AsInt(), 11) << "every request counted once, the big one included";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace flowkit
