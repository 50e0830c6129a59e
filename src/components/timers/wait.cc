// appmixer.utils.timers.Wait: holds each message for `interval` ("<n><unit>", units m h d w M y)
// or until the date `until`, then sends the message's content on. The content itself is the
// timer's payload, so a wait survives restarts and keeps the message's run (scope, correlation).
#include <optional>
#include <string>

#include "components/timers/timers.h"
#include "flowkit/json.h"
#include "util/js.h"

namespace flowkit::components::timers {
namespace {

class Wait final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    if (const Message* timeout = ctx.Input(kTimeoutPort))
      return ctx.Send("out", timeout->Content());
    const Message* in = ctx.Input("in");
    if (in == nullptr) return Status::OK();

    const Json& content = in->Content();
    const int64_t now = ctx.clock().NowMillis();
    int64_t expiry = now;
    const Json& interval = content.Get("interval");
    if (js::Truthy(interval)) {
      const std::string text = js::ToString(interval);
      std::string_view trimmed = js::Trim(text);
      if (!trimmed.empty()) {
        std::string_view unit = trimmed.substr(trimmed.size() - 1);
        double amount = js::ParseFloatString(trimmed.substr(0, trimmed.size() - 1));
        // moment adds nothing for an unknown unit or a NaN amount: the message goes on at once.
        if (std::optional<int64_t> later = js::MomentAdd(now, amount, unit)) expiry = *later;
      }
    } else {
      std::optional<int64_t> until = js::MomentMillis(content.Get("until"), now);
      if (!until) {
        return Status::InvalidArgument("'until' is not a date: " +
                                       js::ToString(content.Get("until")));
      }
      expiry = *until;
    }
    Result<std::string> timeout_id = ctx.SetTimeout(content, expiry - now);
    return timeout_id.ok() ? Status::OK() : timeout_id.status();
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewWait() { return std::make_unique<Wait>(); }

}  // namespace flowkit::components::timers
