#include "validate.h"

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "flowkit/flow.h"
#include "flowkit/json.h"
#include "flowkit/manifest.h"
#include "flowkit/modifier.h"
#include "flowkit/registry.h"

namespace flowkit::cli {
namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open the file");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return Status::IOError("cannot read the file");
  return buf.str();
}

struct FileVerdict {
  Diagnostics diagnostics;
  std::optional<Json> doc;  // set when the file held JSON
  bool is_flow = false;
};

void PrintVerdict(const std::string& file, const FileVerdict& v, std::ostream& out, std::ostream& err) {
  for (const Diagnostic& d : v.diagnostics.items()) {
    if (d.severity == Diagnostic::Severity::kWarning) err << "warning: " << file << ": " << d.ToString() << "\n";
  }
  if (!v.diagnostics.has_errors()) {
    out << "OK " << file << "\n";
    return;
  }
  for (const Diagnostic& d : v.diagnostics.items()) {
    if (d.severity == Diagnostic::Severity::kError) out << "ERROR " << file << ": " << d.ToString() << "\n";
  }
}

}  // namespace

int RunValidate(const ValidateOptions& options, std::ostream& out, std::ostream& err) {
  ComponentRegistry components;
  for (const std::string& dir : options.component_dirs) {
    Diagnostics load;
    Result<size_t> loaded = components.LoadManifestDirectory(dir, &load);
    if (!loaded.ok()) {
      err << "error: --components " << dir << ": " << loaded.status().message() << "\n";
      return 1;
    }
    // A broken connector manifest is the directory's problem, not the validated files': say it
    // once and go on with the manifests that did load.
    for (const Diagnostic& d : load.items()) err << "warning: " << d.ToString() << "\n";
  }

  ModifierRegistry modifiers;
  if (Status s = RegisterBuiltinModifiers(modifiers); !s.ok()) {
    err << "error: " << s.ToString() << "\n";
    return 1;
  }

  // Manifests first, so a flow may use a component type whose manifest is among the FILEs.
  std::vector<FileVerdict> verdicts(options.files.size());
  for (size_t i = 0; i < options.files.size(); ++i) {
    FileVerdict& v = verdicts[i];
    Result<std::string> text = ReadFile(options.files[i]);
    if (!text.ok()) {
      v.diagnostics.Error("", text.status().message());
      continue;
    }
    Result<Json> doc = Json::Parse(*text);
    if (!doc.ok()) {
      v.diagnostics.Error("", doc.status().message());
      continue;
    }
    v.is_flow = doc->IsObject() && doc->Contains("flow");
    v.doc = std::move(doc).value();
    if (v.is_flow) continue;
    Result<Manifest> manifest = Manifest::FromJson(*v.doc, &v.diagnostics);
    if (manifest.ok()) {
      // A FILE manifest overrides a --components one of the same name: it is what the user
      // is working on.
      (void)components.Register(std::move(manifest).value(), nullptr, /*replace=*/true);
    }
  }
  for (FileVerdict& v : verdicts) {
    if (!v.is_flow || !v.doc) continue;
    (void)Flow::FromJson(*v.doc, components, modifiers, &v.diagnostics);
  }

  int rc = 0;
  for (size_t i = 0; i < options.files.size(); ++i) {
    PrintVerdict(options.files[i], verdicts[i], out, err);
    if (verdicts[i].diagnostics.has_errors()) rc = 1;
  }
  return rc;
}

}  // namespace flowkit::cli
