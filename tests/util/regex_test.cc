#include "util/regex.h"

#include <gtest/gtest.h>

namespace flowkit {
namespace {

std::shared_ptr<const Regex> Re(std::string_view pattern, std::string_view flags = {}) {
  auto r = Regex::Compile(pattern, flags);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : nullptr;
}

TEST(JsRegex, TestsWithJavaScriptSyntax) {
  EXPECT_TRUE(*Re("^updated")->Test("updated row"));
  EXPECT_FALSE(*Re("^updated")->Test("not updated"));
  EXPECT_TRUE(*Re("\\u0041")->Test("A"));
  EXPECT_TRUE(*Re("\\d{3}-\\d{4}")->Test("call 555-1234"));
  EXPECT_TRUE(*Re("abc", "i")->Test("xABCx"));
  EXPECT_FALSE(*Re("abc$")->Test("abc\n"));  // $ is the very end without m
  EXPECT_TRUE(*Re("abc$", "m")->Test("abc\nx"));
  EXPECT_TRUE(*Re("(?<year>\\d{4})")->Test("in 2026"));
  EXPECT_TRUE(*Re("Jiří")->Test("Jiří,100"));
}

TEST(JsRegex, ExecReturnsGroups) {
  auto m = *Re("(\\w+)@(\\w+)?(x)?")->Exec("mail: bob@home");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->start, 6u);
  EXPECT_EQ(*m->groups[0], "bob@home");
  EXPECT_EQ(*m->groups[1], "bob");
  EXPECT_EQ(*m->groups[2], "home");
  EXPECT_FALSE(m->groups[3].has_value());
  EXPECT_FALSE(Re("zzz")->Exec("abc")->has_value());
}

TEST(JsRegex, ReplacesWithJavaScriptPatterns) {
  EXPECT_EQ(*Re("(\\w+) (\\w+)")->Replace("John Smith", "$2, $1", false), "Smith, John");
  EXPECT_EQ(*Re("a")->Replace("banana", "[$&]", true), "b[a]n[a]n[a]");
  EXPECT_EQ(*Re("a")->Replace("banana", "o", false), "bonana");
  EXPECT_EQ(*Re("x*")->Replace("abc", "-", true), "-a-b-c-");
  EXPECT_EQ(*Re("(?<d>\\d)")->Replace("a1", "<$<d>>$$", true), "a<1>$");
  EXPECT_EQ(*Re("b")->Replace("abc", "$`|$'", false), "aa|cc");
  EXPECT_EQ(*Re("(a)")->Replace("a", "$2$1", false), "$2a");
}

TEST(JsRegex, ReportsBadPatternsAndFlags) {
  auto bad = Regex::Compile("(unclosed");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("(unclosed"), std::string::npos);
  EXPECT_FALSE(Regex::Compile("a", "q").ok());
  EXPECT_FALSE(Regex::Compile("a", "ii").ok());
}

TEST(JsRegex, StopsCatastrophicBacktracking) {
  auto re = Re("^(a+)+$");
  std::string subject(40, 'a');
  subject.push_back('!');
  auto r = re->Test(subject);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(JsRegex, CacheReturnsTheSameCompiledPattern) {
  RegexCache cache(2);
  auto a = *cache.Get("a+", "i");
  auto b = *cache.Get("a+", "i");
  EXPECT_EQ(a.get(), b.get());
  auto plain = *cache.Get("a+");
  EXPECT_NE(plain.get(), a.get());
  EXPECT_FALSE(*plain->Test("A"));
  EXPECT_TRUE(*a->Test("A"));
  EXPECT_FALSE(cache.Get("(").ok());
}

}  // namespace
}  // namespace flowkit
