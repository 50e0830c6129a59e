// People tasks (Appmixer /people-task/*): approval tasks with a requester and an approver.
// Signed-in users see the tasks they own, approve or requested. Links sent by e-mail work
// without signing in: creating a task returns an approverSecret (read + decide) and a
// requesterSecret (read), passed back as ?secret=. Secrets are HMACs under the server's token
// key over the task and its owner, so nothing secret is stored and a secret opens one task only.
// Task webhooks (registered per user) receive the task when its owner's task is decided or falls
// due; a task created by a flow's RequestApproval also goes back to that component
// (app/people_task_hub.h).
#include <algorithm>
#include <memory>
#include <mutex>

#include "api/routes.h"
#include "app/people_task_hub.h"

namespace flowkit::server {
namespace {

constexpr size_t kMaxWebhooksPerUser = 20;

// What a ?secret= grants on task `id`: nothing, reading (requester) or deciding (approver).
enum class Grant { kNone, kRead, kDecide };

struct SecretAccess {
  Grant grant = Grant::kNone;
  std::string owner_id;
};

SecretAccess CheckSecret(const Services& s, std::string_view id, std::string_view secret) {
  size_t dot = secret.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  PeopleTaskRecord probe;
  probe.id = std::string(id);
  probe.user_id = std::string(secret.substr(0, dot));
  if (ConstantTimeEquals(secret, PeopleTaskSecret(s, kApproverPurpose, probe))) return {Grant::kDecide, probe.user_id};
  if (ConstantTimeEquals(secret, PeopleTaskSecret(s, kRequesterPurpose, probe))) return {Grant::kRead, probe.user_id};
  return {};
}

// The task for a signed-in viewer or a valid secret; kUnauthenticated when there is neither.
Result<PeopleTaskRecord> TaskFor(Services& s, Call& c, Grant* grant) {
  std::string id = c.Param("id");
  if (c.caller() != nullptr) {
    *grant = Grant::kRead;
    return s.catalog->people_tasks().Get(c.caller()->viewer(), id);
  }
  std::string secret = c.Query("secret");
  if (secret.empty()) return Status::Unauthenticated("sign in or pass the task's ?secret=");
  SecretAccess access = CheckSecret(s, id, secret);
  if (access.grant == Grant::kNone) return Status::Unauthenticated("the secret does not open this task");
  *grant = access.grant;
  return s.catalog->people_tasks().Get(Viewer{access.owner_id, ""}, id);
}

Json TaskJson(const PeopleTaskRecord& task, const Services& s, bool with_secrets) {
  Json out = task.ToJson();
  if (with_secrets) {
    out.Set("approverSecret", Json(PeopleTaskSecret(s, kApproverPurpose, task)));
    out.Set("requesterSecret", Json(PeopleTaskSecret(s, kRequesterPurpose, task)));
  }
  return out;
}

// The list query of GET /people-task/tasks and /tasks-count.
struct ListParams {
  PeopleTaskQuery query;
  std::string pattern;     // case-insensitive substring of title or description
  std::string sort_field;  // a field of the task JSON; empty = creation order
  bool descending = false;
  std::vector<std::string> projection;  // fields to keep; "-field" to drop
};

Result<ListParams> ParseListParams(const Call& c) {
  ListParams p;
  p.query.viewer = c.user().viewer();
  std::string role = c.Query("role");
  if (role == "approver") p.query.role = PeopleTaskQuery::Role::kApprover;
  else if (role == "requester") p.query.role = PeopleTaskQuery::Role::kRequester;
  else if (role == "owner") p.query.role = PeopleTaskQuery::Role::kOwner;
  else if (!role.empty()) return Status::InvalidArgument("'role' must be approver, requester or owner");
  std::string filter = c.Query("filter");
  p.query.status = c.Query("status");
  if (!filter.empty()) {
    size_t colon = filter.find(':');
    if (colon == std::string::npos || filter.substr(0, colon) != "status") {
      return Status::InvalidArgument("'filter' must be status:<pending|approved|rejected|due>");
    }
    p.query.status = filter.substr(colon + 1);
  }
  if (!p.query.status.empty() && p.query.status != "pending" && p.query.status != "approved" &&
      p.query.status != "rejected" && p.query.status != "due") {
    return Status::InvalidArgument("status '" + p.query.status + "' is not pending, approved, rejected or due");
  }
  p.pattern = c.Query("pattern");
  std::string sort = c.Query("sort");
  if (!sort.empty()) {
    if (sort[0] == '-') {
      p.descending = true;
      sort.erase(0, 1);
    }
    size_t colon = sort.find(':');
    if (colon != std::string::npos) {
      std::string dir = sort.substr(colon + 1);
      if (dir != "1" && dir != "-1") return Status::InvalidArgument("'sort' must be field:1 or field:-1");
      p.descending = dir == "-1";
      sort.resize(colon);
    }
    static const char* kSortable[] = {"created", "mtime", "title", "status", "decisionBy", "approver", "requester"};
    if (std::find_if(std::begin(kSortable), std::end(kSortable), [&](const char* f) { return sort == f; }) ==
        std::end(kSortable)) {
      return Status::InvalidArgument("cannot sort by '" + sort + "'");
    }
    p.sort_field = sort;
  }
  std::string projection = c.Query("projection");
  size_t start = 0;
  while (start < projection.size()) {
    size_t comma = projection.find(',', start);
    if (comma == std::string::npos) comma = projection.size();
    std::string field = projection.substr(start, comma - start);
    if (!field.empty()) p.projection.push_back(field);
    start = comma + 1;
  }
  FLOWKIT_ASSIGN_OR_RETURN(p.query.offset, c.IntQuery("offset", 0, 0, INT64_MAX));
  FLOWKIT_ASSIGN_OR_RETURN(p.query.limit, c.IntQuery("limit", -1, -1, 10000));
  return p;
}

bool ContainsFolded(std::string_view haystack, std::string_view needle) {
  auto lower = [](char ch) { return static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch); };
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [&](char a, char b) { return lower(a) == lower(b); }) != haystack.end();
}

// The matching tasks as JSON, paged; the catalog pages itself when no pattern or sort applies.
Result<std::vector<Json>> ListTasks(Services& s, const ListParams& p) {
  bool in_memory = !p.pattern.empty() || !p.sort_field.empty();
  PeopleTaskQuery query = p.query;
  if (in_memory) {
    query.offset = 0;
    query.limit = -1;
  }
  FLOWKIT_ASSIGN_OR_RETURN(std::vector<PeopleTaskRecord> tasks, s.catalog->people_tasks().List(query));
  std::vector<Json> out;
  for (const PeopleTaskRecord& task : tasks) {
    if (!p.pattern.empty() && !ContainsFolded(task.title, p.pattern) && !ContainsFolded(task.description, p.pattern)) {
      continue;
    }
    out.push_back(task.ToJson());
  }
  if (!p.sort_field.empty()) {
    std::stable_sort(out.begin(), out.end(), [&](const Json& a, const Json& b) {
      std::string x = a.Get(p.sort_field).AsString();
      std::string y = b.Get(p.sort_field).AsString();
      return p.descending ? y < x : x < y;
    });
  }
  if (in_memory) {
    size_t from = std::min(out.size(), static_cast<size_t>(p.query.offset));
    size_t to = p.query.limit < 0 ? out.size() : std::min(out.size(), from + static_cast<size_t>(p.query.limit));
    out = std::vector<Json>(out.begin() + static_cast<std::ptrdiff_t>(from), out.begin() + static_cast<std::ptrdiff_t>(to));
  }
  return out;
}

Json Project(const Json& task, const std::vector<std::string>& projection) {
  if (projection.empty()) return task;
  bool excluding = projection.front()[0] == '-';
  Json out = excluding ? task : Json::MakeObject();
  for (const std::string& field : projection) {
    if (excluding && field[0] == '-') {
      out.Erase(field.substr(1));
    } else if (!excluding && field[0] != '-' && task.Contains(field)) {
      out.Set(field, task.Get(field));
    }
  }
  if (!excluding) out.Set("id", task.Get("id"));  // like MongoDB projections, the id stays
  return out;
}

// The user's registered task webhooks: config key → {webhookId: url}.
struct TaskWebhooks {
  Services& s;
  std::mutex mu;  // read-modify-write of one config value

  explicit TaskWebhooks(Services& services) : s(services) {}
  static std::string Key(std::string_view user_id) { return PeopleTaskHub::WebhooksKey(user_id); }
  Json Load(std::string_view user_id) {
    Result<Json> value = s.catalog->config().Get(Key(user_id));
    return value.ok() && value->IsObject() ? *value : Json::MakeObject();
  }
};

Json WebhookList(const Json& hooks) {
  Json out = Json::MakeArray();
  for (const JsonMember& m : hooks.object()) out.Push(Json::MakeObject({{"id", Json(m.key)}, {"url", m.value}}));
  return out;
}

void Decide(Services& s, Call& c, std::string_view decision) {
  Grant grant = Grant::kNone;
  Result<PeopleTaskRecord> task = TaskFor(s, c, &grant);
  if (!task.ok()) return c.Fail(task.status());
  Viewer approver = c.caller() != nullptr ? c.caller()->viewer() : Viewer{"", ""};
  if (c.caller() == nullptr) {
    if (grant != Grant::kDecide) return c.Fail(Status::PermissionDenied("only the approver's secret may decide the task"));
    approver.email = task->approver;
  }
  Result<PeopleTaskRecord> decided = s.catalog->people_tasks().Decide(approver, task->id, decision);
  if (!decided.ok()) return c.Fail(decided.status());
  // The creating component (if any) and the owner's task webhooks hear of it.
  s.people_tasks->Changed(*decided);
  c.Reply(200, decided->ToJson());
}

}  // namespace

Status ForgetPeopleTasksOf(Services& services, std::string_view user_id) {
  PeopleTaskQuery query;
  query.viewer = Viewer{std::string(user_id), ""};
  query.role = PeopleTaskQuery::Role::kOwner;
  FLOWKIT_ASSIGN_OR_RETURN(std::vector<PeopleTaskRecord> tasks, services.catalog->people_tasks().List(query));
  for (const PeopleTaskRecord& task : tasks) {
    FLOWKIT_RETURN_IF_ERROR(services.catalog->people_tasks().Delete(user_id, task.id));
    FLOWKIT_RETURN_IF_ERROR(services.people_tasks->Forget(task.id));
  }
  Status st = services.catalog->config().Delete(TaskWebhooks::Key(user_id));
  return st.code() == StatusCode::kNotFound ? Status::OK() : st;
}

Status AddPeopleTaskRoutes(Router& router, Services& services) {
  Services* s = &services;
  auto hooks = std::make_shared<TaskWebhooks>(services);
  std::vector<Route> routes = {
      Route{.method = "GET", .pattern = "/people-task/tasks", .access = Access::kUser,
            .summary = "Tasks the caller owns, approves or requested [task]", .tag = "people-task",
            .handler = [s](Call& c) {
              Result<ListParams> p = ParseListParams(c);
              if (!p.ok()) return c.Fail(p.status());
              Result<std::vector<Json>> tasks = ListTasks(*s, *p);
              if (!tasks.ok()) return c.Fail(tasks.status());
              Json out = Json::MakeArray();
              for (const Json& task : *tasks) out.Push(Project(task, p->projection));
              c.Reply(200, out);
            },
            .query_params = {"role", "filter", "status", "pattern", "sort", "projection", "offset", "limit"}},
      Route{.method = "GET", .pattern = "/people-task/tasks-count", .access = Access::kUser,
            .summary = "How many tasks the list would return {count}", .tag = "people-task",
            .handler = [s](Call& c) {
              Result<ListParams> p = ParseListParams(c);
              if (!p.ok()) return c.Fail(p.status());
              p->query.offset = 0;
              p->query.limit = -1;
              if (p->pattern.empty()) {
                Result<int64_t> count = s->catalog->people_tasks().Count(p->query);
                if (!count.ok()) return c.Fail(count.status());
                return c.Reply(200, Json::MakeObject({{"count", Json(*count)}}));
              }
              Result<std::vector<Json>> tasks = ListTasks(*s, *p);
              if (!tasks.ok()) return c.Fail(tasks.status());
              c.Reply(200, Json::MakeObject({{"count", Json(static_cast<int64_t>(tasks->size()))}}));
            },
            .query_params = {"role", "filter", "status", "pattern"}},
      Route{.method = "POST", .pattern = "/people-task/tasks", .access = Access::kUser,
            .summary = "Create a task {title, description, requester, approver, decisionBy, data} → task with "
                       "approverSecret and requesterSecret",
            .tag = "people-task",
            .handler = [s](Call& c) {
              Result<Json> body = c.JsonBody();
              if (!body.ok()) return c.Fail(body.status());
              PeopleTaskRecord task;
              task.user_id = c.user().user_id;
              task.requester = c.user().email;
              if (Status st = ApplyPeopleTaskFields(*body, true, &task); !st.ok()) return c.Fail(st);
              Result<PeopleTaskRecord> created = s->catalog->people_tasks().Create(std::move(task));
              if (!created.ok()) return c.Fail(created.status());
              c.Reply(200, TaskJson(*created, *s, true));
            },
            .json_body = true},
      Route{.method = "GET", .pattern = "/people-task/tasks/:id", .access = Access::kUserOrSecret,
            .summary = "One task (signed in, or ?secret= from the task's creation)", .tag = "people-task",
            .handler = [s](Call& c) {
              Grant grant = Grant::kNone;
              Result<PeopleTaskRecord> task = TaskFor(*s, c, &grant);
              if (!task.ok()) return c.Fail(task.status());
              c.Reply(200, task->ToJson());
            },
            .query_params = {"secret"}},
      Route{.method = "PUT", .pattern = "/people-task/tasks/:id", .access = Access::kUser,
            .summary = "Update the caller's task {title, description, requester, approver, decisionBy, data}",
            .tag = "people-task",
            .handler = [s](Call& c) {
              Result<Json> body = c.JsonBody();
              if (!body.ok()) return c.Fail(body.status());
              Result<PeopleTaskRecord> task = s->catalog->people_tasks().Get(c.user().viewer(), c.Param("id"));
              if (!task.ok()) return c.Fail(task.status());
              if (task->user_id != c.user().user_id) {
                return c.Fail(Status::PermissionDenied("only the task's owner may change it"));
              }
              if (Status st = ApplyPeopleTaskFields(*body, false, &*task); !st.ok()) return c.Fail(st);
              Result<PeopleTaskRecord> updated = s->catalog->people_tasks().Update(std::move(*task));
              if (!updated.ok()) return c.Fail(updated.status());
              c.Reply(200, updated->ToJson());
            },
            .json_body = true},
      Route{.method = "DELETE", .pattern = "/people-task/tasks/:id", .access = Access::kUser,
            .summary = "Delete the caller's task → {}", .tag = "people-task",
            .handler = [s](Call& c) {
              if (Status st = s->catalog->people_tasks().Delete(c.user().user_id, c.Param("id")); !st.ok()) {
                return c.Fail(st);
              }
              if (Status st = s->people_tasks->Forget(c.Param("id")); !st.ok()) return c.Fail(st);
              c.Reply(200, Json::MakeObject());
            }},
      Route{.method = "PUT", .pattern = "/people-task/tasks/:id/approve", .access = Access::kUserOrSecret,
            .summary = "The approver (signed in, or ?secret= = approverSecret) approves; the creating flow and task webhooks hear of it",
            .tag = "people-task",
            .handler = [s](Call& c) { Decide(*s, c, "approved"); },
            .query_params = {"secret"}},
      Route{.method = "PUT", .pattern = "/people-task/tasks/:id/reject", .access = Access::kUserOrSecret,
            .summary = "The approver (signed in, or ?secret= = approverSecret) rejects; the creating flow and task webhooks hear of it",
            .tag = "people-task",
            .handler = [s](Call& c) { Decide(*s, c, "rejected"); },
            .query_params = {"secret"}},
      Route{.method = "GET", .pattern = "/people-task/webhooks", .access = Access::kUser,
            .summary = "The caller's task webhooks [{id, url}]", .tag = "people-task",
            .handler = [hooks](Call& c) { c.Reply(200, WebhookList(hooks->Load(c.user().user_id))); }},
      Route{.method = "POST", .pattern = "/people-task/webhooks", .access = Access::kUser,
            .summary = "Register {url}: POSTed the task when one of the caller's tasks is decided or falls due → {id, url}",
            .tag = "people-task",
            .handler = [hooks](Call& c) {
              Result<Json> body = c.JsonBody();
              if (!body.ok()) return c.Fail(body.status());
              std::string url = body->Get("url").AsString();
              if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
                return c.Fail(Status::InvalidArgument("'url' must be an http(s) URL"));
              }
              if (url.size() > 2048) return c.Fail(Status::InvalidArgument("'url' is longer than 2048 bytes"));
              std::lock_guard<std::mutex> lock(hooks->mu);
              Json all = hooks->Load(c.user().user_id);
              if (all.size() >= kMaxWebhooksPerUser) {
                return c.Fail(Status::FailedPrecondition("at most 20 task webhooks per user"));
              }
              std::string id = RandomToken(12);
              all.Set(id, Json(url));
              if (Status st = hooks->s.catalog->config().Set(TaskWebhooks::Key(c.user().user_id), all); !st.ok()) {
                return c.Fail(st);
              }
              c.Reply(200, Json::MakeObject({{"id", Json(id)}, {"url", Json(url)}}));
            },
            .json_body = true},
      Route{.method = "DELETE", .pattern = "/people-task/webhooks/:id", .access = Access::kUser,
            .summary = "Remove one of the caller's task webhooks → {}", .tag = "people-task",
            .handler = [hooks](Call& c) {
              std::lock_guard<std::mutex> lock(hooks->mu);
              Json all = hooks->Load(c.user().user_id);
              if (!all.Contains(c.Param("id"))) {
                return c.Fail(Status::NotFound("task webhook '" + c.Param("id") + "' not found"));
              }
              all.Erase(c.Param("id"));
              if (Status st = hooks->s.catalog->config().Set(TaskWebhooks::Key(c.user().user_id), all); !st.ok()) {
                return c.Fail(st);
              }
              c.Reply(200, Json::MakeObject());
            }},
  };
  return router.AddAll(std::move(routes));
}

}  // namespace flowkit::server
