// js::MomentAdd: moment(ms).add(amount, unit) in UTC.
#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <string>

#include "util/js.h"

namespace flowkit::js {
namespace {

constexpr int64_t kNov14 = 1700000000000;  // 2023-11-14T22:13:20.000Z

std::string Added(int64_t ms, double amount, std::string_view unit) {
  std::optional<int64_t> r = MomentAdd(ms, amount, unit);
  return r ? FormatIso(*r) : "nullopt";
}

TEST(JsMomentAdd, ExactUnitsKeepFractions) {
  EXPECT_EQ(Added(kNov14, 250, "ms"), "2023-11-14T22:13:20.250Z");
  EXPECT_EQ(Added(kNov14, 1.5, "s"), "2023-11-14T22:13:21.500Z");
  EXPECT_EQ(Added(kNov14, 5, "m"), "2023-11-14T22:18:20.000Z");
  EXPECT_EQ(Added(kNov14, 0.5, "h"), "2023-11-14T22:43:20.000Z");
  EXPECT_EQ(Added(kNov14, -2, "h"), "2023-11-14T20:13:20.000Z");
}

TEST(JsMomentAdd, DaysAndWeeksRoundToWholeDays) {
  EXPECT_EQ(Added(kNov14, 1, "d"), "2023-11-15T22:13:20.000Z");
  EXPECT_EQ(Added(kNov14, 1.4, "d"), "2023-11-15T22:13:20.000Z");
  EXPECT_EQ(Added(kNov14, 1.5, "d"), "2023-11-16T22:13:20.000Z");
  EXPECT_EQ(Added(kNov14, -1.5, "d"), "2023-11-12T22:13:20.000Z");  // absRound
  EXPECT_EQ(Added(kNov14, 2, "w"), "2023-11-28T22:13:20.000Z");
}

TEST(JsMomentAdd, MonthsFollowTheCalendarAndClamp) {
  EXPECT_EQ(Added(kNov14, 1, "M"), "2023-12-14T22:13:20.000Z");
  EXPECT_EQ(Added(kNov14, 2, "M"), "2024-01-14T22:13:20.000Z");
  EXPECT_EQ(Added(kNov14, -11, "M"), "2022-12-14T22:13:20.000Z");
  EXPECT_EQ(Added(kNov14, 1, "Q"), "2024-02-14T22:13:20.000Z");
  EXPECT_EQ(Added(kNov14, 1, "y"), "2024-11-14T22:13:20.000Z");
  const int64_t jan31 = 1706659200000;  // 2024-01-31T00:00:00Z
  EXPECT_EQ(Added(jan31, 1, "M"), "2024-02-29T00:00:00.000Z");
  EXPECT_EQ(Added(jan31, 13, "M"), "2025-02-28T00:00:00.000Z");
  const int64_t feb29 = 1709164800000;  // 2024-02-29T00:00:00Z
  EXPECT_EQ(Added(feb29, 1, "y"), "2025-02-28T00:00:00.000Z");
  EXPECT_EQ(Added(feb29, 4, "years"), "2028-02-29T00:00:00.000Z");
}

TEST(JsMomentAdd, LongNamesAndUnknownUnits) {
  EXPECT_EQ(Added(kNov14, 5, "minutes"), "2023-11-14T22:18:20.000Z");
  EXPECT_EQ(Added(kNov14, 1, "Month"), "2023-12-14T22:13:20.000Z");
  EXPECT_EQ(Added(kNov14, 1, "day"), "2023-11-15T22:13:20.000Z");
  EXPECT_EQ(Added(kNov14, 1, "x"), "nullopt");
  EXPECT_EQ(Added(kNov14, 1, ""), "nullopt");
  EXPECT_EQ(Added(kNov14, std::numeric_limits<double>::quiet_NaN(), "m"), "nullopt");
  EXPECT_EQ(Added(kNov14, 1e12, "y"), "nullopt");
}

}  // namespace
}  // namespace flowkit::js
