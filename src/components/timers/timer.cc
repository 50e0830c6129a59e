// appmixer.utils.timers.Timer: sends {now} when the flow starts, then {lastTick, now, elapsed}
// every `interval` minutes. Each tick re-arms the next timer through FireOnce, which keeps a
// redelivered tick (after a crash) from emitting twice or arming two timers.
#include <cmath>
#include <string>

#include "components/timers/timers.h"
#include "flowkit/json.h"
#include "util/js.h"

namespace flowkit::components::timers {
namespace {

Result<int64_t> IntervalMs(const Context& ctx) {
  double minutes = js::ToNumber(ctx.properties().Get("interval"));
  if (std::isnan(minutes)) return Status::InvalidArgument("'interval' must be a number of minutes");
  return static_cast<int64_t>(minutes * 60 * 1000);
}

class Timer final : public Behaviour {
 public:
  Status Start(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(int64_t interval_ms, IntervalMs(ctx));
    const int64_t now = ctx.clock().NowMillis();
    // The first message goes out at once, so nobody waits a whole interval to see the flow work.
    FLOWKIT_RETURN_IF_ERROR(ctx.Send("out", Json::MakeObject({{"now", js::FormatIso(now)}})));
    Result<std::string> timeout_id =
        ctx.SetTimeout(Json::MakeObject({{"lastTick", now}}), interval_ms);
    return timeout_id.ok() ? Status::OK() : timeout_id.status();
  }

  Status Receive(Context& ctx) override {
    const Message* timeout = ctx.Input(kTimeoutPort);
    if (timeout == nullptr) return Status::OK();
    FLOWKIT_ASSIGN_OR_RETURN(int64_t interval_ms, IntervalMs(ctx));
    const int64_t now = ctx.clock().NowMillis();
    auto send = [&]() -> Status {
      const double last_tick = js::ToNumber(timeout->Content().Get("lastTick"));
      Json tick = Json::MakeObject();
      if (std::isnan(last_tick)) {
        // new Date(NaN).toISOString() throws in JavaScript; a tick without a previous time says so.
        tick.Set("lastTick", nullptr);
        tick.Set("now", js::FormatIso(now));
        tick.Set("elapsed", nullptr);
      } else {
        const int64_t last = static_cast<int64_t>(last_tick);
        tick.Set("lastTick", js::FormatIso(last));
        tick.Set("now", js::FormatIso(now));
        tick.Set("elapsed", now - last);
      }
      return ctx.Send("out", std::move(tick));
    };
    auto arm = [&]() { return ctx.SetTimeout(Json::MakeObject({{"lastTick", now}}), interval_ms); };
    return FireOnce(ctx, timeout, send, arm);
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewTimer() { return std::make_unique<Timer>(); }

}  // namespace flowkit::components::timers
