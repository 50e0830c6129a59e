#include "flowkit/registry.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>

#include "flow/names.h"

namespace flowkit {

struct ComponentRegistry::Impl {
  std::map<std::string, ComponentType, std::less<>> types;
};

ComponentRegistry::ComponentRegistry() : impl_(std::make_unique<Impl>()) {}
ComponentRegistry::~ComponentRegistry() = default;

Status ComponentRegistry::Register(Manifest manifest, BehaviourFactory factory, bool replace) {
  return Register(std::move(manifest), std::move(factory), ComponentOptions{}, replace);
}

Status ComponentRegistry::Register(Manifest manifest, BehaviourFactory factory,
                                   ComponentOptions options, bool replace) {
  if (!flow_internal::IsAcceptedComponentTypeName(manifest.name)) {
    return Status::InvalidArgument("cannot register component type '" + manifest.name +
                                   "': not a valid type name (vendor.service.module.Component)");
  }
  auto it = impl_->types.find(manifest.name);
  if (it != impl_->types.end() && !replace) {
    return Status::AlreadyExists("component type '" + manifest.name + "' is already registered");
  }
  std::string name = manifest.name;
  ComponentType type{std::make_shared<const Manifest>(std::move(manifest)), std::move(factory), options};
  impl_->types.insert_or_assign(std::move(name), std::move(type));
  return Status::OK();
}

namespace {

namespace fs = std::filesystem;

// Every component.json below `dir`, sorted so loading (and its diagnostics) is deterministic.
// node_modules and hidden directories hold dependencies and tooling, never components.
std::vector<fs::path> FindManifestFiles(const fs::path& dir, Diagnostics& diags) {
  std::vector<fs::path> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    diags.Error(dir.string(), "cannot read directory: " + ec.message());
    return files;
  }
  for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) {
      diags.Error(dir.string(), "stopped reading the directory tree: " + ec.message());
      break;
    }
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (it->is_directory(type_ec)) {
      if (name == "node_modules" || (!name.empty() && name[0] == '.')) it.disable_recursion_pending();
      continue;
    }
    if (name == "component.json" && it->is_regular_file(type_ec)) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Result<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError("cannot read " + path.string());
  return std::move(text).str();
}

}  // namespace

Result<size_t> ComponentRegistry::LoadManifestDirectory(const std::string& dir,
                                                        Diagnostics* diagnostics) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::NotFound("no such directory: " + dir);
  Diagnostics diags;
  size_t loaded = 0;
  for (const fs::path& path : FindManifestFiles(dir, diags)) {
    const std::string file = path.string();
    Result<std::string> text = ReadFile(path);
    if (!text.ok()) {
      diags.Error(file, text.status().message());
      continue;
    }
    // Pointers are "<file>#<pointer into the file>" (the URI-fragment form of a JSON pointer).
    Diagnostics file_diags;
    Result<Manifest> manifest = Manifest::Parse(*text, &file_diags);
    for (const Diagnostic& d : file_diags.items()) {
      // Not Diagnostics::Add: it does not count errors.
      if (d.severity == Diagnostic::Severity::kError) {
        diags.Error(file + "#" + d.pointer, d.message);
      } else {
        diags.Warning(file + "#" + d.pointer, d.message);
      }
    }
    if (!manifest.ok()) continue;
    auto it = impl_->types.find(manifest->name);
    if (it != impl_->types.end()) {
      // A registered runnable type wins over a manifest found on disk.
      if (it->second.runnable()) continue;
      diags.Warning(file + "#/name", "component type '" + manifest->name +
                                         "' was already loaded; this manifest replaces it");
    }
    std::string name = manifest->name;
    impl_->types.insert_or_assign(
        std::move(name), ComponentType{std::make_shared<const Manifest>(std::move(manifest).value()), nullptr, ComponentOptions{}});
    ++loaded;
  }
  if (diagnostics != nullptr) diagnostics->Append(diags);
  return loaded;
}

const ComponentType* ComponentRegistry::Find(std::string_view type) const noexcept {
  auto it = impl_->types.find(type);
  return it == impl_->types.end() ? nullptr : &it->second;
}

std::vector<std::string> ComponentRegistry::Names() const {
  std::vector<std::string> names;
  names.reserve(impl_->types.size());
  for (const auto& [name, type] : impl_->types) names.push_back(name);
  return names;
}

size_t ComponentRegistry::size() const noexcept { return impl_->types.size(); }

}  // namespace flowkit
