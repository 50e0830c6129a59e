// Each splits a list into one message per item (then `done`); JoinEach collects the items back
// by correlation id once it knows how many to expect, or gives up after a timeout.
#include <cmath>
#include <string>
#include <string_view>
#include <utility>

#include "components/controls/controls.h"
#include "components/input_util.h"
#include "util/js.h"

namespace flowkit::components::controls {
namespace {

constexpr std::string_view kEachListError =
    "Property 'list' should be array or well formed JSON array string. In case of CSV string, use "
    "modifier 'Split' to create an Array.";

// The variables the designer offers for `item` when it asks with buildOutPortOptions. Appmixer
// adds the list item's own fields from the upstream component's output schema; the engine has no
// such lookup, so the designer gets the fields every item has.
Json EachItemOptions() {
  auto option = [](const char* label, const char* value) {
    return Json::MakeObject({{"label", label}, {"value", value}});
  };
  return Json::MakeArray({option("Index", "index"), option("Value", "value"),
                          option("Items Count", "count"),
                          option("Correlation ID", "correlationId")});
}

class Each final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    if (js::Truthy(ctx.properties().Get("buildOutPortOptions")))
      return ctx.Send("item", EachItemOptions());
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    Json list = in->Content().Get("list");
    if (list.IsString()) {
      Result<Json> parsed = Json::Parse(list.StringView());
      if (!parsed.ok()) return Status::Cancelled(std::string(kEachListError));
      list = std::move(parsed).value();
    }

    const std::string correlation_id = Context::NewId();
    size_t count = 0;
    if (list.IsArray()) {
      count = list.size();
      // A redelivered message resumes after the last item a failed attempt recorded. Appmixer
      // records the index relative to the resumed slice, which skips items on a second resume;
      // we record the absolute index (the same value on a first attempt).
      const std::string& resume_key = ctx.invocation_id();
      FLOWKIT_ASSIGN_OR_RETURN(Json resume, ctx.state().Get(resume_key));
      size_t start = 0;
      if (js::Truthy(resume)) {
        double index = js::ToNumber(resume.Get("index"));
        if (index > 0)
          start = index >= static_cast<double>(count) ? count : static_cast<size_t>(index);
      }
      for (size_t i = start; i < count; ++i) {
        FLOWKIT_RETURN_IF_ERROR(
            ctx.Send("item", Json::MakeObject({{"index", i},
                                               {"value", list.At(i)},
                                               {"count", count},
                                               {"correlationId", correlation_id}})));
        FLOWKIT_RETURN_IF_ERROR(ctx.state().Set(resume_key, Json::MakeObject({{"index", i}})));
      }
    }
    FLOWKIT_RETURN_IF_ERROR(
        ctx.Send("done", Json::MakeObject({{"count", count}, {"correlationId", correlation_id}})));
    // Dropping the resume record keeps state from growing by one key per list.
    return ctx.state().Unset(ctx.invocation_id());
  }
};

// Appmixer's getCorrelationId: the content's correlationId when truthy, else the message's.
std::string CorrelationIdOf(const Message& message) {
  const Json& own = message.Content().Get("correlationId");
  return js::Truthy(own) ? js::ToString(own) : message.correlation_id;
}

// Per correlation id, JoinEach keeps {count?, inputMessages?, timeoutId?} in component state.
class JoinEach final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    // Appmixer handles the ports in this order and stops at the first that finishes the call.
    if (const Message* count = ctx.Input("count")) return OnCount(ctx, *count);
    if (const Message* timeout = ctx.Input(kTimeoutPort)) return OnTimeout(ctx, *timeout);
    if (const Message* in = ctx.Input("in")) return OnItem(ctx, *in);
    return Status::OK();
  }

 private:
  static Result<Json> LoadEntry(Context& ctx, const std::string& cid) {
    FLOWKIT_ASSIGN_OR_RETURN(Json entry, ctx.state().Get(cid));
    if (!js::Truthy(entry)) entry = Json::MakeObject();
    return entry;
  }

  static bool AllArrived(const Json& entry) {
    const Json& items = entry.Get("inputMessages");
    return items.IsArray() && js::GreaterOrEqual(Json(items.size()), entry.Get("count"));
  }

  // Sends the collected items to `out` and forgets the correlation id.
  static Status Finish(Context& ctx, const std::string& cid, const Json& entry) {
    FLOWKIT_RETURN_IF_ERROR(ctx.state().Unset(cid));
    const Json& timeout_id = entry.Get("timeoutId");
    if (js::Truthy(timeout_id)) FLOWKIT_RETURN_IF_ERROR(ctx.ClearTimeout(js::ToString(timeout_id)));
    return ctx.Send("out", Json::MakeObject({{"items", entry.Get("inputMessages")}}));
  }

  static Status OnCount(Context& ctx, const Message& message) {
    const Json& content = message.Content();
    const Json& count = content.Get("count");
    // An empty list sends no items, so nothing would ever complete the join.
    if (count.IsNumber() && js::NumberValue(count) == 0) {
      return ctx.Send("out", Json::MakeObject({{"items", Json::MakeArray()}}));
    }
    const std::string cid = CorrelationIdOf(message);
    FLOWKIT_ASSIGN_OR_RETURN(std::unique_ptr<LockHandle> lock, ctx.Lock(cid));
    FLOWKIT_ASSIGN_OR_RETURN(Json entry, LoadEntry(ctx, cid));
    entry.Set("count", count);
    // The items may all have arrived before the count.
    if (AllArrived(entry)) return Finish(ctx, cid, entry);
    if (js::Truthy(content.Get("timeout"))) {
      double seconds = js::ToNumber(content.Get("timeoutValue"));
      int64_t delay_ms = std::isnan(seconds) ? 0 : static_cast<int64_t>(seconds * 1000);
      FLOWKIT_ASSIGN_OR_RETURN(
          std::string timeout_id,
          ctx.SetTimeout(Json::MakeObject({{"correlationId", cid}}), delay_ms));
      entry.Set("timeoutId", std::move(timeout_id));
    }
    return ctx.state().Set(cid, std::move(entry));
  }

  static Status OnTimeout(Context& ctx, const Message& message) {
    const std::string cid = CorrelationIdOf(message);
    FLOWKIT_ASSIGN_OR_RETURN(std::unique_ptr<LockHandle> lock, ctx.Lock(cid));
    FLOWKIT_ASSIGN_OR_RETURN(Json entry, LoadEntry(ctx, cid));
    // The join completed (and cleared the timer) before this delivery got the lock.
    if (!js::Truthy(entry.Get("timeoutId"))) return Status::OK();
    FLOWKIT_RETURN_IF_ERROR(ctx.state().Unset(cid));
    Json items = entry.Get("inputMessages");
    if (!items.IsArray()) items = Json::MakeArray();
    size_t arrived = items.size();
    return ctx.Send("timeout", Json::MakeObject({{"items", std::move(items)},
                                                 {"count", entry.Get("count")},
                                                 {"arrived", arrived}}));
  }

  static Status OnItem(Context& ctx, const Message& message) {
    const std::string cid = CorrelationIdOf(message);
    FLOWKIT_ASSIGN_OR_RETURN(std::unique_ptr<LockHandle> lock, ctx.Lock(cid));
    FLOWKIT_ASSIGN_OR_RETURN(Json entry, LoadEntry(ctx, cid));
    Json* items = entry.Find("inputMessages");
    if (items == nullptr || !items->IsArray())
      items = &entry.Set("inputMessages", Json::MakeArray());
    // The sender's payload, not the transformed one: the transform only picks the correlation id.
    items->Push(message.OriginalContent());
    if (!entry.Get("count").IsUndefined() && AllArrived(entry)) return Finish(ctx, cid, entry);
    return ctx.state().Set(cid, std::move(entry));
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewEach() { return std::make_unique<Each>(); }
std::unique_ptr<Behaviour> NewJoinEach() { return std::make_unique<JoinEach>(); }

}  // namespace flowkit::components::controls
