// Catalog record shapes and the logic both catalog adapters share. Flow filters and sorting
// reuse the data-store query engine (store/query.h): each flow is seen as a StoreRecord whose
// value holds its filterable members and whose createdAt/updatedAt are btime/mtime, and flow
// field paths are rewritten into that record's terms.
#include "store/catalog_common.h"

#include <algorithm>
#include <array>
#include <utility>

#include "util/js.h"

namespace flowkit {
namespace {

// ToJson members of a flow, in output order.
constexpr std::array<std::string_view, 10> kFlowMembers = {
    "flowId", "userId",    "name",         "stage",      "btime",
    "mtime",  "thumbnail", "customFields", "sharedWith", "flow"};

// The members a projection keeps, or kInvalidArgument.
Result<std::vector<std::string_view>> ProjectedMembers(const std::vector<std::string>& projection) {
  std::vector<std::string_view> kept(kFlowMembers.begin(), kFlowMembers.end());
  if (projection.empty()) return kept;
  bool excluding = false, including = false;
  std::vector<std::string_view> named;
  for (const std::string& raw : projection) {
    std::string_view field = raw;
    const bool exclude = field.starts_with('-');
    if (exclude) field.remove_prefix(1);
    (exclude ? excluding : including) = true;
    auto it = std::find(kFlowMembers.begin(), kFlowMembers.end(), field);
    if (it == kFlowMembers.end()) {
      return Status::InvalidArgument(
          "projection: unknown flow field '" + std::string(field) +
          "' (expected flowId, userId, name, stage, btime, mtime, thumbnail, "
          "customFields, sharedWith or flow)");
    }
    named.push_back(*it);
  }
  if (excluding && including) {
    return Status::InvalidArgument(
        "projection: mixes fields to keep with fields to drop ('-field')");
  }
  auto is_named = [&](std::string_view m) {
    return std::find(named.begin(), named.end(), m) != named.end();
  };
  std::erase_if(kept, [&](std::string_view m) {
    return excluding ? is_named(m) : (m != "flowId" && !is_named(m));
  });
  return kept;
}

bool Keeps(const std::vector<std::string_view>& kept, std::string_view member) {
  return std::find(kept.begin(), kept.end(), member) != kept.end();
}

}  // namespace

Json FlowRecord::ToJson(const std::vector<std::string>& projection) const {
  auto kept = ProjectedMembers(projection);
  const std::vector<std::string_view> members =
      kept.ok() ? std::move(kept).value()
                : std::vector<std::string_view>(kFlowMembers.begin(), kFlowMembers.end());
  Json out = Json::MakeObject();
  auto add = [&](std::string_view key, Json value) {
    if (Keeps(members, key) && !value.IsUndefined()) out.Set(key, std::move(value));
  };
  add("flowId", flow_id);
  add("userId", user_id);
  add("name", name);
  add("stage", stage);
  add("btime", js::FormatIso(btime_ms));
  add("mtime", js::FormatIso(mtime_ms));
  add("thumbnail", thumbnail);
  add("customFields", custom_fields);
  add("sharedWith", shared_with);
  add("flow", descriptor);
  return out;
}

bool FlowVisibleTo(const FlowRecord& flow, const Viewer& viewer, std::string_view permission) {
  if (!viewer.user_id.empty() && flow.user_id == viewer.user_id) return true;
  const std::string email = store::AsciiLower(viewer.email);
  for (const Json& entry : flow.shared_with.array()) {
    const bool names_viewer =
        (!viewer.user_id.empty() && entry["userId"].StringView() == viewer.user_id) ||
        (!email.empty() && store::AsciiLower(entry["email"].StringView()) == email);
    if (!names_viewer) continue;
    if (permission.empty()) return true;
    for (const Json& granted : entry["permissions"].array()) {
      if (granted.StringView() == permission) return true;
    }
  }
  return false;
}

Json UserRecord::ToJson() const {
  Json scopes = Json::MakeArray();
  for (const std::string& s : scope) scopes.Push(s);
  return Json::MakeObject({{"id", id},
                           {"username", username},
                           {"email", email},
                           {"isActive", is_active},
                           {"scope", std::move(scopes)},
                           {"metadata", metadata},
                           {"plan", plan}});
}

Json AccountRecord::ToJson() const {
  return Json::MakeObject({{"accountId", account_id},
                           {"userId", user_id},
                           {"service", service},
                           {"name", name},
                           {"displayName", display_name},
                           {"authType", auth_type},
                           {"profileInfo", profile_info}});
}

Json PeopleTaskRecord::ToJson() const {
  Json out = Json::MakeObject({{"id", id},
                               {"userId", user_id},
                               {"flowId", flow_id},
                               {"componentId", component_id},
                               {"title", title},
                               {"description", description},
                               {"requester", requester},
                               {"approver", approver},
                               {"decision", decision},
                               {"status", status}});
  if (deadline_ms != 0) out.Set("decisionBy", js::FormatIso(deadline_ms));
  out.Set("data", data);
  out.Set("created", js::FormatIso(created_ms));
  out.Set("mtime", js::FormatIso(updated_ms));
  return out;
}

Json ServiceConfig::ToJson() const {
  Json out = Json::MakeObject({{"serviceId", service_id}});
  for (const JsonMember& member : values.object()) out.Set(member.key, member.value);
  return out;
}

namespace store {
namespace {

std::string Quoted(std::string_view what, std::string_view id) {
  return std::string(what) + " '" + std::string(id) + "'";
}

// A flow field path in the terms of the StoreRecord view (see the file comment).
Result<std::string> MapFlowPath(std::string_view path) {
  const size_t dot = path.find('.');
  const std::string_view head = path.substr(0, dot);
  const bool nested = dot != std::string_view::npos;
  if (!nested && head == "btime") return std::string("createdAt");
  if (!nested && head == "mtime") return std::string("updatedAt");
  if ((!nested && (head == "flowId" || head == "userId" || head == "name" || head == "stage")) ||
      head == "customFields" || head == "sharedWith") {
    return "value." + std::string(path);
  }
  return Status::InvalidArgument("unknown flow field '" + std::string(path) +
                                 "' (expected flowId, userId, name, stage, customFields[.<path>], "
                                 "sharedWith[.<path>], btime or mtime)");
}

Result<Json> MapFlowFilter(const Json& filter) {
  if (filter.IsNullish()) return Json::MakeObject();
  if (!filter.IsObject()) return Status::InvalidArgument("flow filter must be an object");
  Json out = Json::MakeObject();
  for (const JsonMember& member : filter.object()) {
    if (member.key == "$and" || member.key == "$or") {
      if (!member.value.IsArray())
        return Status::InvalidArgument("flow filter " + member.key + " needs an array");
      Json parts = Json::MakeArray();
      for (const Json& part : member.value.array()) {
        FLOWKIT_ASSIGN_OR_RETURN(Json mapped, MapFlowFilter(part));
        parts.Push(std::move(mapped));
      }
      out.Set(member.key, std::move(parts));
      continue;
    }
    if (member.key.starts_with('$')) {
      return Status::InvalidArgument("unknown flow filter operator '" + member.key +
                                     "' at the top level");
    }
    FLOWKIT_ASSIGN_OR_RETURN(std::string path, MapFlowPath(member.key));
    out.Set(path, member.value);
  }
  return out;
}

StoreRecord FlowView(const FlowRecord& flow, size_t index) {
  StoreRecord view;
  view.key = std::to_string(index);
  view.value = Json::MakeObject({{"flowId", flow.flow_id},
                                 {"userId", flow.user_id},
                                 {"name", flow.name},
                                 {"stage", flow.stage},
                                 {"customFields", flow.custom_fields},
                                 {"sharedWith", flow.shared_with}});
  view.created_ms = flow.btime_ms;
  view.updated_ms = flow.mtime_ms;
  return view;
}

Status NotObject(std::string_view what) {
  return Status::InvalidArgument(std::string(what) + " must be an object");
}

}  // namespace

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool ContainsIgnoringCase(std::string_view haystack, std::string_view needle) {
  return AsciiLower(haystack).find(AsciiLower(needle)) != std::string::npos;
}

Status FlowNotFound(std::string_view flow_id) {
  return Status::NotFound(Quoted("flow", flow_id) + " not found");
}
Status FlowExists(std::string_view flow_id) {
  return Status::AlreadyExists(Quoted("flow", flow_id) + " already exists");
}
Status UserNotFound(std::string_view what) {
  return Status::NotFound("user " + std::string(what) + " not found");
}
Status UserExists(std::string_view id) {
  return Status::AlreadyExists(Quoted("user", id) + " already exists");
}
Status AccountNotFound(std::string_view account_id) {
  return Status::NotFound(Quoted("account", account_id) + " not found");
}
Status AccountExists(std::string_view account_id) {
  return Status::AlreadyExists(Quoted("account", account_id) + " already exists");
}
Status PeopleTaskNotFound(std::string_view id) {
  return Status::NotFound(Quoted("people task", id) + " not found");
}
Status PeopleTaskExists(std::string_view id) {
  return Status::AlreadyExists(Quoted("people task", id) + " already exists");
}
Status ConfigNotFound(std::string_view key) {
  return Status::NotFound(Quoted("config key", key) + " not found");
}
Status ServiceConfigNotFound(std::string_view service_id) {
  return Status::NotFound(Quoted("service config", service_id) + " not found");
}

Status ValidateStage(std::string_view stage) {
  if (stage == "stopped" || stage == "running") return Status::OK();
  return Status::InvalidArgument("flow stage '" + std::string(stage) +
                                 "' is not stopped or running");
}

Status NormalizeFlow(FlowRecord* flow) {
  if (flow->user_id.empty()) return Status::InvalidArgument("flow needs an owner (user_id)");
  if (flow->stage.empty()) flow->stage = "stopped";
  FLOWKIT_RETURN_IF_ERROR(ValidateStage(flow->stage));
  if (flow->descriptor.IsUndefined()) flow->descriptor = Json::MakeObject();
  if (flow->custom_fields.IsNullish()) flow->custom_fields = Json::MakeObject();
  if (!flow->custom_fields.IsObject()) return NotObject("flow customFields");
  if (flow->shared_with.IsNullish()) flow->shared_with = Json::MakeArray();
  if (!flow->shared_with.IsArray())
    return Status::InvalidArgument("flow sharedWith must be an array");
  for (const Json& entry : flow->shared_with.array()) {
    if (!entry.IsObject())
      return Status::InvalidArgument("flow sharedWith entries must be objects");
  }
  return Status::OK();
}

Status NormalizeUser(UserRecord* user) {
  if (user->username.empty()) return Status::InvalidArgument("user needs a username");
  if (user->email.empty()) return Status::InvalidArgument("user needs an email");
  if (user->metadata.IsNullish()) user->metadata = Json::MakeObject();
  return Status::OK();
}

Status NormalizeAccount(AccountRecord* account) {
  if (account->user_id.empty()) return Status::InvalidArgument("account needs an owner (user_id)");
  if (account->service.empty()) return Status::InvalidArgument("account needs a service");
  if (account->profile_info.IsUndefined()) account->profile_info = Json::MakeObject();
  return Status::OK();
}

Status NormalizePeopleTask(PeopleTaskRecord* task) {
  if (task->user_id.empty()) return Status::InvalidArgument("people task needs an owner (user_id)");
  if (task->approver.empty()) return Status::InvalidArgument("people task needs an approver");
  if (task->data.IsUndefined()) task->data = Json::MakeObject();
  if (task->status.empty()) task->status = "pending";
  return Status::OK();
}

Status ValidateDecision(std::string_view decision) {
  if (decision == "approved" || decision == "rejected") return Status::OK();
  return Status::InvalidArgument("people task decision '" + std::string(decision) +
                                 "' is not approved or rejected");
}

Status CheckDecision(const PeopleTaskRecord& task, const Viewer& viewer) {
  if (viewer.email.empty() || AsciiLower(viewer.email) != AsciiLower(task.approver)) {
    return Status::PermissionDenied("only the approver of " + Quoted("people task", task.id) +
                                    " may decide it");
  }
  if (task.decision != "pending") {
    return Status::FailedPrecondition(Quoted("people task", task.id) + " was already " +
                                      task.decision);
  }
  return Status::OK();
}

Status ValidateConfigKey(std::string_view key) {
  if (key.empty()) return Status::InvalidArgument("config key must not be empty");
  return Status::OK();
}

Status NormalizeServiceValues(std::string_view service_id, Json* values) {
  if (service_id.empty()) return Status::InvalidArgument("service config needs a service id");
  if (values->IsNullish()) *values = Json::MakeObject();
  if (!values->IsObject()) return NotObject(Quoted("service config", service_id) + " values");
  values->Erase("serviceId");
  return Status::OK();
}

Status CheckPaging(int64_t offset, std::string_view what) {
  if (offset < 0)
    return Status::InvalidArgument(std::string(what) + ": offset must not be negative");
  return Status::OK();
}

std::vector<std::string> SharePrincipals(const Json& shared_with) {
  std::vector<std::string> out;
  for (const Json& entry : shared_with.array()) {
    if (entry["userId"].IsString()) out.push_back("user:" + entry["userId"].AsString());
    if (entry["email"].IsString())
      out.push_back("email:" + AsciiLower(entry["email"].StringView()));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> ViewerPrincipals(const Viewer& viewer) {
  std::vector<std::string> out;
  if (!viewer.user_id.empty()) out.push_back("user:" + viewer.user_id);
  if (!viewer.email.empty()) out.push_back("email:" + AsciiLower(viewer.email));
  return out;
}

Result<FlowSelection> FlowSelection::Compile(const FlowQuery& query) {
  if (!query.all_users && query.viewer.user_id.empty()) {
    return Status::InvalidArgument("flow list: needs a viewer user id (or all_users)");
  }
  FLOWKIT_RETURN_IF_ERROR(CheckPaging(query.offset, "flow list"));
  FlowSelection selection;
  FLOWKIT_ASSIGN_OR_RETURN(Json filter, MapFlowFilter(query.filter));
  auto compiled = Query::Compile(filter);
  if (!compiled.ok()) return compiled.status().WithPrefix("flow filter");
  selection.filter_ = std::move(compiled).value();
  if (!query.sort_by.empty()) {
    auto path = MapFlowPath(query.sort_by);
    if (!path.ok()) return path.status().WithPrefix("flow sort");
    selection.sort_path_ = std::move(path).value();
  }
  FLOWKIT_ASSIGN_OR_RETURN(std::vector<std::string_view> kept, ProjectedMembers(query.projection));
  selection.keep_descriptor_ = Keeps(kept, "flow");
  selection.keep_thumbnail_ = Keeps(kept, "thumbnail");
  selection.keep_custom_fields_ = Keeps(kept, "customFields");
  selection.keep_shared_with_ = Keeps(kept, "sharedWith");
  selection.query_ = query;
  return selection;
}

Result<std::vector<FlowRecord>> FlowSelection::Apply(std::vector<FlowRecord> candidates,
                                                     bool page) const {
  std::vector<StoreRecord> views;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const FlowRecord& flow = candidates[i];
    if (!query_.all_users && flow.user_id != query_.viewer.user_id &&
        !(query_.include_shared && FlowVisibleTo(flow, query_.viewer, query_.shared_permission))) {
      continue;
    }
    if (!ContainsIgnoringCase(flow.name, query_.pattern)) continue;
    StoreRecord view = FlowView(flow, i);
    FLOWKIT_ASSIGN_OR_RETURN(bool match, filter_.Matches(view));
    if (match) views.push_back(std::move(view));
  }
  FindOptions options{.sort_by = sort_path_,
                      .descending = query_.descending,
                      .offset = page ? query_.offset : 0,
                      .limit = page ? query_.limit : -1};
  FLOWKIT_RETURN_IF_ERROR(ApplyFindOptions(options, &views));
  std::vector<FlowRecord> out;
  out.reserve(views.size());
  for (const StoreRecord& view : views) {
    FlowRecord& flow = candidates[std::stoul(view.key)];
    if (!keep_descriptor_) flow.descriptor = Json::Undefined();
    if (!keep_thumbnail_) flow.thumbnail.clear();
    if (!keep_custom_fields_) flow.custom_fields = Json::Undefined();
    if (!keep_shared_with_) flow.shared_with = Json::Undefined();
    out.push_back(std::move(flow));
  }
  return out;
}

bool PeopleTaskVisibleTo(const PeopleTaskRecord& task, const Viewer& viewer) {
  PeopleTaskQuery query;
  query.viewer = viewer;
  return PeopleTaskMatches(task, query);
}

bool PeopleTaskOverdue(const PeopleTaskRecord& task, int64_t now_ms) {
  return task.status == "pending" && task.deadline_ms != 0 && task.deadline_ms <= now_ms;
}

bool PeopleTaskMatches(const PeopleTaskRecord& task, const PeopleTaskQuery& query) {
  using Role = PeopleTaskQuery::Role;
  const std::string email = AsciiLower(query.viewer.email);
  const bool owner = !query.viewer.user_id.empty() && task.user_id == query.viewer.user_id;
  const bool approver = !email.empty() && AsciiLower(task.approver) == email;
  const bool requester = !email.empty() && AsciiLower(task.requester) == email;
  bool role = false;
  switch (query.role) {
    case Role::kAny:
      role = owner || approver || requester;
      break;
    case Role::kOwner:
      role = owner;
      break;
    case Role::kApprover:
      role = approver;
      break;
    case Role::kRequester:
      role = requester;
      break;
  }
  return role && (query.status.empty() || task.status == query.status);
}

}  // namespace store
}  // namespace flowkit
