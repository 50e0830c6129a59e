// The built-in components' manifests, compiled into the library (see cmake/embed_manifests.cmake).
#pragma once

#include <cstddef>
#include <string_view>

namespace flowkit::components {

struct EmbeddedManifest {
  std::string_view path;  // source path, for error messages
  std::string_view json;
};

extern const EmbeddedManifest kEmbeddedManifests[];
extern const size_t kEmbeddedManifestCount;

}  // namespace flowkit::components
