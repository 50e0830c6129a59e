// Black-box tests of `flowkit validate`: the output lines and exit codes are a user contract.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

CliResult RunCli(std::vector<std::string> args) {
  args.insert(args.begin(), FLOWKIT_CLI_PATH);
  char out_path[] = "/tmp/flowkit-cli-out-XXXXXX";
  char err_path[] = "/tmp/flowkit-cli-err-XXXXXX";
  int out_fd = mkstemp(out_path);
  int err_fd = mkstemp(err_path);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  CliResult r;
  pid_t pid;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  close(out_fd);
  close(err_fd);
  r.out = Slurp(out_path);
  r.err = Slurp(err_path);
  unlink(out_path);
  unlink(err_path);
  return r;
}

const std::string kDir = std::string(FLOWKIT_TEST_FIXTURES) + "/cli";

TEST(ValidateCli, ValidFlowPrintsOkAndExitsZero) {
  CliResult r = RunCli({"validate", "--components", kDir + "/components", kDir + "/good-flow.json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "OK " + kDir + "/good-flow.json\n");
}

TEST(ValidateCli, ManifestFilesValidateWithoutComponentsDir) {
  const std::string file = kDir + "/components/acme/demo/core/Sink/component.json";
  CliResult r = RunCli({"validate", file});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "OK " + file + "\n");
}

TEST(ValidateCli, ManifestsAmongTheFilesAreKnownToFlows) {
  const std::string src = kDir + "/components/acme/demo/core/Source/component.json";
  const std::string dst = kDir + "/components/acme/demo/core/Sink/component.json";
  CliResult r = RunCli({"validate", kDir + "/good-flow.json", src, dst});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "OK " + kDir + "/good-flow.json\nOK " + src + "\nOK " + dst + "\n");
}

TEST(ValidateCli, InvalidFlowPrintsEveryErrorWithPointer) {
  const std::string file = kDir + "/bad-flow.json";
  CliResult r = RunCli({"validate", "--components", kDir + "/components", file});
  EXPECT_EQ(r.exit_code, 1);
  const std::string prefix = "ERROR " + file + ": ";
  EXPECT_NE(r.out.find(prefix + "/flow/ghost/type: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("acme.demo.core.DoesNotExist"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(prefix + "/flow/dst/source/in/nowhere"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("g_noSuchModifier"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("OK "), std::string::npos);
  // Every line is an ERROR line for this file.
  std::istringstream lines(r.out);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) EXPECT_EQ(line.rfind(prefix, 0), 0u) << line;
  EXPECT_GE(count, 3);
}

TEST(ValidateCli, MixedFilesReportEachAndFailOverall) {
  CliResult r = RunCli({"validate", "--components", kDir + "/components", kDir + "/good-flow.json",
                        kDir + "/bad-manifest.json", kDir + "/malformed.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("OK " + kDir + "/good-flow.json\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ERROR " + kDir + "/bad-manifest.json: /name: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ERROR " + kDir + "/bad-manifest.json: /tick: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ERROR " + kDir + "/malformed.json: /: invalid JSON at offset"), std::string::npos) << r.out;
}

TEST(ValidateCli, MissingFileIsAnErrorLineNotACrash) {
  CliResult r = RunCli({"validate", kDir + "/no-such-file.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "ERROR " + kDir + "/no-such-file.json: /: cannot open the file\n");
}

TEST(ValidateCli, UnknownTypeWithoutComponentsDirIsReported) {
  CliResult r = RunCli({"validate", kDir + "/good-flow.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("unknown component type 'acme.demo.core.Source'"), std::string::npos) << r.out;
}

TEST(ValidateCli, UsageErrorsExitNonZero) {
  CliResult r = RunCli({"validate"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("files"), std::string::npos) << r.err;
}

}  // namespace
