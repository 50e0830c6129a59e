// The crash-safe firing shared by the re-arming timers (timers.h).
#include <string>

#include "components/timers/timers.h"
#include "util/js.h"

namespace flowkit::components::timers {

Status FireOnce(Context& ctx, const Message* timeout, const std::function<Status()>& send,
                const std::function<Result<std::string>()>& arm) {
  FLOWKIT_ASSIGN_OR_RETURN(auto lock, ctx.Lock(ctx.component_id()));
  std::string phase;
  if (timeout != nullptr) {
    FLOWKIT_ASSIGN_OR_RETURN(Json state, ctx.state().Load());
    // Once a follow-up timer is recorded, only that one may fire: an older timer redelivered
    // after a crash (armed again before its id was saved) is a duplicate.
    const Json& current_id = state.Get("timeoutId");
    if (js::Truthy(current_id) && current_id.StringView() != timeout->timeout_id) return Status::OK();
    if (state.Get("state").IsString()) phase = state.Get("state").AsString();
  }
  // Fall-through phases: a firing interrupted after sending resumes at arming the next timer.
  if (phase.empty() || phase == "timeoutSet") {
    FLOWKIT_RETURN_IF_ERROR(ctx.state().Set("state", "sendingJson"));
    phase = "sendingJson";
  }
  if (phase == "sendingJson") {
    FLOWKIT_RETURN_IF_ERROR(send());
    FLOWKIT_RETURN_IF_ERROR(ctx.state().Set("state", "JsonSent"));
  }
  FLOWKIT_ASSIGN_OR_RETURN(std::string next_id, arm());
  if (next_id.empty()) return Status::OK();
  return ctx.state().Save(Json::MakeObject({{"state", "timeoutSet"}, {"timeoutId", next_id}}));
}

Result<TimeZone> ZoneProperty(const Json& timezone, std::string_view fallback) {
  const std::string name = js::Truthy(timezone) ? js::ToString(timezone) : std::string(fallback);
  Result<TimeZone> zone = TimeZone::Find(name);
  if (!zone.ok()) return Status::Cancelled("Invalid timezone");
  return zone;
}

}  // namespace flowkit::components::timers
