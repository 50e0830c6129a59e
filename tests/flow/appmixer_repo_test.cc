// Acceptance against real data: every component.json and test-flow*.json of Appmixer's public
// connector repository (github.com/clientIO/appmixer-connectors) must validate. The repository is
// not part of flowkit; point FLOWKIT_APPMIXER_CONNECTORS at a checkout to run these tests.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "flow/test_util.h"
#include "flowkit/flow.h"
#include "flowkit/manifest.h"
#include "flowkit/modifier.h"
#include "flowkit/registry.h"

namespace flowkit {
namespace {

namespace fs = std::filesystem;

// The g_* functions the repository's test flows call (appmixer-utils.md §4); all must be built in.
const std::vector<std::string> kFlowModifiers = {
    "g_add",    "g_addTimeSpan", "g_first",      "g_floor",  "g_flowId", "g_flowName", "g_greaterThan",
    "g_javascript", "g_jsonPath", "g_last",     "g_length", "g_mul",    "g_now",      "g_pi",
    "g_random", "g_split",       "g_stringify", "g_timestamp", "g_userId", "g_uuid4"};

// The checkout, or "" when the variable is unset.
std::string Checkout() {
  const char* dir = std::getenv("FLOWKIT_APPMIXER_CONNECTORS");
  return dir == nullptr ? std::string() : std::string(dir);
}

// Files below `dir` whose name satisfies `match`, skipping node_modules and hidden directories.
template <typename Match>
std::vector<fs::path> FindFiles(const fs::path& dir, Match match) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory()) {
      if (name == "node_modules" || name[0] == '.') it.disable_recursion_pending();
      continue;
    }
    if (match(name)) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class AppmixerRepo : public ::testing::Test {
 protected:
  void SetUp() override {
    checkout_ = Checkout();
    if (checkout_.empty()) GTEST_SKIP() << "set FLOWKIT_APPMIXER_CONNECTORS to an appmixer-connectors checkout";
    ASSERT_TRUE(fs::is_directory(fs::path(checkout_) / "src")) << checkout_ << " has no src/";
  }

  std::string checkout_;
};

TEST_F(AppmixerRepo, EveryComponentManifestValidates) {
  const std::vector<fs::path> files =
      FindFiles(fs::path(checkout_) / "src", [](const std::string& name) { return name == "component.json"; });
  size_t valid = 0;
  size_t warnings = 0;
  for (const fs::path& file : files) {
    Diagnostics diags;
    Result<Manifest> manifest = Manifest::Parse(test::ReadText(file.string()), &diags);
    EXPECT_TRUE(manifest.ok()) << file.string() << "\n" << test::DiagnosticsText(diags);
    if (manifest.ok()) ++valid;
    warnings += test::WarningCount(diags);
  }
  std::printf("[ appmixer ] %zu of %zu component.json files validate (%zu warnings)\n", valid,
              files.size(), warnings);
  EXPECT_GT(files.size(), 1000u);  // the walk found the repository's manifests (1,319 at e7327327)
  EXPECT_EQ(valid, files.size());
}

TEST_F(AppmixerRepo, EveryTestFlowValidates) {
  ComponentRegistry components;
  Diagnostics load;
  Result<size_t> loaded = components.LoadManifestDirectory((fs::path(checkout_) / "src").string(), &load);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_FALSE(load.has_errors()) << test::DiagnosticsText(load);

  ModifierRegistry modifiers;
  ASSERT_TRUE(RegisterBuiltinModifiers(modifiers).ok());
  for (const std::string& name : kFlowModifiers) {
    EXPECT_NE(modifiers.Find(name), nullptr) << name << " is used by the test flows but not built in";
  }

  const std::vector<fs::path> files = FindFiles(fs::path(checkout_) / "src", [](const std::string& name) {
    return name.rfind("test-flow", 0) == 0 && name.size() > 5 && name.substr(name.size() - 5) == ".json";
  });
  size_t valid = 0;
  size_t stale_type_errors = 0;
  size_t warnings = 0;
  for (const fs::path& file : files) {
    Diagnostics diags;
    (void)Flow::Parse(test::ReadText(file.string()), components, modifiers, &diags);
    warnings += test::WarningCount(diags);
    bool only_stale = true;
    for (const Diagnostic& d : diags.items()) {
      if (d.severity != Diagnostic::Severity::kError) {
        if (d.message.find("this transform is ignored") == std::string::npos) {
          std::printf("[ appmixer ] warning: %s: %s\n", file.string().c_str(), d.ToString().c_str());
        }
        continue;
      }
      // Two of the repository's flows (at e7327327) still use components that were since
      // removed from it; that is the flow's staleness, which the validator must report. Such
      // an error is tolerated only when the type's directory really is absent.
      const std::string prefix = "unknown component type '";
      bool stale = false;
      if (d.message.rfind(prefix, 0) == 0 && d.message.back() == '\'') {
        std::string type = d.message.substr(prefix.size(), d.message.size() - prefix.size() - 1);
        std::string path = type;
        std::replace(path.begin(), path.end(), '.', '/');
        stale = !fs::exists(fs::path(checkout_) / "src" / path / "component.json");
      }
      if (stale) {
        ++stale_type_errors;
        std::printf("[ appmixer ] stale flow: %s: %s\n", file.string().c_str(), d.ToString().c_str());
      } else {
        only_stale = false;
        ADD_FAILURE() << file.string() << ": " << d.ToString();
      }
    }
    if (!diags.has_errors()) ++valid;
    EXPECT_TRUE(only_stale);
  }
  std::printf("[ appmixer ] %zu of %zu test flows validate with no errors; %zu errors name removed "
              "component types; %zu warnings\n",
              valid, files.size(), stale_type_errors, warnings);
  EXPECT_GT(files.size(), 50u);  // 61 at e7327327
}

}  // namespace
}  // namespace flowkit
