#include "flowkit/status.h"

#include <gtest/gtest.h>

#include "flowkit/diagnostics.h"

namespace flowkit {
namespace {

TEST(Status, OkIsCheapAndEmpty) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_EQ(s.ToHttpStatus(), 200);
}

TEST(Status, CarriesCodeMessageAndCopies) {
  Status s = Status::NotFound("flow 'x' does not exist");
  Status copy = s;
  EXPECT_EQ(copy.code(), StatusCode::kNotFound);
  EXPECT_EQ(copy.message(), "flow 'x' does not exist");
  EXPECT_EQ(copy.ToString(), "not_found: flow 'x' does not exist");
  EXPECT_EQ(copy, s);
  EXPECT_EQ(s.WithPrefix("load").message(), "load: flow 'x' does not exist");
}

TEST(Status, ClassifiesRetriesLikeAppmixer) {
  EXPECT_FALSE(Status::InvalidArgument("bad").IsRetryable());
  EXPECT_FALSE(Status::Cancelled("stop").IsRetryable());
  EXPECT_TRUE(Status::Unavailable("down").IsRetryable());
  EXPECT_TRUE(Status::Internal("exception").IsRetryable());
  struct Case {
    int http;
    bool retry;
  } cases[] = {{400, false}, {401, false}, {403, false}, {404, false}, {409, false}, {422, false},
               {408, true},  {429, true},  {500, true},  {502, true},  {503, true},  {504, true}};
  for (const Case& c : cases) {
    Status s = Status::FromHttpStatus(c.http, "remote");
    EXPECT_EQ(s.IsRetryable(), c.retry) << c.http;
    EXPECT_EQ(s.http_status(), c.http);
  }
}

TEST(Result, HoldsValueOrError) {
  Result<int> good = 5;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 5);
  Result<int> bad = Status::InvalidArgument("no");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.value_or(9), 9);
  Result<int> misuse = Status::OK();
  EXPECT_FALSE(misuse.ok()) << "an OK status without a value must not look like success";
  EXPECT_EQ(misuse.status().code(), StatusCode::kInternal);
}

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  FLOWKIT_ASSIGN_OR_RETURN(int h, Half(x));
  FLOWKIT_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(Result, MacrosPropagateErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().message(), "odd");
}

TEST(Diagnostics, SummarisesTheFirstErrorAndCountsTheRest) {
  Diagnostics d;
  d.Warning("/a", "stale transform");
  EXPECT_TRUE(d.ToStatus().ok());
  d.Error("/flow/x/type", "unknown component type 'a.b.c.D'");
  d.Error("", "second");
  d.Error("/z", "third");
  EXPECT_EQ(d.error_count(), 3u);
  EXPECT_EQ(d.ToStatus().message(), "/flow/x/type: unknown component type 'a.b.c.D' (and 2 more errors)");
  EXPECT_EQ(d.items()[2].ToString(), "/: second");
}

TEST(Diagnostics, AddCountsErrorsLikeError) {
  Diagnostics d;
  d.Add({Diagnostic::Severity::kWarning, "/w", "warn"});
  EXPECT_FALSE(d.has_errors());
  d.Add({Diagnostic::Severity::kError, "/e", "err"});
  EXPECT_TRUE(d.has_errors());
  EXPECT_EQ(d.ToStatus().message(), "/e: err");
}

}  // namespace
}  // namespace flowkit
