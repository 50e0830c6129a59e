#include "testing/json_state.h"

#include <algorithm>
#include <string>
#include <utility>

#include "util/js.h"

namespace flowkit::internal {

Result<Json> JsonStateScope::Get(std::string_view key) {
  const Json* value = state_->Find(key);
  return value ? *value : Json::Undefined();
}

Status JsonStateScope::Set(std::string_view key, Json value) {
  // Storing undefined is how JavaScript code "sets nothing"; keep the object free of it.
  if (value.IsUndefined()) return Unset(key);
  state_->Set(key, std::move(value));
  return Status::OK();
}

Status JsonStateScope::Unset(std::string_view key) {
  state_->Erase(key);
  return Status::OK();
}

Status JsonStateScope::Clear() {
  *state_ = Json::MakeObject();
  return Status::OK();
}

Result<Json> JsonStateScope::Load() {
  return state_->IsObject() ? *state_ : Json::MakeObject();
}

Status JsonStateScope::Save(Json state) {
  if (state.IsNullish()) state = Json::MakeObject();
  if (!state.IsObject()) return Status::InvalidArgument("saved state must be an object");
  *state_ = std::move(state);
  return Status::OK();
}

Result<Json> JsonStateScope::Inc(std::string_view key, double by) {
  const Json* current = state_->Find(key);
  double base = 0;
  if (current != nullptr && !current->IsNullish()) {
    if (!current->IsNumber()) {
      return Status::InvalidArgument("state key '" + std::string(key) + "' holds " +
                                     std::string(js::TypeOf(*current)) + ", not a number");
    }
    base = js::NumberValue(*current);
  }
  Json next(base + by);
  state_->Set(key, next);
  return next;
}

Result<bool> JsonStateScope::AddToSet(std::string_view key, Json value) {
  Json* current = state_->Find(key);
  if (current == nullptr || !current->IsArray()) {
    state_->Set(key, Json::MakeArray({std::move(value)}));
    return true;
  }
  const Json::Array& items = current->array();
  if (std::any_of(items.begin(), items.end(), [&](const Json& item) { return item == value; })) {
    return false;
  }
  current->Push(std::move(value));
  return true;
}

Result<bool> JsonStateScope::RemoveFromSet(std::string_view key, const Json& value) {
  Json* current = state_->Find(key);
  if (current == nullptr || !current->IsArray()) return false;
  Json::Array& items = current->MutableArray();
  const size_t before = items.size();
  std::erase_if(items, [&](const Json& item) { return item == value; });
  return items.size() != before;
}

}  // namespace flowkit::internal
