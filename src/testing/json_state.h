// A StateScope over a Json object held elsewhere (the harness's working copy of component state,
// its flow state; the memory runtime may reuse it). Not thread-safe: the owner serializes calls.
#pragma once

#include <string_view>

#include "flowkit/component.h"
#include "flowkit/json.h"

namespace flowkit::internal {

class JsonStateScope final : public StateScope {
 public:
  // `state` is borrowed and must outlive this scope; a non-object is turned into {} on first
  // write.
  explicit JsonStateScope(Json* state) : state_(state) {}

  Result<Json> Get(std::string_view key) override;
  Status Set(std::string_view key, Json value) override;
  Status Unset(std::string_view key) override;
  Status Clear() override;
  Result<Json> Load() override;
  Status Save(Json state) override;
  Result<Json> Inc(std::string_view key, double by) override;
  Result<bool> AddToSet(std::string_view key, Json value) override;
  Result<bool> RemoveFromSet(std::string_view key, const Json& value) override;

 private:
  Json* state_;
};

}  // namespace flowkit::internal
