// Declarative connectors that read more than one answer: pagination (page, cursor and Link
// header; the maxPages bound; a next link to another origin refused) and polling triggers
// (baseline, only new items, key dedupe, the cursor passed to the next request, a failed poll
// changes nothing), in the component harness against loopback servers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/builtins.h"
#include "flowkit/connectors.h"
#include "flowkit/engine.h"
#include "flowkit/flow.h"
#include "flowkit/modifier.h"
#include "flowkit/registry.h"
#include "flowkit/runtime.h"
#include "flowkit/testing.h"
#include "connectors/connector_test_util.h"
#include "http/loopback.h"

namespace flowkit {
namespace {

using connector_test::J;
using connector_test::Replace;
using http_test::LoopbackServer;
using http_test::Recorded;
using testing::ComponentHarness;
using testing::HarnessOptions;

// The query parameter `name` of a recorded request ("" when absent).
std::string Query(const Recorded& r, std::string_view name) {
  size_t q = r.target.find('?');
  if (q == std::string::npos) return "";
  for (const auto& [k, v] : server::ParseQueryString(std::string_view(r.target).substr(q + 1))) {
    if (k == name) return v;
  }
  return "";
}

int QueryInt(const Recorded& r, std::string_view name, int fallback) {
  std::string v = Query(r, name);
  return v.empty() ? fallback : std::stoi(v);
}

// {"items": [{"id": from}, ..., {"id": to - 1}]}
Json Items(int from, int to) {
  Json items = Json::MakeArray();
  for (int i = from; i < to; ++i) items.Push(Json::MakeObject({{"id", Json(i)}}));
  return Json::MakeObject({{"items", std::move(items)}});
}

// A connector document; `sections` are more top-level members (",\"pagination\": {...}").
std::string Document(std::string_view name, std::string_view manifest_extra, std::string_view request,
                     std::string_view output, std::string_view sections) {
  return R"({"manifest": {"name": "acme.crm.core.)" + std::string(name) + R"(", "outPorts": ["out"])" +
         std::string(manifest_extra) + R"(}, "request": )" + std::string(request) + R"(, "output": )" +
         std::string(output) + std::string(sections) + "}";
}

constexpr std::string_view kAction = R"(, "inPorts": ["in"])";
constexpr std::string_view kTick = R"(, "tick": true)";

class ConnectorPolling : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok());
    ASSERT_TRUE(other_.ok());
  }

  // Registers the document (BASE = the loopback server, OTHER = a second one) and returns its harness.
  std::unique_ptr<ComponentHarness> Harness(std::string_view name, const std::string& document, HarnessOptions options = {}) {
    std::string text = Replace(Replace(document, "BASE", server_.url("")), "OTHER", other_.url(""));
    return connector_test::RegisterAndHarness(registry_, text, "acme.crm.core." + std::string(name), std::move(options));
  }

  std::vector<int64_t> SentIds(const ComponentHarness& h) {
    std::vector<int64_t> ids;
    for (const auto& m : h.sent()) ids.push_back(m.content["id"].AsInt(-1));
    return ids;
  }

  // The feed a trigger polls: a list the test changes between polls, or an error status.
  void SetFeed(Json items, int status = 200) {
    std::lock_guard<std::mutex> lock(feed_mu_);
    feed_ = std::move(items);
    feed_status_ = status;
  }
  server::HttpResponse Feed(const Recorded&) {
    std::lock_guard<std::mutex> lock(feed_mu_);
    if (feed_status_ != 200) return server::HttpResponse::WithJson(feed_status_, J(R"({"message": "feed down"})"));
    return server::HttpResponse::WithJson(200, Json::MakeObject({{"data", feed_}}));
  }

  ComponentRegistry registry_;
  LoopbackServer server_;
  LoopbackServer other_;
  std::mutex feed_mu_;
  Json feed_ = Json::MakeArray();
  int feed_status_ = 200;
};

// 25 items served `per_page` (default 10) at a time; `page` counts from 1, `offset` from 0.
server::HttpResponse PagedItems(const Recorded& r) {
  const int per_page = QueryInt(r, "per_page", 10);
  const int start = Query(r, "offset").empty() ? (QueryInt(r, "page", 1) - 1) * per_page : QueryInt(r, "offset", 0);
  return server::HttpResponse::WithJson(200, Items(std::min(start, 25), std::min(start + per_page, 25)));
}

TEST_F(ConnectorPolling, PagePaginationStopsAtAShortPage) {
  server_.Route("/pages", PagedItems);
  auto h = Harness("List", Document("List", kAction, R"({"url": "BASE/pages", "query": {"q": "x"}})",
                                    R"({"port": "out", "from": "/items", "each": true})",
                                    R"(, "pagination": {"type": "page", "param": "page", "size": 10, "sizeParam": "per_page"})"));
  ASSERT_NE(h, nullptr);
  Status s = h->Receive("in", J("{}"));
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<Recorded> requests = server_.requests();
  ASSERT_EQ(requests.size(), 3u) << "10 + 10 + 5: the short third page ends it";
  EXPECT_EQ(requests[0].target, "/pages?q=x&per_page=10&page=1");
  EXPECT_EQ(requests[2].target, "/pages?q=x&per_page=10&page=3");
  std::vector<int64_t> expected;
  for (int i = 0; i < 25; ++i) expected.push_back(i);
  EXPECT_EQ(SentIds(*h), expected);
}

TEST_F(ConnectorPolling, PagePaginationWithoutSizeStopsAtAnEmptyPageAndCountsOffsets) {
  server_.Route("/pages", PagedItems);
  auto h = Harness("List", Document("List", kAction, R"({"url": "BASE/pages"})",
                                    R"({"port": "out", "from": "/items", "map": {"all": "{{item}}", "first": "{{response.body.items.0.id}}"}})",
                                    R"(, "pagination": {"type": "page", "param": "offset", "start": 0, "step": 10})"));
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Receive("in", J("{}")).ok());
  std::vector<Recorded> requests = server_.requests();
  ASSERT_EQ(requests.size(), 4u) << "offsets 0, 10, 20, then the empty page at 30";
  EXPECT_EQ(Query(requests[3], "offset"), "30");
  // Without `each` the concatenated items are one message; `response` is the first page's.
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content["all"], Items(0, 25)["items"]);
  EXPECT_EQ(h->sent()[0].content["first"].AsInt(), 0);
}

TEST_F(ConnectorPolling, CursorPaginationFollowsTheBodyCursorUntilItIsEmpty) {
  // Pages: (none) → "b" → "c" → end ("" as the next cursor).
  server_.Route("/cursor", [](const Recorded& r) {
    std::string at = Query(r, "after");
    int page = at.empty() ? 0 : at[0] - 'a';
    Json body = Items(page * 2, page * 2 + 2);
    body.Set("meta", Json::MakeObject({{"next", Json(page < 2 ? std::string(1, static_cast<char>('b' + page)) : "")}}));
    return server::HttpResponse::WithJson(200, body);
  });
  auto h = Harness("List", Document("List", kAction, R"({"url": "BASE/cursor", "query": {"after": "{{input.ignored}}"}})",
                                    R"({"port": "out", "from": "/items", "each": true})",
                                    R"(, "pagination": {"type": "cursor", "from": "/meta/next", "param": "after"})"));
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Receive("in", J("{}")).ok());
  std::vector<Recorded> requests = server_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].target, "/cursor");
  EXPECT_EQ(requests[1].target, "/cursor?after=b");
  EXPECT_EQ(requests[2].target, "/cursor?after=c");
  EXPECT_EQ(SentIds(*h), (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
}

TEST_F(ConnectorPolling, LinkPaginationFollowsRelNextAbsoluteAndRelative) {
  // Page 1 links absolutely, page 2 relatively (with other relations around it), page 3 ends.
  const std::string base = server_.url("");
  server_.Route("/linked", [base](const Recorded& r) {
    int page = QueryInt(r, "page", 1);
    server::HttpResponse response = server::HttpResponse::WithJson(200, Items(page * 10, page * 10 + 2));
    if (page == 1) response.headers.emplace_back("Link", "<" + base + "/linked?page=2&token=a%2Cb>; rel=\"next\"");
    if (page == 2) {
      response.headers.emplace_back("Link", "</linked?page=1>; rel=\"prev first\", <linked?page=3>; title=\"x, y\"; REL=next");
    }
    return response;
  });
  auto h = Harness("List", Document("List", kAction, R"({"url": "BASE/linked", "headers": {"X-Key": "k"}})",
                                    R"({"port": "out", "from": "/items", "each": true})",
                                    R"(, "pagination": {"type": "link"})"));
  ASSERT_NE(h, nullptr);
  Status s = h->Receive("in", J("{}"));
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<Recorded> requests = server_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].target, "/linked?page=2&token=a%2Cb");
  EXPECT_EQ(requests[2].target, "/linked?page=3");
  ASSERT_NE(requests[2].Header("x-key"), nullptr) << "every page carries the template's headers";
  EXPECT_EQ(SentIds(*h), (std::vector<int64_t>{10, 11, 20, 21, 30, 31}));
}

TEST_F(ConnectorPolling, LinkToAnotherOriginIsRefused) {
  const std::string elsewhere = other_.url("/pages?page=2");
  server_.Route("/linked", [elsewhere](const Recorded&) {
    server::HttpResponse response = server::HttpResponse::WithJson(200, Items(0, 2));
    response.headers.emplace_back("Link", "<" + elsewhere + ">; rel=next");
    return response;
  });
  other_.Route("/pages", PagedItems);
  auto h = Harness("List", Document("List", kAction, R"({"url": "BASE/linked"})", R"({"port": "out", "from": "/items", "each": true})",
                                    R"(, "pagination": {"type": "link"})"));
  ASSERT_NE(h, nullptr);
  Status s = h->Receive("in", J("{}"));
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(s.IsRetryable());
  EXPECT_NE(s.message().find("leaves the origin of the first request"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(elsewhere), std::string::npos) << s.message();
  EXPECT_EQ(other_.request_count(), 0u);
  EXPECT_TRUE(h->sent().empty()) << "a failed call sends nothing, not even the first page";
}

TEST_F(ConnectorPolling, MaxPagesBoundsAnApiThatNeverEnds) {
  server_.Route("/endless", [](const Recorded& r) {
    int page = QueryInt(r, "c", 0);
    Json body = Items(page, page + 1);
    body.Set("next", Json(page + 1));
    return server::HttpResponse::WithJson(200, body);
  });
  auto h = Harness("List", Document("List", kAction, R"({"url": "BASE/endless"})", R"({"port": "out", "from": "/items", "each": true})",
                                    R"(, "pagination": {"type": "cursor", "from": "/next", "param": "c", "maxPages": 3})"));
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Receive("in", J("{}")).ok());
  EXPECT_EQ(server_.request_count(), 3u);
  EXPECT_EQ(SentIds(*h), (std::vector<int64_t>{0, 1, 2}));
  ASSERT_FALSE(h->logs().empty());
  EXPECT_NE(h->logs().back().Dump().find("maxPages (3)"), std::string::npos) << h->logs().back().Dump();

  // The default bound is 10.
  auto unbounded = Harness("List2", Document("List2", kAction, R"({"url": "BASE/endless"})", R"({"port": "out", "from": "/items", "each": true})",
                                             R"(, "pagination": {"type": "cursor", "from": "/next", "param": "c"})"));
  ASSERT_NE(unbounded, nullptr);
  ASSERT_TRUE(unbounded->Receive("in", J("{}")).ok());
  EXPECT_EQ(server_.request_count(), 3u + 10u);
}

TEST_F(ConnectorPolling, AFailedPageFailsTheWholeCall) {
  server_.Route("/pages", [](const Recorded& r) {
    if (QueryInt(r, "page", 1) == 2) return server::HttpResponse::WithJson(503, J(R"({"message": "busy"})"));
    return PagedItems(r);
  });
  auto h = Harness("List", Document("List", kAction, R"({"url": "BASE/pages"})", R"({"port": "out", "from": "/items", "each": true})",
                                    R"(, "pagination": {"type": "page", "param": "page"})"));
  ASSERT_NE(h, nullptr);
  Status s = h->Receive("in", J("{}"));
  EXPECT_EQ(s.http_status(), 503);
  EXPECT_TRUE(s.IsRetryable());
  EXPECT_TRUE(h->sent().empty());
}

constexpr std::string_view kKeyTrigger = R"(, "trigger": {"key": "/id"})";

TEST_F(ConnectorPolling, TriggerTakesABaselineThenSendsOnlyNewItems) {
  server_.Route("/feed", [this](const Recorded& r) { return Feed(r); });
  SetFeed(Items(0, 3)["items"]);
  auto h = Harness("NewContact", Document("NewContact", kTick, R"({"url": "BASE/feed", "headers": {"X-Owner": "{{properties.owner}}"}})",
                                          R"({"port": "out", "from": "/data"})", kKeyTrigger),
                   {.properties = J(R"({"owner": "ann"})")});
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Start().ok());
  ASSERT_TRUE(h->Tick().ok());
  EXPECT_TRUE(h->sent().empty()) << "the first poll records what exists";
  EXPECT_EQ(h->state()["trigger"]["seen"], J(R"(["0", "1", "2"])"));
  EXPECT_EQ(*server_.requests()[0].Header("x-owner"), "ann");

  // New items, in any position; a removed one is remembered still.
  Json feed = J(R"([{"id": 5, "name": "e"}, {"id": 1}, {"id": 4, "name": "d"}, {"id": 2}])");
  SetFeed(feed);
  ASSERT_TRUE(h->Tick().ok());
  ASSERT_EQ(h->sent().size(), 2u);
  EXPECT_EQ(h->sent()[0].content, feed[0]);
  EXPECT_EQ(h->sent()[1].content, feed[2]);
  EXPECT_EQ(h->state()["trigger"]["seen"], J(R"(["5", "1", "4", "2", "0"])"));

  h->ClearSent();
  ASSERT_TRUE(h->Tick().ok());
  EXPECT_TRUE(h->sent().empty()) << "nothing new";
  SetFeed(J(R"([{"id": 0}, {"id": 6}])"));  // 0 came back: it was seen
  ASSERT_TRUE(h->Tick().ok());
  EXPECT_EQ(SentIds(*h), (std::vector<int64_t>{6}));
}

TEST_F(ConnectorPolling, TriggerEmitInitialSendsTheFirstPollToo) {
  server_.Route("/feed", [this](const Recorded& r) { return Feed(r); });
  SetFeed(Items(0, 2)["items"]);
  auto h = Harness("NewContact", Document("NewContact", kTick, R"({"url": "BASE/feed"})",
                                          R"({"port": "out", "from": "/data", "each": false, "map": {"batch": "{{item}}"}})",
                                          R"(, "trigger": {"key": "/id", "emitInitial": true})"));
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Tick().ok());
  ASSERT_EQ(h->sent().size(), 1u) << "each: false sends the new items as one array";
  EXPECT_EQ(h->sent()[0].content, J(R"({"batch": [{"id": 0}, {"id": 1}]})"));
  ASSERT_TRUE(h->Tick().ok());
  EXPECT_EQ(h->sent().size(), 1u) << "and no empty array when nothing is new";
}

TEST_F(ConnectorPolling, TriggerCursorGoesIntoTheNextRequest) {
  // Items carry updated_at; the server answers those at or after ?since (inclusive, as many APIs do).
  server_.Route("/feed", [this](const Recorded& r) {
    std::string since = Query(r, "since");
    Json all;
    {
      std::lock_guard<std::mutex> lock(feed_mu_);
      all = feed_;
    }
    Json out = Json::MakeArray();
    for (const Json& item : all.array()) {
      if (since.empty() || item["updated_at"].StringView() >= since) out.Push(item);
    }
    return server::HttpResponse::WithJson(200, Json::MakeObject({{"data", std::move(out)}}));
  });
  SetFeed(J(R"([{"id": 1, "updated_at": "2026-01-01T10:00:00Z"}, {"id": 2, "updated_at": "2026-01-02T10:00:00Z"}])"));
  auto h = Harness("Updated", Document("Updated", kTick, R"({"url": "BASE/feed", "headers": {"X-Since": "{{state.cursor}}"}})",
                                       R"({"port": "out", "from": "/data"})",
                                       R"(, "trigger": {"cursor": {"from": "/updated_at", "param": "since"}})"));
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Tick().ok());
  EXPECT_TRUE(h->sent().empty());
  EXPECT_EQ(h->state()["trigger"]["cursor"].AsString(), "2026-01-02T10:00:00Z");
  EXPECT_EQ(server_.requests()[0].target, "/feed") << "no cursor yet: no parameter";
  EXPECT_EQ(server_.requests()[0].Header("x-since"), nullptr);

  SetFeed(J(R"([{"id": 1, "updated_at": "2026-01-01T10:00:00Z"}, {"id": 2, "updated_at": "2026-01-02T10:00:00Z"},
                {"id": 3, "updated_at": "2026-01-03T10:00:00Z"}, {"id": 1, "updated_at": "2026-01-04T10:00:00Z"}])"));
  ASSERT_TRUE(h->Tick().ok());
  http_test::Recorded second = server_.requests()[1];
  EXPECT_EQ(Query(second, "since"), "2026-01-02T10:00:00Z");
  EXPECT_EQ(*second.Header("x-since"), "2026-01-02T10:00:00Z");
  // The item at the cursor itself came back (inclusive API) and is not new; an update is.
  EXPECT_EQ(SentIds(*h), (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(h->state()["trigger"]["cursor"].AsString(), "2026-01-04T10:00:00Z");
  EXPECT_TRUE(h->state()["trigger"]["seen"].IsUndefined()) << "no key, nothing to remember";
}

TEST_F(ConnectorPolling, TriggerFailedPollChangesNothing) {
  server_.Route("/feed", [this](const Recorded& r) { return Feed(r); });
  SetFeed(Items(0, 2)["items"]);
  auto h = Harness("NewContact", Document("NewContact", kTick, R"({"url": "BASE/feed"})", R"({"port": "out", "from": "/data"})", kKeyTrigger));
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Tick().ok());
  const Json before = h->state();

  SetFeed(Items(0, 4)["items"], 503);
  Status s = h->Tick();
  EXPECT_EQ(s.http_status(), 503);
  EXPECT_EQ(h->state(), before);
  EXPECT_TRUE(h->sent().empty());

  SetFeed(Items(0, 4)["items"]);
  ASSERT_TRUE(h->Tick().ok());
  EXPECT_EQ(SentIds(*h), (std::vector<int64_t>{2, 3})) << "what arrived during the outage comes once";
  ASSERT_TRUE(h->Tick().ok());
  EXPECT_EQ(h->sent().size(), 2u);
}

TEST_F(ConnectorPolling, TriggerPaginatesAndRemembersABoundedNumberOfKeys) {
  server_.Route("/feed", [this](const Recorded& r) {
    const int page = QueryInt(r, "page", 1);
    std::lock_guard<std::mutex> lock(feed_mu_);
    Json out = Json::MakeArray();
    for (size_t i = (page - 1) * 500; i < feed_.size() && i < static_cast<size_t>(page) * 500; ++i) out.Push(feed_[i]);
    return server::HttpResponse::WithJson(200, Json::MakeObject({{"data", std::move(out)}}));
  });
  SetFeed(Items(0, 1200)["items"]);
  auto h = Harness("NewContact", Document("NewContact", kTick, R"({"url": "BASE/feed"})", R"({"port": "out", "from": "/data"})",
                                          std::string(kKeyTrigger) + R"(, "pagination": {"type": "page", "param": "page", "size": 500})"));
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->Tick().ok());
  EXPECT_EQ(server_.request_count(), 3u) << "500 + 500 + 200";
  const Json& seen = h->state()["trigger"]["seen"];
  ASSERT_EQ(seen.size(), 1000u) << "the newest 1,000 keys";
  EXPECT_EQ(seen[0].AsString(), "0");

  // The feed's newest first: 1200 is new, the rest (0..998 on page 1..2) still known.
  Json feed = Items(1200, 1201)["items"];
  for (int i = 0; i < 999; ++i) feed.Push(Json::MakeObject({{"id", Json(i)}}));
  SetFeed(feed);
  ASSERT_TRUE(h->Tick().ok());
  EXPECT_EQ(SentIds(*h), (std::vector<int64_t>{1200}));
  EXPECT_EQ(h->state()["trigger"]["seen"].size(), 1000u);
}

// Records what reaches its in-port.
class Collect final : public Behaviour {
 public:
  Collect(std::mutex* mu, std::vector<Json>* seen) : mu_(mu), seen_(seen) {}
  Status Receive(Context& ctx) override {
    std::lock_guard<std::mutex> lock(*mu_);
    for (const Message& m : ctx.Inputs("in")) seen_->push_back(m.Content());
    return Status::OK();
  }

 private:
  std::mutex* mu_;
  std::vector<Json>* seen_;
};

TEST_F(ConnectorPolling, TriggerRemembersAcrossAnEngineRestartOnADurableRuntime) {
  server_.Route("/feed", [this](const Recorded& r) { return Feed(r); });
  std::string text = Replace(Document("NewContact", kTick, R"({"url": "BASE/feed"})", R"({"port": "out", "from": "/data"})", kKeyTrigger),
                             "BASE", server_.url(""));
  Result<Connector> c = ParseConnector(J(text), "test.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto registry = std::make_shared<ComponentRegistry>();
  ASSERT_TRUE(RegisterBuiltinComponents(*registry).ok());
  ConnectorSet set;
  set.components.push_back(std::move(*c));
  ASSERT_TRUE(RegisterConnectors(set, *registry).ok());
  std::mutex mu;
  std::vector<Json> collected;
  Result<Manifest> collect = Manifest::Parse(R"({"name": "test.c.core.Collect", "inPorts": ["in"]})");
  ASSERT_TRUE(collect.ok());
  ASSERT_TRUE(registry->Register(std::move(*collect), [&] { return std::make_unique<Collect>(&mu, &collected); }).ok());
  auto modifiers = std::make_shared<ModifierRegistry>();
  ASSERT_TRUE(RegisterBuiltinModifiers(*modifiers).ok());
  auto collected_ids = [&] {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<int64_t> ids;
    for (const Json& j : collected) ids.push_back(j["id"].AsInt(-1));
    return ids;
  };

  char pattern[] = "/tmp/flowkit-connector-trigger-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  ManualClock clock(1'700'000'000'000);
  auto open = [&] {
    LmdbRuntimeOptions ro;
    ro.path = dir;
    ro.sync = false;
    auto runtime = NewLmdbRuntime(ro);
    EXPECT_TRUE(runtime.ok()) << runtime.status().ToString();
    EngineOptions options;
    options.components = registry;
    options.modifiers = modifiers;
    options.workers = 2;
    options.clock = &clock;
    options.runtime = std::shared_ptr<Runtime>(std::move(runtime).value());
    options.tick_interval_ms = 1000;
    auto engine = Engine::Open(std::move(options));
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    return std::move(engine).value();
  };
  // One tick: the clock moves to it and the engine runs it (bounded waits, not timing).
  auto tick = [&](Engine& engine, size_t requests_after) {
    ASSERT_TRUE(engine.WaitIdle(0, 5000));
    clock.Advance(1000);
    ASSERT_TRUE(server_.WaitForRequests(requests_after));
    ASSERT_TRUE(engine.WaitIdle(0, 5000));
  };

  SetFeed(Items(0, 3)["items"]);
  {
    auto engine = open();
    Diagnostics diags;
    auto flow = Flow::Parse(R"({"name": "New contacts", "flow": {
        "poll": {"type": "acme.crm.core.NewContact"},
        "collect": {"type": "test.c.core.Collect", "source": {"in": {"poll": ["out"]}}}}})",
                            *registry, *modifiers, &diags);
    ASSERT_TRUE(flow.ok()) << flow.status().ToString();
    auto id = engine->LoadFlow(*flow);
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    ASSERT_TRUE(engine->StartFlow(*id).ok());
    tick(*engine, 1);
    EXPECT_TRUE(collected_ids().empty()) << "the baseline";
    SetFeed(Items(0, 5)["items"]);
    tick(*engine, 2);
    EXPECT_EQ(collected_ids(), (std::vector<int64_t>{3, 4}));
  }
  SetFeed(Items(0, 6)["items"]);
  {
    auto engine = open();  // the flow resumes with the state its last tick committed
    tick(*engine, 3);
    EXPECT_EQ(collected_ids(), (std::vector<int64_t>{3, 4, 5})) << "no new baseline, nothing twice";
  }
  std::filesystem::remove_all(dir);
}

TEST(ConnectorPollingParse, BadDefinitionsNameTheirPointer) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::string url = R"({"url": "https://x/"})";
  const std::string out = R"({"port": "out", "from": "/data"})";
  const Case cases[] = {
      {Document("A", kAction, url, out, kKeyTrigger), "test.json: /manifest/inPorts: a polling trigger has no in-ports"},
      {Document("A", "", url, out, kKeyTrigger), "test.json: /manifest/tick: a polling trigger needs \"tick\": true"},
      {Document("A", kTick, url, out, ""), "test.json: /manifest/inPorts: a declarative connector needs an in-port"},
      {Document("A", kTick, url, out, R"(, "trigger": {})"), "test.json: /trigger: a polling trigger needs \"key\" and/or \"cursor\""},
      {Document("A", kTick, url, out, R"(, "trigger": {"key": "id"})"), "test.json: /trigger/key: must be a JSON pointer"},
      {Document("A", kTick, url, out, R"(, "trigger": {"key": "/a~2"})"), "test.json: /trigger/key: must be a JSON pointer"},
      {Document("A", kTick, url, out, R"(, "trigger": {"cursor": {"param": "since"}})"), "test.json: /trigger/cursor/from: must be a JSON pointer"},
      {Document("A", kTick, url, out, R"(, "trigger": {"key": "/id", "emitInitial": "yes"})"), "test.json: /trigger/emitInitial"},
      {Document("A", kTick, url, out, R"(, "trigger": {"key": "/id", "dedupe": 1})"), "test.json: /trigger/dedupe: unknown trigger key"},
      {Document("A", kTick, R"({"url": "https://x/{{input.id}}"})", out, kKeyTrigger), "test.json: /request/url: unknown template root 'input'"},
      {Document("A", kAction, R"({"url": "https://x/{{state.cursor}}"})", out, ""), "test.json: /request/url: unknown template root 'state'"},
      {Document("A", kAction, url, out, R"(, "pagination": {"type": "offset"})"), "test.json: /pagination/type: unknown pagination type 'offset'"},
      {Document("A", kAction, url, out, R"(, "pagination": {"type": "page", "param": "p", "maxPages": 0})"), "test.json: /pagination/maxPages"},
      {Document("A", kAction, url, out, R"(, "pagination": {"type": "page"})"), "test.json: /pagination/param"},
      {Document("A", kAction, url, out, R"(, "pagination": {"type": "cursor", "from": "next", "param": "c"})"), "test.json: /pagination/from: must be a JSON pointer"},
      {Document("A", kAction, url, out, R"(, "pagination": {"type": "link", "param": "c"})"), "test.json: /pagination/param: unknown link pagination key"},
      {Document("A", kAction, url, R"({"port": "out", "from": "/a~"})", ""), "test.json: /output/from: must be a JSON pointer"},
  };
  for (const Case& c : cases) {
    Result<Json> doc = Json::Parse(c.text);
    ASSERT_TRUE(doc.ok()) << c.text;
    Result<Connector> parsed = ParseConnector(*doc, "test.json");
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(c.expected), std::string::npos) << parsed.status().message();
  }
  // And a good trigger parses.
  Result<Connector> good = ParseConnector(J(Document("A", kTick, url, out, R"(, "trigger": {"key": "/id", "cursor": {"from": "/t", "param": "since"}}, "pagination": {"type": "link", "maxPages": 2})")));
  EXPECT_TRUE(good.ok()) << good.status().ToString();
}

}  // namespace
}  // namespace flowkit
