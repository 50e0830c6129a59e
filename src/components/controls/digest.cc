// appmixer.utils.controls.Digest: collects the `entry` of every message and sends the
// collection on when `threshold` entries are in, on a cron schedule (minute, hour, dayMonth,
// dayWeek in `timezone`; with a threshold too, a scheduled drain waits until it is reached), or
// whenever a request reaches its webhook. `outputType` shapes the output: `array` (default)
// one {entries, count}; `object` one {entry, index, count} per entry; `first` only the first;
// `file` a CSV file, sent as {fileId, count}.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "components/controls/controls.h"
#include "components/timers/cron.h"
#include "components/timers/timers.h"
#include "flowkit/json.h"
#include "util/js.h"

namespace flowkit::components::controls {
namespace {

bool HasSchedule(const Json& props) {
  for (std::string_view key : {"minute", "hour", "dayMonth", "dayWeek"}) {
    if (js::Truthy(props.Get(key))) return true;
  }
  return false;
}

// Object.keys(value) as JavaScript gives it: member names, array indexes, string indexes.
std::vector<std::string> ObjectKeys(const Json& value) {
  std::vector<std::string> keys;
  if (value.IsObject()) {
    for (const auto& [key, member] : value.object()) keys.push_back(key);
  } else if (value.IsArray()) {
    for (size_t i = 0; i < value.size(); ++i) keys.push_back(std::to_string(i));
  } else if (value.IsString()) {
    // JavaScript indexes UTF-16 units; ASCII text, the CSV case that matters, is the same.
    for (size_t i = 0; i < value.StringView().size(); ++i) keys.push_back(std::to_string(i));
  }
  return keys;
}

// entry[key] for the keys ObjectKeys gives.
Json Member(const Json& entry, const std::string& key) {
  if (entry.IsObject()) return entry.Get(key);
  const size_t index = std::stoul(key);
  if (entry.IsArray()) return entry.At(index);
  if (entry.IsString()) return std::string(1, entry.StringView()[index]);
  return Json::Undefined();
}

// The CSV Appmixer's Digest writes: the first entry's keys as header, each value as
// "<String(value)>" (quotes inside are not escaped), lines joined by "\n".
std::string ToCsv(const std::vector<Json>& entries) {
  const std::vector<std::string> headers = ObjectKeys(entries.front());
  std::string csv;
  for (size_t i = 0; i < headers.size(); ++i) csv += (i ? "," : "") + headers[i];
  for (const Json& entry : entries) {
    csv += '\n';
    for (size_t i = 0; i < headers.size(); ++i) {
      if (i) csv += ',';
      const Json value = entry.IsNullish() ? Json::Undefined() : Member(entry, headers[i]);
      csv += '"' + js::ToString(value) + '"';
    }
  }
  return csv;
}

class Digest final : public Behaviour {
 public:
  Status Start(Context& ctx) override {
    if (!HasSchedule(ctx.properties())) return Status::OK();
    return ScheduleDrain(ctx);
  }

  Status Receive(Context& ctx) override {
    const Json& props = ctx.properties();
    // Design time: what the inspector asks for.
    if (js::Truthy(props.Get("getWebhookUrl"))) {
      return ctx.Send("out", Json::MakeObject({{"inputs", Json::MakeObject({{"webhookUrl",
                                                 Json::MakeObject({{"defaultValue", ctx.WebhookUrl()}})}})}}));
    }
    const std::string output_type = js::Truthy(props.Get("outputType")) ? js::ToString(props.Get("outputType")) : "array";
    if (js::Truthy(props.Get("generateOutputPortOptions"))) return SendPortOptions(ctx, output_type);

    const LockOptions lock_options{.ttl_ms = 60000, .retry_delay_ms = 300, .max_retries = 100};
    FLOWKIT_ASSIGN_OR_RETURN(auto lock, ctx.Lock(ctx.component_id(), lock_options));
    const double threshold = js::ToNumber(props.Get("threshold"));
    const bool has_threshold = js::Truthy(props.Get("threshold")) && !std::isnan(threshold);

    if (ctx.Input(kWebhookPort) != nullptr) {
      // Drained by hand: everything goes, threshold or not.
      FLOWKIT_ASSIGN_OR_RETURN(std::vector<Json> entries, Entries(ctx));
      FLOWKIT_RETURN_IF_ERROR(SendEntries(ctx, entries, output_type));
      FLOWKIT_RETURN_IF_ERROR(ctx.state().Unset("entries"));
      return ctx.Respond(Json::Undefined());
    }

    if (ctx.Input(kTimeoutPort) != nullptr) {
      FLOWKIT_ASSIGN_OR_RETURN(std::vector<Json> entries, Entries(ctx));
      if (!entries.empty() && (!has_threshold || static_cast<double>(entries.size()) >= threshold)) {
        FLOWKIT_RETURN_IF_ERROR(SendEntries(ctx, entries, output_type));
        FLOWKIT_RETURN_IF_ERROR(ctx.state().Unset("entries"));
      }
      return ScheduleDrain(ctx);
    }

    const Message* in = ctx.Input("in");
    if (in == nullptr) return Status::OK();
    // Each entry is wrapped with an id of its own, so equal entries are all kept.
    FLOWKIT_RETURN_IF_ERROR(ctx.state()
                                .AddToSet("entries", Json::MakeObject({{"id", Context::NewId()},
                                                                       {"data", in->Content().Get("entry")}}))
                                .status());
    if (!has_threshold) return Status::OK();
    FLOWKIT_ASSIGN_OR_RETURN(std::vector<Json> entries, Entries(ctx));
    if (static_cast<double>(entries.size()) < threshold) return Status::OK();
    FLOWKIT_RETURN_IF_ERROR(SendEntries(ctx, entries, output_type));
    return ctx.state().Unset("entries");
  }

 private:
  // The collected entries, oldest first.
  static Result<std::vector<Json>> Entries(Context& ctx) {
    FLOWKIT_ASSIGN_OR_RETURN(Json wrapped, ctx.state().Get("entries"));
    std::vector<Json> entries;
    for (const Json& w : wrapped.array()) entries.push_back(w.Get("data"));
    return entries;
  }

  static Status SendEntries(Context& ctx, const std::vector<Json>& entries, const std::string& output_type) {
    const int64_t count = static_cast<int64_t>(entries.size());
    if (output_type == "first") {
      if (entries.empty()) return Status::OK();
      return ctx.Send("out", Json::MakeObject({{"entry", entries.front()}, {"index", 0}, {"count", count}}));
    }
    if (output_type == "object") {
      for (int64_t i = 0; i < count; ++i) {
        FLOWKIT_RETURN_IF_ERROR(
            ctx.Send("out", Json::MakeObject({{"entry", entries[static_cast<size_t>(i)]}, {"index", i}, {"count", count}})));
      }
      return Status::OK();
    }
    if (output_type == "array") {
      Json list = Json::MakeArray();
      for (const Json& e : entries) list.Push(e);
      return ctx.Send("out", Json::MakeObject({{"entries", std::move(list)}, {"count", count}}));
    }
    if (output_type == "file") {
      if (entries.empty()) return Status::OK();
      const std::string name = "utils-controls-Digest-" + js::FormatIso(ctx.clock().NowMillis()) + ".csv";
      FLOWKIT_ASSIGN_OR_RETURN(FileInfo file, ctx.files().Save(name, ToCsv(entries), "text/csv"));
      return ctx.Send("out", Json::MakeObject({{"fileId", file.file_id}, {"count", count}}));
    }
    // Appmixer sends nothing for an unknown output type; the entries are drained all the same.
    return Status::OK();
  }

  // Arms the timer for the next scheduled drain: cron "<minute||0> <hour||*> <dayMonth||*> *
  // <dayWeek||*>" in `timezone` (UTC by default).
  static Status ScheduleDrain(Context& ctx) {
    const Json& props = ctx.properties();
    FLOWKIT_ASSIGN_OR_RETURN(timers::TimeZone zone, timers::ZoneProperty(props.Get("timezone")));
    auto field = [&](std::string_view key, const char* fallback) {
      const Json& v = props.Get(key);
      return js::Truthy(v) ? js::ToString(v) : std::string(fallback);
    };
    FLOWKIT_ASSIGN_OR_RETURN(timers::CronSchedule cron,
                             timers::CronSchedule::FromFields(field("minute", "0"), field("hour", "*"),
                                                              field("dayMonth", "*"), "*", field("dayWeek", "*")));
    const int64_t now = ctx.clock().NowMillis();
    const std::optional<int64_t> next = cron.Next(now, zone);
    if (!next) return Status::Cancelled("Next scheduled date doesn't exist");
    Result<std::string> id = ctx.SetTimeout(Json::MakeObject({{"previousDate", js::FormatIso(now)}}), *next - now);
    return id.ok() ? Status::OK() : id.status();
  }

  // Design time: the out-port variables of each output type.
  static Status SendPortOptions(Context& ctx, const std::string& output_type) {
    auto option = [](const char* label, const char* value, const char* type) {
      Json o = Json::MakeObject({{"label", label}, {"value", value}});
      if (type != nullptr) o.Set("schema", Json::MakeObject({{"type", type}}));
      return o;
    };
    Json options = Json::MakeArray();
    if (output_type == "object" || output_type == "first") {
      options.Push(option("Current Entry Index", "index", "integer"));
      options.Push(option("Entries Count", "count", "integer"));
      options.Push(option("Entry", "entry", nullptr));
    } else if (output_type == "array") {
      options.Push(option("Entries Count", "count", "integer"));
      options.Push(option("Entries", "entries", "array"));
    } else if (output_type == "file") {
      options.Push(option("Entries Count", "count", "integer"));
      Json file = option("File ID", "fileId", "string");
      file.Set("schema", Json::MakeObject({{"type", "string"}, {"format", "appmixer-file-id"}}));
      options.Push(std::move(file));
    } else {
      return Status::OK();
    }
    return ctx.Send("out", std::move(options));
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewDigest() { return std::make_unique<Digest>(); }

}  // namespace flowkit::components::controls
