// appmixer.utils.timers.*: components that schedule their work with Context::SetTimeout
// (appmixer-utils.md §2.4), so pending work survives restarts as durable timers.
//
// Threading: behaviours keep no per-call data in members; all state goes through Context.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "components/timers/cron.h"
#include "flowkit/component.h"
#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit::components::timers {

std::unique_ptr<Behaviour> NewWait();
std::unique_ptr<Behaviour> NewTimer();
std::unique_ptr<Behaviour> NewScheduler();
std::unique_ptr<Behaviour> NewSchedulerTrigger();

// One firing of a self-re-arming timer (Timer, Scheduler, SchedulerTrigger), made safe against
// redelivery after a crash as Appmixer's components do it. Under the component's lock: a
// timeout that is not the one recorded in state (`timeoutId`) is a duplicate and is ignored;
// otherwise the phase in state ('sendingJson', 'JsonSent', 'timeoutSet') lets an interrupted
// firing resume without sending twice: `send` runs unless the output is recorded as sent, then
// `arm` sets the follow-up timer and returns its id (empty: no follow-up), which is recorded.
// `timeout` is null for the first firing, from Start, which begins afresh.
Status FireOnce(Context& ctx, const Message* timeout, const std::function<Status()>& send,
                const std::function<Result<std::string>()>& arm);

// The zone a `timezone` property names; `fallback` when the property is empty or missing
// ("" = UTC). kCancelled "Invalid timezone" for a name the tz database does not know.
Result<TimeZone> ZoneProperty(const Json& timezone, std::string_view fallback = {});

}  // namespace flowkit::components::timers
