// What every catalog adapter shares: validation of incoming records, the errors the
// conformance suite checks, flow-list selection (visibility, filter, sort, paging, projection)
// and people-task visibility. Adapters only fetch candidates and store rows.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/catalog.h"
#include "flowkit/storage.h"
#include "store/query.h"

namespace flowkit::store {

// ASCII lower case: emails compare case-insensitively (the same way in every adapter).
std::string AsciiLower(std::string_view text);
// Whether `needle` occurs in `haystack`, ignoring ASCII case; an empty needle always does.
bool ContainsIgnoringCase(std::string_view haystack, std::string_view needle);

Status FlowNotFound(std::string_view flow_id);
Status FlowExists(std::string_view flow_id);
Status UserNotFound(std::string_view what);
Status UserExists(std::string_view id);
Status AccountNotFound(std::string_view account_id);
Status AccountExists(std::string_view account_id);
Status PeopleTaskNotFound(std::string_view id);
Status PeopleTaskExists(std::string_view id);
Status ConfigNotFound(std::string_view key);
Status ServiceConfigNotFound(std::string_view service_id);

// Check a record before it is stored; nullish JSON members become {} / [].
Status NormalizeFlow(FlowRecord* flow);
Status ValidateStage(std::string_view stage);
Status NormalizeUser(UserRecord* user);
Status NormalizeAccount(AccountRecord* account);
Status NormalizePeopleTask(PeopleTaskRecord* task);
Status ValidateDecision(std::string_view decision);
// Whether `viewer` may decide `task` now: kPermissionDenied unless it is the approver,
// kFailedPrecondition when the task was already decided.
Status CheckDecision(const PeopleTaskRecord& task, const Viewer& viewer);
Status ValidateConfigKey(std::string_view key);
// `values` must be an object; its "serviceId" member is dropped.
Status NormalizeServiceValues(std::string_view service_id, Json* values);
Status CheckPaging(int64_t offset, std::string_view what);

// The "<kind>:<id>" keys under which a flow is shared ("user:<id>", "email:<lower-case>"), for
// adapters that index sharing; and those of a viewer.
std::vector<std::string> SharePrincipals(const Json& shared_with);
std::vector<std::string> ViewerPrincipals(const Viewer& viewer);

// A FlowQuery compiled once: which candidates to keep and how to order, page and project them.
class FlowSelection {
 public:
  static Result<FlowSelection> Compile(const FlowQuery& query);

  // Whether List needs these members at all (projection may drop them).
  bool needs_descriptor() const { return keep_descriptor_; }
  bool needs_thumbnail() const { return keep_thumbnail_; }

  // Keeps the candidates (in creation order) the query selects. `page`: apply offset and
  // limit (List), or not (Count). Dropped heavy members are cleared.
  Result<std::vector<FlowRecord>> Apply(std::vector<FlowRecord> candidates, bool page) const;

 private:
  FlowSelection() = default;
  FlowQuery query_;
  Query filter_;
  std::string sort_path_;  // in the terms of the StoreRecord view
  bool keep_descriptor_ = true;
  bool keep_thumbnail_ = true;
  bool keep_custom_fields_ = true;
  bool keep_shared_with_ = true;
};

// Whether the viewer owns, approves or requested the task; and whether it fits the query.
bool PeopleTaskVisibleTo(const PeopleTaskRecord& task, const Viewer& viewer);
bool PeopleTaskMatches(const PeopleTaskRecord& task, const PeopleTaskQuery& query);
// PeopleTaskCatalog::MarkDue's rule: pending, with a deadline at or before `now_ms`.
bool PeopleTaskOverdue(const PeopleTaskRecord& task, int64_t now_ms);

// Drops the first `offset` items, then keeps at most `limit` (-1 = all).
template <typename T>
void Page(std::vector<T>* items, int64_t offset, int64_t limit) {
  const size_t skip = static_cast<size_t>(offset < 0 ? 0 : offset);
  if (skip >= items->size()) {
    items->clear();
    return;
  }
  items->erase(items->begin(), items->begin() + static_cast<std::ptrdiff_t>(skip));
  if (limit >= 0 && static_cast<size_t>(limit) < items->size())
    items->resize(static_cast<size_t>(limit));
}

}  // namespace flowkit::store
