// Black-box tests of `flowkit validate`: the output lines and exit codes are a user contract.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "tools/cli_runner.h"

namespace {

using flowkit::testing_support::CliResult;
using flowkit::testing_support::RunCli;

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
