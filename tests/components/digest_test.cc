// appmixer.utils.controls.Digest in the component harness (appmixer-utils.md §2.1).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "components/builtin_registry.h"
#include "flowkit/json.h"
#include "flowkit/registry.h"
#include "flowkit/testing.h"
#include "util/js.h"

namespace flowkit {
namespace {

using testing::ComponentHarness;
using testing::HarnessOptions;

constexpr std::string_view kDigest = "appmixer.utils.controls.Digest";

int64_t Ms(std::string_view iso) {
  std::optional<int64_t> ms = js::ParseDateString(iso);
  EXPECT_TRUE(ms.has_value()) << iso;
  return ms.value_or(0);
}

Json J(std::string_view text) {
  Result<Json> parsed = Json::Parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " in " << text;
  return parsed.ok() ? std::move(parsed).value() : Json::Undefined();
}

class DigestTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(components::RegisterControlsComponents(registry_).ok()); }

  std::unique_ptr<ComponentHarness> Make(std::string_view properties, std::string_view now = "2024-05-01T10:05:00Z") {
    HarnessOptions options{.component_id = "digest"};
    options.properties = J(properties);
    options.start_time_ms = Ms(now);
    auto h = ComponentHarness::Create(registry_, kDigest, std::move(options));
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? std::move(h).value() : nullptr;
  }

  static void Add(ComponentHarness& h, std::string_view entry) {
    ASSERT_TRUE(h.Receive("in", Json::MakeObject({{"entry", J(entry)}})).ok());
  }

  static std::string Due(const ComponentHarness& h) {
    if (h.pending_timeouts().size() != 1) return "timers: " + std::to_string(h.pending_timeouts().size());
    return js::FormatIso(h.pending_timeouts().begin()->second);
  }

  ComponentRegistry registry_;
};

TEST_F(DigestTest, SendsEverythingAsOneArrayOnceTheThresholdIsReached) {
  auto h = Make(R"({"threshold": 3})");
  ASSERT_TRUE(h->Start().ok());
  EXPECT_TRUE(h->pending_timeouts().empty());  // no schedule
  Add(*h, R"("a")");
  Add(*h, R"({"x": 1})");
  EXPECT_TRUE(h->sent().empty());
  ASSERT_EQ(h->state()["entries"].size(), 2u);
  EXPECT_EQ(h->state()["entries"][0]["data"], J(R"("a")"));
  EXPECT_TRUE(h->state()["entries"][0]["id"].IsString());
  Add(*h, R"("a")");  // equal entries are all kept
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].port, "out");
  EXPECT_EQ(h->sent()[0].content, J(R"({"entries": ["a", {"x": 1}, "a"], "count": 3})"));
  EXPECT_FALSE(h->state().Contains("entries"));
  // The next batch starts empty.
  Add(*h, R"(4)");
  EXPECT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->state()["entries"].size(), 1u);
}

TEST_F(DigestTest, OutputTypesObjectAndFirst) {
  auto each = Make(R"({"threshold": 2, "outputType": "object"})");
  Add(*each, R"("a")");
  Add(*each, R"("b")");
  ASSERT_EQ(each->sent().size(), 2u);
  EXPECT_EQ(each->sent()[0].content, J(R"({"entry": "a", "index": 0, "count": 2})"));
  EXPECT_EQ(each->sent()[1].content, J(R"({"entry": "b", "index": 1, "count": 2})"));

  auto first = Make(R"({"threshold": 2, "outputType": "first"})");
  Add(*first, R"("a")");
  Add(*first, R"("b")");
  ASSERT_EQ(first->sent().size(), 1u);
  EXPECT_EQ(first->sent()[0].content, J(R"({"entry": "a", "index": 0, "count": 2})"));
}

TEST_F(DigestTest, OutputTypeFileWritesACsv) {
  auto h = Make(R"({"threshold": 2, "outputType": "file"})");
  Add(*h, R"({"a": 1, "b": "x"})");
  Add(*h, R"({"a": [2, 3]})");
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content["count"], Json(2));
  const std::string file_id = h->sent()[0].content["fileId"].AsString();
  Result<std::string> csv = h->files().Read(file_id);
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_EQ(*csv, "a,b\n\"1\",\"x\"\n\"2,3\",\"undefined\"");
  Result<FileInfo> info = h->files().Info(file_id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->filename, "utils-controls-Digest-2024-05-01T10:05:00.000Z.csv");
}

TEST_F(DigestTest, DrainsOnAScheduleWhenThereIsSomethingToSend) {
  // Only the minute given: hour, day and weekday are '*'.
  auto h = Make(R"({"minute": "*/10"})");
  ASSERT_TRUE(h->Start().ok());
  EXPECT_EQ(Due(*h), "2024-05-01T10:10:00.000Z");
  Add(*h, R"("a")");
  Add(*h, R"("b")");
  ASSERT_TRUE(h->AdvanceClock(Ms("2024-05-01T10:10:00Z") - h->clock().NowMillis()).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content, J(R"({"entries": ["a", "b"], "count": 2})"));
  EXPECT_EQ(Due(*h), "2024-05-01T10:20:00.000Z");
  // Nothing collected: nothing sent, the schedule goes on.
  ASSERT_TRUE(h->AdvanceClock(10 * 60'000).ok());
  EXPECT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(Due(*h), "2024-05-01T10:30:00.000Z");
}

TEST_F(DigestTest, AScheduledDrainWaitsForTheThreshold) {
  // Daily at 09:00 in Prague (07:00Z in May); the minute defaults to 0.
  auto h = Make(R"({"threshold": 3, "hour": "9", "timezone": "Europe/Prague"})");
  ASSERT_TRUE(h->Start().ok());
  EXPECT_EQ(Due(*h), "2024-05-02T07:00:00.000Z");
  Add(*h, R"(1)");
  Add(*h, R"(2)");
  ASSERT_TRUE(h->AdvanceClock(Ms("2024-05-02T07:00:00Z") - h->clock().NowMillis()).ok());
  EXPECT_TRUE(h->sent().empty());
  EXPECT_EQ(h->state()["entries"].size(), 2u);
  EXPECT_EQ(Due(*h), "2024-05-03T07:00:00.000Z");
}

TEST_F(DigestTest, AWebhookRequestDrainsEverything) {
  auto h = Make(R"({"threshold": 10})");
  Add(*h, R"("a")");
  Add(*h, R"("b")");
  ASSERT_TRUE(h->Webhook(J(R"({"method": "POST", "headers": {}, "query": {}, "data": {}})")).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content, J(R"({"entries": ["a", "b"], "count": 2})"));
  ASSERT_TRUE(h->last_response().has_value());
  EXPECT_EQ(h->last_response()->status, 200);
  EXPECT_FALSE(h->state().Contains("entries"));
  // An empty digest still answers, with an empty array.
  ASSERT_TRUE(h->Webhook(J(R"({"method": "POST", "headers": {}, "query": {}, "data": {}})")).ok());
  ASSERT_EQ(h->sent().size(), 2u);
  EXPECT_EQ(h->sent()[1].content, J(R"({"entries": [], "count": 0})"));
}

TEST_F(DigestTest, RejectsAnUnknownZoneAndABadSchedule) {
  auto zone = Make(R"({"hour": "9", "timezone": "Moon/Base"})");
  Status status = zone->Start();
  EXPECT_EQ(status.code(), StatusCode::kCancelled);
  EXPECT_EQ(status.message(), "Invalid timezone");
  auto cron = Make(R"({"hour": "25"})");
  status = cron->Start();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("hour \"25\""), std::string::npos) << status.ToString();
}

TEST_F(DigestTest, AnswersTheInspector) {
  auto url = Make(R"({"getWebhookUrl": true})");
  ASSERT_TRUE(url->Receive("in", J("{}")).ok());
  ASSERT_EQ(url->sent().size(), 1u);
  EXPECT_EQ(url->sent()[0].content,
            J(R"({"inputs": {"webhookUrl": {"defaultValue": "http://localhost:2200/flows/test-flow/components/digest"}}})"));
  auto options = Make(R"({"generateOutputPortOptions": true, "outputType": "file"})");
  ASSERT_TRUE(options->Receive("in", J("{}")).ok());
  ASSERT_EQ(options->sent().size(), 1u);
  EXPECT_EQ(options->sent()[0].content[1]["value"].AsString(), "fileId");
  EXPECT_FALSE(options->state().Contains("entries"));
}

}  // namespace
}  // namespace flowkit
