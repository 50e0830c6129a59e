// Every insights store adapter through the same cases: filters, text, sort, paging, histogram,
// retention, user isolation, Flush visibility and concurrent writers.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "flowkit/insights.h"
#include "insights/insights_test_util.h"

namespace flowkit {
namespace {

using insights_test::MakeInsightsRecord;
using insights_test::ScopedInsightsDir;

constexpr int64_t kT0 = 1700000000000;  // 2023-11-14T22:13:20Z

class InsightsConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "memory") {
      store_ = std::make_unique<MemoryInsights>(100000, &clock_);
    } else {
      SqliteInsightsOptions options;
      options.dir = dir_.path() + "/data";
      options.clock = &clock_;
      auto store = NewSqliteInsights(options);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      store_ = std::move(store).value();
    }
  }

  void Write(InsightsRecord r) { store_->Write(std::move(r)); }

  InsightsPage Must(const InsightsQuery& q) {
    auto page = store_->Query(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? std::move(page).value() : InsightsPage{};
  }

  static InsightsQuery For(std::string user) {
    InsightsQuery q;
    q.user_id = std::move(user);
    return q;
  }

  // The time_ms of each hit, in page order.
  static std::vector<int64_t> Times(const InsightsPage& page) {
    std::vector<int64_t> out;
    for (const InsightsRecord& r : page.hits) out.push_back(r.time_ms);
    return out;
  }

  uint64_t Total(InsightsQuery q) {
    q.size = 0;
    return Must(q).total;
  }

  ManualClock clock_{kT0 + 100000};
  ScopedInsightsDir dir_;
  std::unique_ptr<InsightsStore> store_;
};

TEST_P(InsightsConformance, WriteAssignsIdsAndQueryReturnsEveryField) {
  InsightsRecord in = MakeInsightsRecord("u1", "f1", kT0, Json::MakeObject({{"a", 1}, {"s", "x y"}}));
  in.id = "caller-set";
  Write(in);
  ASSERT_TRUE(store_->Flush().ok());
  InsightsPage page = Must(For("u1"));
  ASSERT_EQ(page.hits.size(), 1u);
  EXPECT_EQ(page.total, 1u);
  const InsightsRecord& out = page.hits[0];
  EXPECT_EQ(out.id.size(), 16u);
  EXPECT_NE(out.id, "caller-set");
  EXPECT_EQ(out.time_ms, in.time_ms);
  EXPECT_EQ(out.severity, in.severity);
  EXPECT_EQ(out.flow_id, in.flow_id);
  EXPECT_EQ(out.user_id, in.user_id);
  EXPECT_EQ(out.component_id, in.component_id);
  EXPECT_EQ(out.component_type, in.component_type);
  EXPECT_EQ(out.port_type, in.port_type);
  EXPECT_EQ(out.port, in.port);
  EXPECT_EQ(out.correlation_id, in.correlation_id);
  EXPECT_EQ(out.message_id, in.message_id);
  EXPECT_EQ(out.msg, in.msg);
  EXPECT_EQ(out.ToJson().Get("_id").AsString(), out.id);

  InsightsRecord undefined_msg = MakeInsightsRecord("u1", "f1", kT0 + 1, Json::Undefined());
  Write(undefined_msg);
  ASSERT_TRUE(store_->Flush().ok());
  page = Must(For("u1"));
  ASSERT_EQ(page.hits.size(), 2u);
  EXPECT_TRUE(page.hits[0].msg.IsUndefined());
  EXPECT_GT(page.hits[0].id, page.hits[1].id);
}

TEST_P(InsightsConformance, UsersNeverSeeEachOthersRecords) {
  Write(MakeInsightsRecord("u1", "shared-flow", kT0, Json::MakeObject({{"secret", "alpha"}})));
  Write(MakeInsightsRecord("u2", "shared-flow", kT0 + 1, Json::MakeObject({{"secret", "alpha"}})));
  Write(MakeInsightsRecord("u2", "shared-flow", kT0 + 2));
  ASSERT_TRUE(store_->Flush().ok());

  InsightsPage u1 = Must(For("u1"));
  ASSERT_EQ(u1.hits.size(), 1u);
  EXPECT_EQ(u1.hits[0].user_id, "u1");
  EXPECT_EQ(u1.total, 1u);

  InsightsQuery text = For("u1");
  text.text = "alpha";
  text.flow_ids = {"shared-flow"};
  EXPECT_EQ(Must(text).total, 1u);
  EXPECT_EQ(Total(For("u2")), 2u);
  EXPECT_EQ(Total(For("u3")), 0u);
  auto hist = store_->Histogram(For("u2"), 1000);
  ASSERT_TRUE(hist.ok());
  ASSERT_EQ(hist->size(), 1u);
  EXPECT_EQ((*hist)[0].doc_count, 2u);

  auto no_user = store_->Query(InsightsQuery{});
  EXPECT_EQ(no_user.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Histogram(InsightsQuery{}, 1000).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(InsightsConformance, FiltersByFlowComponentSeverityAndPortType) {
  Write(MakeInsightsRecord("u", "f1", kT0 + 0, Json(), "info", "in", "a"));
  Write(MakeInsightsRecord("u", "f1", kT0 + 1, Json(), "info", "out", "a"));
  Write(MakeInsightsRecord("u", "f1", kT0 + 2, Json(), "error", "", "b"));
  Write(MakeInsightsRecord("u", "f2", kT0 + 3, Json(), "info", "out", "a"));
  Write(MakeInsightsRecord("u", "f3", kT0 + 4, Json(), "info", "in", "c"));
  ASSERT_TRUE(store_->Flush().ok());

  InsightsQuery q = For("u");
  EXPECT_EQ(Total(q), 5u);
  q.flow_ids = {"f1"};
  EXPECT_EQ(Total(q), 3u);
  q.flow_ids = {"f2", "f3"};
  EXPECT_EQ(Times(Must(q)), (std::vector<int64_t>{kT0 + 4, kT0 + 3}));
  q.flow_ids = {"nope"};
  EXPECT_EQ(Total(q), 0u);

  q = For("u");
  q.component_ids = {"a"};
  EXPECT_EQ(Total(q), 3u);
  q.component_ids = {"b", "c"};
  EXPECT_EQ(Total(q), 2u);

  q = For("u");
  q.severity = "error";
  EXPECT_EQ(Times(Must(q)), (std::vector<int64_t>{kT0 + 2}));
  q.severity = "info";
  EXPECT_EQ(Total(q), 4u);

  q = For("u");
  q.port_type = "in";
  EXPECT_EQ(Times(Must(q)), (std::vector<int64_t>{kT0 + 4, kT0 + 0}));
  q.port_type = "out";
  q.flow_ids = {"f1"};
  q.component_ids = {"a"};
  q.severity = "info";
  EXPECT_EQ(Times(Must(q)), (std::vector<int64_t>{kT0 + 1}));
}

TEST_P(InsightsConformance, TimeRangeIsHalfOpen) {
  for (int i = 0; i < 10; ++i) Write(MakeInsightsRecord("u", "f", kT0 + i * 10));
  ASSERT_TRUE(store_->Flush().ok());
  InsightsQuery q = For("u");
  q.sort = InsightsSort::kOldestFirst;
  q.from_ms = kT0 + 20;
  q.to_ms = kT0 + 50;
  EXPECT_EQ(Times(Must(q)), (std::vector<int64_t>{kT0 + 20, kT0 + 30, kT0 + 40}));
  q.to_ms.reset();
  EXPECT_EQ(Total(q), 8u);
  q.from_ms.reset();
  q.to_ms = kT0 + 1;
  EXPECT_EQ(Total(q), 1u);
  q.from_ms = kT0 + 5;
  q.to_ms = kT0 + 5;
  EXPECT_EQ(Total(q), 0u);
}

TEST_P(InsightsConformance, TextQueryMatchesWordsPrefixesAndPhrases) {
  Write(MakeInsightsRecord("u", "f", kT0 + 0, Json::MakeObject({{"text", "Hello World"}})));
  Write(MakeInsightsRecord("u", "f", kT0 + 1, Json::MakeObject({{"text", "hello there"}, {"n", 42}})));
  Write(MakeInsightsRecord("u", "f", kT0 + 2, Json::MakeObject({{"body", "line1\nline2"}, {"code", "ERR-503"}})));
  Write(MakeInsightsRecord("u", "f", kT0 + 3, Json::MakeObject({{"city", "Zürich"}}), "error", ""));
  Write(MakeInsightsRecord("u", "f", kT0 + 4, Json("plain string payload"), "info", "in"));
  ASSERT_TRUE(store_->Flush().ok());

  auto times = [&](const std::string& text) {
    InsightsQuery q = For("u");
    q.text = text;
    q.sort = InsightsSort::kOldestFirst;
    std::vector<int64_t> out;
    for (int64_t t : Times(Must(q))) out.push_back(t - kT0);
    return out;
  };
  EXPECT_EQ(times("hello"), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(times("HELLO world"), (std::vector<int64_t>{0}));  // every word, any case
  EXPECT_EQ(times("hello nobody"), (std::vector<int64_t>{}));
  EXPECT_EQ(times("hel*"), (std::vector<int64_t>{0, 1}));      // prefix
  EXPECT_EQ(times("hel"), (std::vector<int64_t>{}));           // whole tokens otherwise
  EXPECT_EQ(times("line2"), (std::vector<int64_t>{2}));        // JSON escapes decoded
  EXPECT_EQ(times("err-503"), (std::vector<int64_t>{2}));      // adjacent tokens
  EXPECT_EQ(times("503-err"), (std::vector<int64_t>{}));       // ... in order
  EXPECT_EQ(times("42"), (std::vector<int64_t>{1}));           // numbers
  EXPECT_EQ(times("text"), (std::vector<int64_t>{0, 1}));      // keys
  EXPECT_EQ(times("Zürich"), (std::vector<int64_t>{3}));       // non-ASCII tokens
  EXPECT_EQ(times("payload"), (std::vector<int64_t>{4}));      // a string msg
  EXPECT_EQ(times("component"), (std::vector<int64_t>{0, 1, 2, 3, 4}));  // the component type
  EXPECT_EQ(times("out"), (std::vector<int64_t>{0, 1, 2, 3}));           // the port
  EXPECT_EQ(times("in"), (std::vector<int64_t>{4}));
  EXPECT_EQ(times("  -- "), (std::vector<int64_t>{0, 1, 2, 3, 4}));      // no tokens: no filter
  EXPECT_EQ(times("\"quoted\" AND OR NOT ("), (std::vector<int64_t>{}));  // never FTS syntax

  InsightsQuery q = For("u");
  q.text = "hello";
  q.to_ms = kT0 + 1;
  EXPECT_EQ(Total(q), 1u);
  q.to_ms.reset();
  q.severity = "error";
  EXPECT_EQ(Total(q), 0u);
}

TEST_P(InsightsConformance, SortsByTimeThenIdBothWays) {
  // Written out of time order, with ties on time.
  Write(MakeInsightsRecord("u", "f", kT0 + 20));
  Write(MakeInsightsRecord("u", "f", kT0 + 10));
  Write(MakeInsightsRecord("u", "f", kT0 + 20));
  Write(MakeInsightsRecord("u", "f", kT0 + 30));
  ASSERT_TRUE(store_->Flush().ok());
  InsightsQuery q = For("u");
  InsightsPage newest = Must(q);
  EXPECT_EQ(Times(newest), (std::vector<int64_t>{kT0 + 30, kT0 + 20, kT0 + 20, kT0 + 10}));
  EXPECT_GT(newest.hits[1].id, newest.hits[2].id);
  q.sort = InsightsSort::kOldestFirst;
  InsightsPage oldest = Must(q);
  EXPECT_EQ(Times(oldest), (std::vector<int64_t>{kT0 + 10, kT0 + 20, kT0 + 20, kT0 + 30}));
  EXPECT_LT(oldest.hits[1].id, oldest.hits[2].id);
}

TEST_P(InsightsConformance, PagesBySizeAndFrom) {
  for (int i = 0; i < 7; ++i) Write(MakeInsightsRecord("u", "f", kT0 + i));
  ASSERT_TRUE(store_->Flush().ok());
  InsightsQuery q = For("u");
  q.size = 3;
  InsightsPage p1 = Must(q);
  EXPECT_EQ(Times(p1), (std::vector<int64_t>{kT0 + 6, kT0 + 5, kT0 + 4}));
  EXPECT_EQ(p1.total, 7u);
  ASSERT_TRUE(p1.next.has_value());
  EXPECT_EQ(p1.next->time_ms, kT0 + 4);
  EXPECT_EQ(p1.next->id, p1.hits.back().id);
  q.from = 3;
  EXPECT_EQ(Times(Must(q)), (std::vector<int64_t>{kT0 + 3, kT0 + 2, kT0 + 1}));
  q.from = 6;
  InsightsPage last = Must(q);
  EXPECT_EQ(Times(last), (std::vector<int64_t>{kT0}));
  EXPECT_EQ(last.total, 7u);
  EXPECT_FALSE(last.next.has_value());
  q.from = 100;
  EXPECT_TRUE(Must(q).hits.empty());

  q.from = 0;
  q.size = 0;
  InsightsPage count_only = Must(q);
  EXPECT_TRUE(count_only.hits.empty());
  EXPECT_EQ(count_only.total, 7u);
  q.size = kMaxInsightsPageSize + 1;
  EXPECT_EQ(store_->Query(q).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(InsightsConformance, PagesBySearchAfterBothWays) {
  // 25 records over 10 distinct times, so pages split ties; another flow and user interleaved.
  for (int i = 0; i < 25; ++i) {
    Write(MakeInsightsRecord("u", "f", kT0 + (i * 7) % 10));
    Write(MakeInsightsRecord("u", "other", kT0 + i));
    Write(MakeInsightsRecord("v", "f", kT0 + i));
  }
  ASSERT_TRUE(store_->Flush().ok());
  for (InsightsSort sort : {InsightsSort::kNewestFirst, InsightsSort::kOldestFirst}) {
    InsightsQuery q = For("u");
    q.flow_ids = {"f"};
    q.sort = sort;
    q.size = 25;
    std::vector<std::string> all;
    for (const InsightsRecord& r : Must(q).hits) all.push_back(r.id);
    ASSERT_EQ(all.size(), 25u);

    q.size = 4;
    std::vector<std::string> paged;
    int pages = 0;
    while (true) {
      InsightsPage page = Must(q);
      EXPECT_EQ(page.total, 25u);
      for (const InsightsRecord& r : page.hits) paged.push_back(r.id);
      ++pages;
      if (!page.next || pages > 10) break;
      q.search_after = page.next;
    }
    EXPECT_EQ(paged, all) << "sort " << static_cast<int>(sort);
    EXPECT_EQ(pages, 7);  // six full pages and one of one record

    // search_after and from combine: skip within what follows the cursor.
    q.search_after = InsightsCursor{kT0 + 5, "0000000000000000"};
    q.size = 1;
    q.from = 1;
    InsightsPage skipped = Must(q);
    ASSERT_EQ(skipped.hits.size(), 1u);
    if (sort == InsightsSort::kOldestFirst) {
      EXPECT_GE(skipped.hits[0].time_ms, kT0 + 5);
    } else {
      EXPECT_LT(skipped.hits[0].time_ms, kT0 + 5);
    }
  }
  InsightsQuery bad = For("u");
  bad.search_after = InsightsCursor{kT0, "not-an-id"};
  EXPECT_EQ(store_->Query(bad).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(InsightsConformance, HistogramCountsPerBucketAndSeverity) {
  Write(MakeInsightsRecord("u", "f", kT0 + 0, Json(), "info"));
  Write(MakeInsightsRecord("u", "f", kT0 + 999, Json(), "error", ""));
  Write(MakeInsightsRecord("u", "f", kT0 + 1000, Json(), "info"));
  Write(MakeInsightsRecord("u", "f", kT0 + 3500, Json(), "info"));
  Write(MakeInsightsRecord("u", "f", kT0 + 3600, Json(), "info"));
  Write(MakeInsightsRecord("u", "g", kT0 + 3700, Json(), "error", ""));
  ASSERT_TRUE(store_->Flush().ok());

  auto hist = store_->Histogram(For("u"), 1000);
  ASSERT_TRUE(hist.ok()) << hist.status().ToString();
  ASSERT_EQ(hist->size(), 3u);  // empty buckets are left out
  EXPECT_EQ((*hist)[0].key_ms, kT0);
  EXPECT_EQ((*hist)[0].doc_count, 2u);
  EXPECT_EQ((*hist)[0].by_severity, (std::map<std::string, uint64_t>{{"error", 1}, {"info", 1}}));
  EXPECT_EQ((*hist)[1].key_ms, kT0 + 1000);
  EXPECT_EQ((*hist)[1].doc_count, 1u);
  EXPECT_EQ((*hist)[2].key_ms, kT0 + 3000);
  EXPECT_EQ((*hist)[2].doc_count, 3u);
  EXPECT_EQ((*hist)[2].by_severity.at("info"), 2u);

  InsightsQuery q = For("u");
  q.flow_ids = {"f"};
  q.from_ms = kT0 + 500;
  q.size = 1;  // paging does not apply
  auto filtered = store_->Histogram(q, 60000);
  ASSERT_TRUE(filtered.ok());
  ASSERT_EQ(filtered->size(), 1u);
  EXPECT_EQ((*filtered)[0].key_ms, kT0 - kT0 % 60000);
  EXPECT_EQ((*filtered)[0].doc_count, 4u);

  q = For("u");
  q.text = "nothing-matches-this";
  EXPECT_TRUE(store_->Histogram(q, 1000)->empty());
  EXPECT_EQ(store_->Histogram(For("u"), 0).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(InsightsConformance, RetentionByAge) {
  const int64_t now = clock_.NowMillis();
  Write(MakeInsightsRecord("u", "f", now - 10000, Json::MakeObject({{"w", "ancient"}})));
  Write(MakeInsightsRecord("u", "f", now - 5001));
  Write(MakeInsightsRecord("v", "f", now - 5000));
  Write(MakeInsightsRecord("u", "f", now - 10));
  ASSERT_TRUE(store_->ApplyRetention(5000, 0).ok());
  InsightsQuery q = For("u");
  EXPECT_EQ(Times(Must(q)), (std::vector<int64_t>{now - 10}));
  EXPECT_EQ(Total(For("v")), 1u);
  EXPECT_EQ(store_->Stats().retention_deleted, 2u);
  q.text = "ancient";
  EXPECT_EQ(Total(q), 0u);

  clock_.Advance(6000);
  ASSERT_TRUE(store_->ApplyRetention(5000, 0).ok());
  EXPECT_EQ(Total(For("u")) + Total(For("v")), 0u);
  ASSERT_TRUE(store_->ApplyRetention(0, 0).ok());  // no limits: a no-op
}

TEST_P(InsightsConformance, RetentionByCountKeepsTheNewest) {
  // Time order differs from write order; two records tie at kT0 + 5.
  for (int64_t t : {5, 1, 9, 5, 3, 7, 2}) Write(MakeInsightsRecord(t % 2 ? "u" : "v", "f", kT0 + t));
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_TRUE(store_->ApplyRetention(0, 3).ok());
  InsightsQuery q = For("u");
  q.sort = InsightsSort::kOldestFirst;
  // Newest three overall: 9, 7 and the later-written of the two records at 5.
  InsightsPage u = Must(q);
  EXPECT_EQ(Times(u), (std::vector<int64_t>{kT0 + 5, kT0 + 7, kT0 + 9}));
  EXPECT_EQ(Total(For("v")), 0u);
  EXPECT_EQ(store_->Stats().retention_deleted, 4u);
  ASSERT_TRUE(store_->ApplyRetention(0, 10).ok());
  EXPECT_EQ(Total(For("u")), 3u);
}

TEST_P(InsightsConformance, FlushMakesEveryEarlierWriteVisible) {
  for (int round = 1; round <= 3; ++round) {
    for (int i = 0; i < 1500; ++i) Write(MakeInsightsRecord("u", "f", kT0 + i));
    ASSERT_TRUE(store_->Flush().ok());
    EXPECT_EQ(Total(For("u")), static_cast<uint64_t>(round * 1500));
  }
  InsightsStats stats = store_->Stats();
  EXPECT_EQ(stats.accepted, 4500u);
  EXPECT_EQ(stats.stored, 4500u);
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_EQ(stats.write_errors, 0u);
  EXPECT_EQ(stats.queued, 0u);
  ASSERT_TRUE(store_->Flush().ok());  // nothing pending: returns at once
}

TEST_P(InsightsConformance, ConcurrentWritersLoseNothing) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 3000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Write(MakeInsightsRecord("u", "f" + std::to_string(t), kT0 + i, Json::MakeObject({{"i", i}})));
      }
    });
  }
  // A reader meanwhile sees a consistent, growing count.
  uint64_t seen = 0;
  for (int k = 0; k < 5; ++k) {
    uint64_t now = Total(For("u"));
    EXPECT_GE(now, seen);
    seen = now;
  }
  for (std::thread& th : threads) th.join();
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(Total(For("u")), static_cast<uint64_t>(kThreads * kPerThread));
  InsightsQuery q = For("u");
  q.flow_ids = {"f2"};
  q.size = kMaxInsightsPageSize;
  InsightsPage f2 = Must(q);
  EXPECT_EQ(f2.total, static_cast<uint64_t>(kPerThread));
  std::set<std::string> ids;
  for (const InsightsRecord& r : f2.hits) ids.insert(r.id);
  EXPECT_EQ(ids.size(), static_cast<size_t>(kPerThread));
  EXPECT_EQ(store_->Stats().dropped, 0u);
}

INSTANTIATE_TEST_SUITE_P(Adapters, InsightsConformance, ::testing::Values("memory", "sqlite"),
                         [](const ::testing::TestParamInfo<std::string>& param) { return param.param; });

}  // namespace
}  // namespace flowkit
