// ComponentRegistry: component type name → manifest (+ behaviour factory, for runnable types).
//
// Types are registered explicitly, never by static initialisers. A type may be known by its
// manifest alone (e.g. loaded from an Appmixer connector directory): flows using it validate,
// but it cannot run. Registration is not thread-safe; after set-up, lookups may run on any
// number of threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/diagnostics.h"
#include "flowkit/manifest.h"
#include "flowkit/status.h"

namespace flowkit {

class Behaviour;  // component.h
using BehaviourFactory = std::function<std::unique_ptr<Behaviour>()>;

struct ComponentOptions {
  // Receive may run on several workers at once for one instance (the behaviour keeps no
  // per-call data in members and uses only Context for state). Default: calls on one instance
  // are serialized, which makes its component-state updates exactly-once per message.
  bool concurrent = false;
  // Every failed call of another component of the flow comes to this type's instances as a
  // kError Receive (Appmixer's OnError); engine.h describes the record. Errors of error-feed
  // instances themselves, and of the runs they start, are not fed back: a failing error handler
  // cannot loop.
  bool error_feed = false;
};

struct ComponentType {
  std::shared_ptr<const Manifest> manifest;
  BehaviourFactory factory;  // empty for manifest-only types
  ComponentOptions options;
  bool runnable() const noexcept { return static_cast<bool>(factory); }
};

class ComponentRegistry {
 public:
  ComponentRegistry();
  ~ComponentRegistry();
  ComponentRegistry(const ComponentRegistry&) = delete;
  ComponentRegistry& operator=(const ComponentRegistry&) = delete;

  // kAlreadyExists when the name is taken and `replace` is false.
  Status Register(Manifest manifest, BehaviourFactory factory = nullptr, bool replace = false);
  Status Register(Manifest manifest, BehaviourFactory factory, ComponentOptions options,
                  bool replace = false);

  // Loads every `component.json` below `dir` (Appmixer connector layout) as a manifest-only
  // type; a runnable type of the same name is kept. Problems go to `diagnostics` with the file
  // path as the pointer prefix; the count of loaded manifests is returned. kNotFound when `dir`
  // does not exist.
  Result<size_t> LoadManifestDirectory(const std::string& dir, Diagnostics* diagnostics = nullptr);

  // nullptr when the type is unknown.
  const ComponentType* Find(std::string_view type) const noexcept;
  std::vector<std::string> Names() const;  // sorted
  size_t size() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowkit
