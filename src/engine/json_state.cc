#include "engine/json_state.h"

#include <string>
#include <utility>

namespace flowkit::internal {

const Json& StateTransaction::Current(std::string_view key) const {
  static const Json* undefined = new Json(Json::Undefined());
  if (auto it = writes_.find(key); it != writes_.end()) return it->second ? *it->second : *undefined;
  if (cleared_ || base_ == nullptr) return *undefined;
  return base_->Get(key);
}

Result<Json> StateTransaction::Get(std::string_view key) { return Current(key); }

Status StateTransaction::Set(std::string_view key, Json value) {
  if (value.IsUndefined()) return Unset(key);
  writes_.insert_or_assign(std::string(key), std::move(value));
  return Status::OK();
}

Status StateTransaction::Unset(std::string_view key) {
  writes_.insert_or_assign(std::string(key), std::nullopt);
  return Status::OK();
}

Status StateTransaction::Clear() {
  cleared_ = true;
  writes_.clear();
  return Status::OK();
}

Result<Json> StateTransaction::Load() {
  Json out = Json::MakeObject();
  if (!cleared_ && base_ != nullptr && base_->IsObject()) out = *base_;
  for (const auto& [key, value] : writes_) {
    if (value) {
      out.Set(key, *value);
    } else {
      out.Erase(key);
    }
  }
  return out;
}

Status StateTransaction::Save(Json state) {
  if (!state.IsObject()) return Status::InvalidArgument("saveState needs an object, got " + state.Dump());
  cleared_ = true;
  writes_.clear();
  for (JsonMember& m : state.MutableObject()) writes_.insert_or_assign(std::move(m.key), std::move(m.value));
  return Status::OK();
}

Result<Json> StateTransaction::Inc(std::string_view key, double by) {
  const Json& current = Current(key);
  if (!current.IsNullish() && !current.IsNumber()) {
    return Status::InvalidArgument("cannot increment state '" + std::string(key) + "': it holds " +
                                   current.Dump() + ", not a number");
  }
  Json next(current.AsDouble(0) + by);
  writes_.insert_or_assign(std::string(key), next);
  return next;
}

Result<bool> StateTransaction::AddToSet(std::string_view key, Json value) {
  const Json& current = Current(key);
  if (current.IsArray()) {
    for (const Json& item : current.array()) {
      if (item == value) return false;
    }
    Json next = current;
    next.Push(std::move(value));
    writes_.insert_or_assign(std::string(key), std::move(next));
    return true;
  }
  writes_.insert_or_assign(std::string(key), Json::MakeArray({std::move(value)}));
  return true;
}

Result<bool> StateTransaction::RemoveFromSet(std::string_view key, const Json& value) {
  const Json& current = Current(key);
  if (!current.IsArray()) return false;
  Json next = Json::MakeArray();
  bool removed = false;
  for (const Json& item : current.array()) {
    if (item == value) {
      removed = true;
    } else {
      next.Push(item);
    }
  }
  if (removed) writes_.insert_or_assign(std::string(key), std::move(next));
  return removed;
}

void StateTransaction::CommitTo(Json* base) {
  if (!base->IsObject()) *base = Json::MakeObject();
  if (cleared_) base->MutableObject().Clear();
  for (auto& [key, value] : writes_) {
    if (value) {
      base->Set(key, std::move(*value));
    } else {
      base->Erase(key);
    }
  }
  Rollback();
}

void StateTransaction::Rollback() {
  cleared_ = false;
  writes_.clear();
}

template <typename Fn>
auto LockedState::Apply(Fn&& fn) {
  std::lock_guard<std::mutex> lock(*mu_);
  StateTransaction tx(state_);
  auto result = fn(tx);
  if (result.ok()) {
    changed_ = changed_ || tx.dirty();
    tx.CommitTo(state_);
  }
  return result;
}

Result<Json> LockedState::Get(std::string_view key) {
  std::lock_guard<std::mutex> lock(*mu_);
  return state_->Get(key);
}

Status LockedState::Set(std::string_view key, Json value) {
  return Apply([&](StateTransaction& tx) { return tx.Set(key, std::move(value)); });
}

Status LockedState::Unset(std::string_view key) {
  return Apply([&](StateTransaction& tx) { return tx.Unset(key); });
}

Status LockedState::Clear() {
  return Apply([&](StateTransaction& tx) { return tx.Clear(); });
}

Result<Json> LockedState::Load() {
  std::lock_guard<std::mutex> lock(*mu_);
  return state_->IsObject() ? *state_ : Json::MakeObject();
}

Status LockedState::Save(Json state) {
  return Apply([&](StateTransaction& tx) { return tx.Save(std::move(state)); });
}

Result<Json> LockedState::Inc(std::string_view key, double by) {
  return Apply([&](StateTransaction& tx) { return tx.Inc(key, by); });
}

Result<bool> LockedState::AddToSet(std::string_view key, Json value) {
  return Apply([&](StateTransaction& tx) { return tx.AddToSet(key, std::move(value)); });
}

Result<bool> LockedState::RemoveFromSet(std::string_view key, const Json& value) {
  return Apply([&](StateTransaction& tx) { return tx.RemoveFromSet(key, value); });
}

}  // namespace flowkit::internal
