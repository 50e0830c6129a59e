// appmixer.utils.test.ProcessE2EResults: files a test run's result (AfterAll's output) under the
// test case's name in the success store, or in the failure store when the run timed out or an
// Assert reported errors. The verdict of a harness is which store holds the key.
#include <string>

#include "components/test/e2e.h"
#include "flowkit/json.h"
#include "util/js.h"

namespace flowkit::components::e2e {
namespace {

// An Assert result that reported at least one error (`error?.length > 0`).
bool HasErrors(const Json& item) {
  const Json& error = item.Get("error");
  return (error.IsArray() || error.IsString()) && !error.empty();
}

class ProcessE2EResults final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    const Message* in = ctx.Input("in");
    if (in == nullptr) return Status::OK();
    const Json& content = in->Content();
    const std::string test_case = js::ToString(content.Get("testCase"));

    // The in-port schema makes `result` JSON text; a value that reached us uncoerced is taken
    // as it is, and stored as its JSON text so both paths leave the same record.
    const Json& raw = content.Get("result");
    Json parsed;
    std::string text;
    if (raw.IsString()) {
      text = std::string(raw.StringView());
      Result<Json> doc = Json::Parse(text);
      if (!doc.ok())
        return Status::InvalidArgument("'result' is not JSON: " + doc.status().message());
      parsed = std::move(doc).value();
    } else {
      parsed = raw;
      text = raw.Dump();
    }
    if (parsed.IsNullish()) return Status::InvalidArgument("'result' is empty");

    // Items without a componentId are not Assert results (e.g. BeforeAll's {now, runId}).
    Json results = Json::MakeArray();
    size_t failed = 0;
    auto consider = [&](const Json& item) {
      if (!js::Truthy(item.Get("componentId"))) return;
      if (HasErrors(item)) ++failed;
      results.Push(item);
    };
    if (parsed.IsArray()) {
      for (const Json& item : parsed.array()) consider(item);
    } else {
      consider(parsed);
    }

    const Json& properties = ctx.properties();
    if (parsed.Get("message").IsString() && parsed.Get("message").StringView() == "timed out") {
      FLOWKIT_RETURN_IF_ERROR(Store(ctx, properties.Get("failedStoreId"), test_case, text));
      WouldMail(
          ctx, content, test_case + " timed out",
          "The " + test_case +
              " has timed out, meaning that some components failed to deliver their messages. "
              "Please review the logs to find the issue.",
          parsed.Get("timedOutLinks"));
      return Status::OK();
    }
    if (failed > 0) {
      FLOWKIT_RETURN_IF_ERROR(Store(ctx, properties.Get("failedStoreId"), test_case, text));
      Json failures = Json::MakeArray();
      for (const Json& item : results.array()) {
        if (HasErrors(item)) failures.Push(item);
      }
      WouldMail(ctx, content, test_case + " failed",
                "The following errors were found:\n\n" + failures.Dump() +
                    "\n\nFull test results were:\n\n" + results.Dump(),
                failures);
      return Status::OK();
    }
    return Store(ctx, properties.Get("successStoreId"), test_case, text);
  }

 private:
  static Status Store(Context& ctx, const Json& store_id, const std::string& key,
                      const std::string& value) {
    if (!store_id.IsString() || store_id.empty()) {
      return Status::InvalidArgument("the store for this result is not configured");
    }
    Result<DataStore::SetResult> set = ctx.stores().Set(store_id.StringView(), key, Json(value));
    if (!set.ok()) return set.status().WithPrefix("storing the result of " + key);
    return Status::OK();
  }

  // Appmixer mails the recipients through appmixer.utils.email.SendEmail; flowkit has no mail
  // component, so the notification is logged instead and the run's verdict stays in the store.
  static void WouldMail(Context& ctx, const Json& content, std::string subject, std::string text,
                        Json details) {
    ctx.Log(Json::MakeObject({{"step", "Email not sent (no mail component in flowkit)"},
                              {"to", content.Get("recipients")},
                              {"subject", std::move(subject)},
                              {"text", std::move(text)},
                              {"details", std::move(details)}}),
            LogLevel::kWarning);
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewProcessE2EResults() { return std::make_unique<ProcessE2EResults>(); }

}  // namespace flowkit::components::e2e
