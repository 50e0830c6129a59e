// Black-box tests of `flowkit run`: its output lines and exit codes are a user contract.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "flowkit/json.h"
#include "tools/cli_runner.h"

namespace {

using flowkit::Json;
using flowkit::testing_support::CliResult;
using flowkit::testing_support::RunCli;

const std::string kDir = std::string(FLOWKIT_TEST_FIXTURES) + "/run";

std::vector<Json> Lines(const std::string& out) {
  std::vector<Json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    auto j = Json::Parse(line);
    EXPECT_TRUE(j.ok()) << "not a JSON line: " << line;
    if (j.ok()) lines.push_back(std::move(j).value());
  }
  return lines;
}

TEST(RunCli, PrintsEveryEmittedMessageThenASummary) {
  CliResult r = RunCli({"run", kDir + "/counter-store-flow.json", "--wait", "0.2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<Json> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;  // OnStart, Counter, Set, summary
  EXPECT_EQ(lines[0]["component"].AsString(), "on");
  EXPECT_EQ(lines[0]["type"].AsString(), "appmixer.utils.controls.OnStart");
  EXPECT_EQ(lines[0]["port"].AsString(), "out");
  EXPECT_TRUE(lines[0]["content"]["started"].IsString());
  EXPECT_EQ(lines[1]["component"].AsString(), "counter");
  EXPECT_EQ(lines[1]["content"]["count"].AsInt(), 15);
  const Json& summary = lines.back()["summary"];
  EXPECT_EQ(summary["messages"].AsInt(), 3);
  EXPECT_TRUE(summary["errors"].IsArray());
  EXPECT_EQ(summary["errors"].size(), 0u);
  EXPECT_EQ(summary["deadLetters"].AsInt(), 0);
  EXPECT_EQ(summary["stores"]["results"]["count"].AsInt(), 15);
}

TEST(RunCli, ValidationFailuresAreDeadLettersAndExitOne) {
  CliResult r = RunCli({"run", kDir + "/invalid-input-flow.json", "--wait", "0.2"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::vector<Json> lines = Lines(r.out);
  ASSERT_FALSE(lines.empty());
  const Json& summary = lines.back()["summary"];
  EXPECT_EQ(summary["deadLetters"].AsInt(), 1);
  ASSERT_EQ(summary["errors"].size(), 1u);
  EXPECT_EQ(summary["errors"][0]["component"].AsString(), "save");
  EXPECT_NE(summary["errors"][0]["message"].AsString().find("key"), std::string::npos) << r.out;
}

TEST(RunCli, BadInputIsAClearErrorWithExitTwo) {
  CliResult missing = RunCli({"run", kDir + "/no-such-flow.json"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot open"), std::string::npos) << missing.err;

  CliResult bad_seed = RunCli({"run", kDir + "/counter-store-flow.json", "--seed-file", "noequals"});
  EXPECT_EQ(bad_seed.exit_code, 2);
  EXPECT_NE(bad_seed.err.find("ID=PATH"), std::string::npos) << bad_seed.err;

  CliResult unknown = RunCli({"run", std::string(FLOWKIT_TEST_FIXTURES) + "/cli/good-flow.json"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown component type"), std::string::npos) << unknown.err;
}

TEST(RunCli, DataDirKeepsTheRunAndAnUnfinishedRunResumes) {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("flowkit-run-data-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand())))
                              .string();
  const std::string flow = kDir + "/wait-then-store-flow.json";
  // The Wait holds the message for 2 s; this run gives up after 0.3 s with the timer pending.
  CliResult first = RunCli({"run", flow, "--data", dir, "--timeout", "0.3", "--wait", "5"});
  EXPECT_EQ(first.exit_code, 1) << first.out << first.err;
  std::vector<Json> lines = Lines(first.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines.back()["summary"]["errors"][0]["message"].AsString().find("timed out"), std::string::npos);
  EXPECT_FALSE(lines.back()["summary"]["stores"]["results"].Contains("waited"));
  // One folder, private: the LMDB runtime and the SQLite documents inside.
  namespace fs = std::filesystem;
  EXPECT_EQ(fs::status(dir).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_TRUE(fs::exists(fs::path(dir) / "runtime" / "data.mdb"));
  EXPECT_EQ(fs::status(fs::path(dir) / "documents.db").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);

  // The second run resumes the same run: the durable timer fires and the store is written.
  CliResult second = RunCli({"run", flow, "--data", dir, "--timeout", "20", "--wait", "5"});
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.err.find("resuming flow"), std::string::npos) << second.err;
  lines = Lines(second.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(lines.back()["summary"]["stores"]["results"]["waited"].IsString()) << second.out;
  EXPECT_EQ(lines.back()["summary"]["errors"].size(), 0u) << second.out;

  // A --data path that is not a directory is a clear error.
  CliResult bad = RunCli({"run", flow, "--data", flow});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--data"), std::string::npos) << bad.err;
  fs::remove_all(dir);
}

// Appmixer's own end-to-end test flows, from the public connector repository when a checkout is
// available (FLOWKIT_APPMIXER_CONNECTORS); they must run unchanged and land in the success store.
struct AppmixerFlow {
  const char* path;
  std::vector<std::string> extra_args;
};
// Keeps ctest's test names stable (gtest would otherwise print the struct's bytes).
void PrintTo(const AppmixerFlow& flow, std::ostream* os) { *os << flow.path; }

class AppmixerE2E : public ::testing::TestWithParam<AppmixerFlow> {};

TEST_P(AppmixerE2E, RunsUnchangedAndReportsSuccess) {
  const char* root = std::getenv("FLOWKIT_APPMIXER_CONNECTORS");
  if (root == nullptr || !std::filesystem::exists(std::string(root) + "/" + GetParam().path)) {
    GTEST_SKIP() << "FLOWKIT_APPMIXER_CONNECTORS does not point at an appmixer-connectors checkout";
  }
  std::vector<std::string> args{"run", std::string(root) + "/" + GetParam().path, "--wait", "1", "--timeout", "60"};
  for (const std::string& a : GetParam().extra_args) args.push_back(a);
  CliResult r = RunCli(args);
  std::vector<Json> lines = Lines(r.out);
  ASSERT_FALSE(lines.empty()) << r.err;
  const Json& summary = lines.back()["summary"];
  ASSERT_TRUE(summary.IsObject()) << r.out;
  // ProcessE2EResults writes the test case into its successStoreId or its failedStoreId.
  auto flow = Json::Parse(flowkit::testing_support::Slurp(std::string(root) + "/" + GetParam().path));
  ASSERT_TRUE(flow.ok());
  std::string success_store, failed_store;
  for (const flowkit::JsonMember& node : (*flow)["flow"].object()) {
    if (node.value["type"].AsString() != "appmixer.utils.test.ProcessE2EResults") continue;
    success_store = node.value["config"]["properties"]["successStoreId"].AsString();
    failed_store = node.value["config"]["properties"]["failedStoreId"].AsString();
  }
  ASSERT_FALSE(success_store.empty()) << "the flow has no ProcessE2EResults";
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const Json& records = summary["stores"][success_store];
  ASSERT_FALSE(records.empty()) << r.out;
  // Appmixer's flows may use one store for both verdicts: judge the stored result itself.
  for (const flowkit::JsonMember& record : records.object()) {
    auto result = Json::Parse(record.value.AsString());
    ASSERT_TRUE(result.ok()) << record.value.Dump();
    EXPECT_NE((*result)["message"].AsString(), "timed out") << r.out;
    const Json items = result->IsArray() ? *result : Json::MakeArray({*result});
    for (const Json& item : items.array()) EXPECT_TRUE(item["error"].empty()) << item.Dump();
  }
  if (failed_store != success_store) {
    EXPECT_TRUE(summary["stores"][failed_store].empty()) << r.out;
  }
}

// test-flow-addrows.json appends rows to two CSV files it expects to exist; any CSV will do.
const std::string kPeopleCsv = kDir + "/people.csv";
INSTANTIATE_TEST_SUITE_P(
    Flows, AppmixerE2E,
    ::testing::Values(AppmixerFlow{"src/appmixer/utils/filters/test-flow.json", {}},
                      AppmixerFlow{"src/appmixer/utils/csv/test-flow-addrows.json",
                                   {"--seed-file", "73e96792-820b-4768-bc44-70e67dd9edbe=" + kPeopleCsv,
                                    "--seed-file", "ebdaa787-5549-4a31-8643-f7a975af3e7c=" + kPeopleCsv}},
                      // Uses g_javascript.
                      AppmixerFlow{"src/appmixer/utils/csv/test-flow.json", {}},
                      // One condition asserts g_now > OnStart's `started`; it holds even when the
                      // hops take under a millisecond because a transform's "now" is never
                      // earlier than one millisecond after its message was sent (EvalEnv::sent_ms).
                      AppmixerFlow{"src/appmixer/utils/controls/test-flow-condition.json", {}}));

}  // namespace
