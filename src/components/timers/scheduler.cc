// appmixer.utils.timers.Scheduler ("Cron Scheduler"): fires on a cron schedule built from the
// properties minute, hour, dayMonth and dayWeek (the month field is always `*`), in the zone
// `timezone` (default UTC). Each firing sends {previousDate, now, nextDate} and arms a timer
// for the next one; the first firing, at flow start, sends only when `immediate` is set.
#include <optional>
#include <string>

#include "components/timers/cron.h"
#include "components/timers/timers.h"
#include "flowkit/json.h"
#include "util/js.h"

namespace flowkit::components::timers {
namespace {

// String(value) as the JavaScript template `${minute} ...` builds the expression; a missing
// field is empty, which the parser reports by name.
std::string FieldText(const Json& value) { return value.IsNullish() ? std::string() : js::ToString(value); }

class Scheduler final : public Behaviour {
 public:
  Status Start(Context& ctx) override { return Fire(ctx, nullptr); }

  Status Receive(Context& ctx) override {
    const Message* timeout = ctx.Input(kTimeoutPort);
    if (timeout == nullptr) return Status::OK();
    return Fire(ctx, timeout);
  }

 private:
  static Status Fire(Context& ctx, const Message* timeout) {
    const Json& props = ctx.properties();
    FLOWKIT_ASSIGN_OR_RETURN(TimeZone zone, ZoneProperty(props.Get("timezone")));
    FLOWKIT_ASSIGN_OR_RETURN(
        CronSchedule cron,
        CronSchedule::FromFields(FieldText(props.Get("minute")), FieldText(props.Get("hour")),
                                 FieldText(props.Get("dayMonth")), "*", FieldText(props.Get("dayWeek"))));
    const int64_t now = ctx.clock().NowMillis();
    const std::optional<int64_t> next = cron.Next(now, zone);
    if (!next) return Status::Cancelled("Next scheduled date doesn't exist");

    // The previous firing's time, carried by its timer (null on the first firing).
    Json previous(nullptr);
    if (timeout != nullptr) {
      if (std::optional<int64_t> ms = js::ParseDate(timeout->Content().Get("previousDate"))) {
        previous = js::FormatIso(*ms);
      }
    }
    const bool send_now = timeout != nullptr || js::Truthy(props.Get("immediate"));
    auto send = [&]() -> Status {
      if (!send_now) return Status::OK();
      return ctx.Send("out", Json::MakeObject({{"previousDate", previous},
                                               {"now", js::FormatIso(now)},
                                               {"nextDate", js::FormatIso(*next)}}));
    };
    auto arm = [&]() {
      return ctx.SetTimeout(Json::MakeObject({{"previousDate", js::FormatIso(now)}, {"firstTime", false}}),
                            *next - now);
    };
    return FireOnce(ctx, timeout, send, arm);
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewScheduler() { return std::make_unique<Scheduler>(); }

}  // namespace flowkit::components::timers
