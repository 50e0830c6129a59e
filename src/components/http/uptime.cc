// appmixer.utils.http.Uptime (appmixer-utils.md §2.3): each tick GETs the target; a transport
// error or a 5xx means down, any other answer up. Only changes are sent: `down` when the target
// goes down, `up` (with how long it was down) when it comes back.
#include <cctype>
#include <cmath>
#include <string>

#include "components/http/http.h"
#include "util/js.h"

namespace flowkit::components::http {
namespace {

// moment.duration(ms).humanize(): the words moment uses, with its rounding and thresholds.
std::string Humanize(int64_t ms) {
  double abs_ms = std::fabs(static_cast<double>(ms));
  double seconds = std::round(abs_ms / 1000);
  double minutes = std::round(abs_ms / 60000);
  double hours = std::round(abs_ms / 3600000);
  double days = std::round(abs_ms / 86400000);
  double months = std::round(abs_ms / 86400000 * 4800 / 146097);
  double years = std::round(abs_ms / 86400000 * 400 / 146097);
  auto n = [](double v, const char* unit) { return std::to_string(static_cast<int64_t>(v)) + " " + unit; };
  if (seconds <= 44) return "a few seconds";
  if (minutes <= 1) return "a minute";
  if (minutes < 45) return n(minutes, "minutes");
  if (hours <= 1) return "an hour";
  if (hours < 22) return n(hours, "hours");
  if (days <= 1) return "a day";
  if (days < 26) return n(days, "days");
  if (months <= 1) return "a month";
  if (months < 11) return n(months, "months");
  if (years <= 1) return "a year";
  return n(years, "years");
}

class UptimeBehaviour final : public Behaviour {
 public:
  Status Tick(Context& ctx) override {
    std::string target = js::ToString(ctx.properties().Get("target"));
    size_t colon = target.find(':');
    std::string protocol = colon == std::string::npos ? "" : target.substr(0, colon + 1);
    for (char& c : protocol) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (protocol != "http:" && protocol != "https:") {
      return Status::InvalidArgument("Unknown protocol " + (protocol.empty() ? target : protocol));
    }
    HttpRequest request;
    request.url = target;
    // Node's http.get: a redirect is an answer, so the target is up.
    request.follow_redirects = false;
    Result<HttpResponse> response = ctx.http().Perform(std::move(request));
    const bool up = response.ok() && response->status < 500;
    const int64_t now = ctx.clock().NowMillis();

    FLOWKIT_ASSIGN_OR_RETURN(Json previous, ctx.state().Get("monitor"));
    const bool had_previous = previous.IsObject();
    const std::string previous_status = had_previous ? js::ToString(previous.Get("status")) : "";
    // The time the target entered its current status: kept while the status holds, so `up`
    // reports the whole outage.
    int64_t since = now;
    if (up && had_previous && previous_status == "down") {
      int64_t down_ms = now - previous.Get("t").AsInt(now);
      FLOWKIT_RETURN_IF_ERROR(ctx.Send("up", Json::MakeObject({{"target", Json(target)},
                                                               {"statusCode", Json(response->status)},
                                                               {"downTimeMs", Json(down_ms)},
                                                               {"downTimeText", Json(Humanize(down_ms))}})));
    } else if (up && !had_previous) {
      // Never seen down: no outage to measure (JavaScript's NaN, sent as null).
      FLOWKIT_RETURN_IF_ERROR(ctx.Send("up", Json::MakeObject({{"target", Json(target)},
                                                               {"statusCode", Json(response->status)},
                                                               {"downTimeMs", Json(nullptr)},
                                                               {"downTimeText", Json(nullptr)}})));
    } else if (!up && (!had_previous || previous_status == "up")) {
      Json out = Json::MakeObject({{"target", Json(target)}});
      out.Set("statusCode", response.ok() ? Json(response->status) : Json(nullptr));
      FLOWKIT_RETURN_IF_ERROR(ctx.Send("down", std::move(out)));
    } else {
      since = previous.Get("t").AsInt(now);
    }
    if (!response.ok()) {
      ctx.Log(Json::MakeObject({{"target", Json(target)}, {"error", Json(response.status().message())}}),
              LogLevel::kWarning);
    }
    return ctx.state().Set("monitor", Json::MakeObject({{"status", Json(up ? "up" : "down")}, {"t", Json(since)}}));
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewUptime() { return std::make_unique<UptimeBehaviour>(); }

}  // namespace flowkit::components::http
