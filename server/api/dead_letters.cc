// Dead letters (Appmixer's unprocessed messages): list, inspect, retry, delete — each user sees
// only the letters of its own flows.
#include "api/routes.h"

namespace flowkit::server {
namespace {

Json LetterJson(const DeadLetter& letter) {
  Json out = letter.record.IsObject() ? letter.record : Json::MakeObject();
  out.Set("messageId", Json(letter.id));
  out.Set("flowId", Json(letter.flow_id));
  out.Set("userId", Json(letter.user_id));
  out.Set("componentId", Json(letter.component_id));
  out.Set("componentType", Json(letter.component_type));
  out.Set("attempts", Json(static_cast<int64_t>(letter.attempts)));
  if (!out.Contains("err")) out.Set("err", Json(letter.error.ToString()));
  return out;
}

// The caller's letter, or kNotFound (also for another user's letter).
Result<DeadLetter> LetterFor(Services& services, const Caller& caller, std::string_view id) {
  for (DeadLetter& letter : services.engine->DeadLetters()) {
    if (letter.id == id && (letter.user_id == caller.user_id)) return std::move(letter);
  }
  return Status::NotFound("unprocessed message '" + std::string(id) + "' not found");
}

}  // namespace

Status AddDeadLetterRoutes(Router& router, Services& services) {
  Services* s = &services;
  std::vector<Route> routes = {
      Route{.method = "GET", .pattern = "/unprocessed-messages", .access = Access::kUser,
            .summary = "The caller's dead letters (?flowId=) [{messageId, flowId, componentId, messages, created, err}]",
            .tag = "unprocessed-messages",
            .handler = [s](Call& c) {
              std::string flow = c.Query("flowId");
              Json out = Json::MakeArray();
              for (const DeadLetter& letter : s->engine->DeadLetters(flow)) {
                if (letter.user_id == c.user().user_id) out.Push(LetterJson(letter));
              }
              c.Reply(200, out);
            },
            .query_params = {"flowId"}},
      Route{.method = "GET", .pattern = "/unprocessed-messages/:id", .access = Access::kUser,
            .summary = "One dead letter", .tag = "unprocessed-messages",
            .handler = [s](Call& c) {
              Result<DeadLetter> letter = LetterFor(*s, c.user(), c.Param("id"));
              if (!letter.ok()) return c.Fail(letter.status());
              c.Reply(200, LetterJson(*letter));
            }},
      Route{.method = "DELETE", .pattern = "/unprocessed-messages/:id", .access = Access::kUser,
            .summary = "Delete a dead letter → {}", .tag = "unprocessed-messages",
            .handler = [s](Call& c) {
              Result<DeadLetter> letter = LetterFor(*s, c.user(), c.Param("id"));
              if (!letter.ok()) return c.Fail(letter.status());
              if (Status st = s->engine->DeleteDeadLetter(letter->id); !st.ok()) return c.Fail(st);
              c.Reply(200, Json::MakeObject());
            }},
      Route{.method = "POST", .pattern = "/unprocessed-messages/:id", .access = Access::kUser,
            .summary = "Retry a dead letter: put it back into its (running) flow → {}", .tag = "unprocessed-messages",
            .handler = [s](Call& c) {
              Result<DeadLetter> letter = LetterFor(*s, c.user(), c.Param("id"));
              if (!letter.ok()) return c.Fail(letter.status());
              Status st = s->engine->RetryDeadLetter(letter->id);
              if (!st.ok()) {
                if (st.code() == StatusCode::kNotFound) {
                  return c.Fail(Status::FailedPrecondition("flow '" + letter->flow_id +
                                                           "' is not running: start it before retrying"));
                }
                return c.Fail(st);
              }
              c.Reply(200, Json::MakeObject());
            }},
  };
  return router.AddAll(std::move(routes));
}

}  // namespace flowkit::server
