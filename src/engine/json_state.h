// StateScope implementations over a Json object, shared by the engine and the test harness.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "flowkit/component.h"
#include "flowkit/json.h"

namespace flowkit::internal {

// Records a call's state changes over a base object without touching it; reads see the call's
// own writes. CommitTo applies them (the engine commits only when the call succeeded).
// Not thread-safe: one per call.
class StateTransaction final : public StateScope {
 public:
  // `base` (an object, or null for empty state) is borrowed and must not change until Commit.
  explicit StateTransaction(const Json* base) : base_(base) {}

  Result<Json> Get(std::string_view key) override;
  Status Set(std::string_view key, Json value) override;
  Status Unset(std::string_view key) override;
  Status Clear() override;
  Result<Json> Load() override;
  Status Save(Json state) override;
  Result<Json> Inc(std::string_view key, double by) override;
  Result<bool> AddToSet(std::string_view key, Json value) override;
  Result<bool> RemoveFromSet(std::string_view key, const Json& value) override;

  bool dirty() const noexcept { return cleared_ || !writes_.empty(); }
  // Applies the changes to `base` (turned into an object if it is not one) and forgets them.
  void CommitTo(Json* base);
  void Rollback();

 private:
  const Json& Current(std::string_view key) const;
  const Json* base_;
  bool cleared_ = false;
  std::map<std::string, std::optional<Json>, std::less<>> writes_;  // nullopt = unset
};

// Applies each operation at once to a shared object under a mutex (flow-scoped state).
class LockedState final : public StateScope {
 public:
  // Both borrowed; `state` is only touched while holding `mu`.
  LockedState(Json* state, std::mutex* mu) : state_(state), mu_(mu) {}

  Result<Json> Get(std::string_view key) override;
  Status Set(std::string_view key, Json value) override;
  Status Unset(std::string_view key) override;
  Status Clear() override;
  Result<Json> Load() override;
  Status Save(Json state) override;
  Result<Json> Inc(std::string_view key, double by) override;
  Result<bool> AddToSet(std::string_view key, Json value) override;
  Result<bool> RemoveFromSet(std::string_view key, const Json& value) override;

  // Whether any write succeeded through this view (the engine then records the new state).
  bool changed() const noexcept { return changed_; }

 private:
  template <typename Fn>
  auto Apply(Fn&& fn);
  Json* state_;
  std::mutex* mu_;
  bool changed_ = false;
};

}  // namespace flowkit::internal
