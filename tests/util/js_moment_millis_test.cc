// js::MomentMillis, kept apart from js_test.cc so each js helper's owner edits one file.
#include <gtest/gtest.h>

#include <cstdint>

#include "util/js.h"

namespace flowkit::js {
namespace {

constexpr int64_t kNow = 1700000000000;  // 2023-11-14T22:13:20Z

TEST(JsMomentMillis, UndefinedIsNow) { EXPECT_EQ(MomentMillis(Json::Undefined(), kNow), kNow); }

TEST(JsMomentMillis, ParsesWhatIsDateAccepts) {
  EXPECT_EQ(MomentMillis(Json("2023-11-14T22:13:20Z"), 0), kNow);
  EXPECT_EQ(MomentMillis(Json("2023-11-14T23:13:20+01:00"), 0), kNow);
  EXPECT_EQ(MomentMillis(Json(kNow), 0), kNow);  // numbers are epoch ms
  EXPECT_EQ(MomentMillis(Json("1970-01-01"), kNow), 0);
}

TEST(JsMomentMillis, NotADateIsNullopt) {
  EXPECT_FALSE(MomentMillis(Json(nullptr), kNow).has_value());
  EXPECT_FALSE(MomentMillis(Json("soon"), kNow).has_value());
  EXPECT_FALSE(MomentMillis(Json::MakeObject(), kNow).has_value());
  // Agrees with IsDate on every one of these.
  for (const Json& v :
       {Json::Undefined(), Json(nullptr), Json("soon"), Json("2020-01-01"), Json(5)}) {
    EXPECT_EQ(MomentMillis(v, kNow).has_value(), IsDate(v)) << v.Dump();
  }
}

}  // namespace
}  // namespace flowkit::js
