#include "flowkit/registry.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "flow/test_util.h"
#include "flowkit/component.h"

namespace flowkit {
namespace {

using test::DiagnosticsText;
using test::FixturePath;
using test::HasDiagnostic;
using Severity = Diagnostic::Severity;

Manifest NamedManifest(const std::string& name) {
  Manifest m;
  m.name = name;
  return m;
}

// A factory that returns nothing still marks a type runnable; these tests never call it.
BehaviourFactory NullFactory() {
  return [] { return std::unique_ptr<Behaviour>(); };
}

TEST(ComponentRegistry, RegisterFindNamesSize) {
  ComponentRegistry registry;
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_EQ(registry.Find("acme.demo.core.B"), nullptr);
  ASSERT_TRUE(registry.Register(NamedManifest("acme.demo.core.B")).ok());
  ASSERT_TRUE(registry.Register(NamedManifest("acme.demo.core.A"), NullFactory()).ok());
  EXPECT_EQ(registry.size(), 2u);
  EXPECT_EQ(registry.Names(), (std::vector<std::string>{"acme.demo.core.A", "acme.demo.core.B"}));
  const ComponentType* a = registry.Find("acme.demo.core.A");
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->runnable());
  ASSERT_NE(a->manifest, nullptr);
  EXPECT_EQ(a->manifest->name, "acme.demo.core.A");
  EXPECT_FALSE(registry.Find("acme.demo.core.B")->runnable());
}

TEST(ComponentRegistry, DuplicateNeedsReplace) {
  ComponentRegistry registry;
  ASSERT_TRUE(registry.Register(NamedManifest("acme.demo.core.A")).ok());
  Manifest again = NamedManifest("acme.demo.core.A");
  again.label = "second";
  Status s = registry.Register(again);
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find("acme.demo.core.A"), std::string::npos);
  EXPECT_EQ(registry.Find("acme.demo.core.A")->manifest->label, "");
  ASSERT_TRUE(registry.Register(again, nullptr, /*replace=*/true).ok());
  EXPECT_EQ(registry.Find("acme.demo.core.A")->manifest->label, "second");
  EXPECT_EQ(registry.size(), 1u);
}

TEST(ComponentRegistry, RejectsInvalidTypeNames) {
  ComponentRegistry registry;
  EXPECT_EQ(registry.Register(NamedManifest("")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.Register(NamedManifest("acme.A")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.Register(NamedManifest("acme.demo.core.A-B")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.size(), 0u);
  // Appmixer's module-less names (vendor.service.Component) are real; they register.
  EXPECT_TRUE(registry.Register(NamedManifest("acme.contacts.CreateContact")).ok());
}

TEST(ComponentRegistry, LoadManifestDirectorySkipsNodeModulesAndHiddenDirs) {
  ComponentRegistry registry;
  Diagnostics diags;
  const std::string dir = FixturePath("manifests/tree");
  Result<size_t> loaded = registry.LoadManifestDirectory(dir, &diags);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, 2u);
  EXPECT_EQ(registry.Names(), (std::vector<std::string>{"acme.demo.core.Alpha", "acme.demo.core.Beta"}));
  EXPECT_FALSE(registry.Find("acme.demo.core.Alpha")->runnable());
  ASSERT_EQ(registry.Find("acme.demo.core.Alpha")->manifest->in_ports.size(), 1u);

  // The broken manifests are reported with their file as the pointer prefix, and skipped.
  EXPECT_EQ(diags.error_count(), 2u) << DiagnosticsText(diags);
  EXPECT_TRUE(HasDiagnostic(diags, Severity::kError, dir + "/acme/demo/core/Broken/component.json#/tick",
                            "expected a boolean, got string"))
      << DiagnosticsText(diags);
  EXPECT_TRUE(HasDiagnostic(diags, Severity::kError, dir + "/acme/demo/core/Malformed/component.json#",
                            "offset"))
      << DiagnosticsText(diags);
}

TEST(ComponentRegistry, LoadManifestDirectoryKeepsRunnableTypes) {
  ComponentRegistry registry;
  Manifest runnable = NamedManifest("acme.demo.core.Alpha");
  runnable.label = "native";
  ASSERT_TRUE(registry.Register(runnable, NullFactory()).ok());
  ASSERT_TRUE(registry.Register(NamedManifest("acme.demo.core.Beta")).ok());
  Result<size_t> loaded = registry.LoadManifestDirectory(FixturePath("manifests/tree"));
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded, 1u);  // Beta (manifest-only) is replaced, Alpha (runnable) is kept
  const ComponentType* alpha = registry.Find("acme.demo.core.Alpha");
  EXPECT_TRUE(alpha->runnable());
  EXPECT_EQ(alpha->manifest->label, "native");
  EXPECT_EQ(registry.Find("acme.demo.core.Beta")->manifest->out_ports.size(), 1u);
}

TEST(ComponentRegistry, LoadManifestDirectoryMissingDirIsNotFound) {
  ComponentRegistry registry;
  Result<size_t> loaded = registry.LoadManifestDirectory(FixturePath("manifests/no-such-dir"));
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kNotFound);
  // A file is not a directory either.
  Result<size_t> file = registry.LoadManifestDirectory(FixturePath("manifests/good/full.json"));
  EXPECT_EQ(file.status().code(), StatusCode::kNotFound);
}

TEST(ComponentRegistry, LoadsTheFlowFixtureComponents) {
  ComponentRegistry registry;
  Diagnostics diags;
  Result<size_t> loaded = registry.LoadManifestDirectory(FixturePath("flows/components"), &diags);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded, 4u);
  EXPECT_TRUE(diags.empty()) << DiagnosticsText(diags);
}

}  // namespace
}  // namespace flowkit
