#include "components/builtin_registry.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "components/embedded_manifests.h"
#include "flowkit/manifest.h"

namespace flowkit::components {
namespace {

struct ParsedManifests {
  std::map<std::string, Manifest, std::less<>> by_name;
  std::map<std::string, std::string, std::less<>> errors;  // path → problem
};

const ParsedManifests& Parsed() {
  static const ParsedManifests* parsed = [] {
    auto* p = new ParsedManifests();
    for (size_t i = 0; i < kEmbeddedManifestCount; ++i) {
      const EmbeddedManifest& em = kEmbeddedManifests[i];
      Result<Manifest> m = Manifest::Parse(em.json);
      if (!m.ok()) {
        p->errors.emplace(std::string(em.path), m.status().message());
        continue;
      }
      std::string name = m->name;
      p->by_name.emplace(std::move(name), std::move(m).value());
    }
    return p;
  }();
  return *parsed;
}

}  // namespace

const Manifest* FindEmbeddedManifest(std::string_view type) {
  const ParsedManifests& p = Parsed();
  auto it = p.by_name.find(type);
  return it == p.by_name.end() ? nullptr : &it->second;
}

Status RegisterBuiltinTable(ComponentRegistry& registry, std::span<const BuiltinComponent> table) {
  const ParsedManifests& p = Parsed();
  if (!p.errors.empty()) {
    const auto& [path, problem] = *p.errors.begin();
    return Status::Internal("built-in manifest " + path + " is invalid: " + problem);
  }
  for (const BuiltinComponent& c : table) {
    const Manifest* m = FindEmbeddedManifest(c.type);
    if (m == nullptr) return Status::Internal("built-in component " + std::string(c.type) + " has no manifest");
    FLOWKIT_RETURN_IF_ERROR(registry.Register(*m, c.factory, c.options));
  }
  return Status::OK();
}

}  // namespace flowkit::components
