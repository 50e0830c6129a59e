#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "flowkit/javascript.h"

namespace flowkit {
namespace {

// Short limits keep the runaway cases quick; the test asserts only how they end.
constexpr JavaScriptLimits kTight{.time_limit_ms = 100, .memory_limit_bytes = size_t{4} << 20};

Json Ok(std::string_view code, const Json& data = Json::Undefined(), const JavaScriptLimits& limits = {}) {
  Result<Json> r = EvalJavaScript(code, data, limits);
  EXPECT_TRUE(r.ok()) << code << ": " << r.status().ToString();
  return r.ok() ? *r : Json::Undefined();
}

Status Fails(std::string_view code, const Json& data = Json::Undefined(), const JavaScriptLimits& limits = kTight) {
  Result<Json> r = EvalJavaScript(code, data, limits);
  EXPECT_FALSE(r.ok()) << code << " gave " << (r.ok() ? r->Dump() : "");
  return r.status();
}

bool Mentions(const Status& s, std::string_view text) {
  return s.message().find(text) != std::string::npos;
}

TEST(JavaScript, ReturnsNumbersStringsAndBooleans) {
  EXPECT_EQ(Ok("return 6 * 7"), Json(42));
  EXPECT_EQ(Ok("return 0.1 + 0.2").AsDouble(), 0.1 + 0.2);
  EXPECT_EQ(Ok("return 'a' + 'b' + 1"), Json("ab1"));
  EXPECT_EQ(Ok("return true"), Json(true));
  EXPECT_EQ(Ok("return null"), Json());
  EXPECT_TRUE(Ok("var x = 1;").IsUndefined());  // no return
  EXPECT_TRUE(Ok("return function () {}").IsUndefined());  // JSON cannot carry it
  EXPECT_EQ(Ok("return 1 / 0"), Json());  // JSON.stringify(Infinity) is null
}

TEST(JavaScript, ObjectsRoundTrip) {
  Json data = Json::MakeObject(
      {{"name", "Ada"}, {"tags", Json::MakeArray({"x", "y"})}, {"nested", Json::MakeObject({{"n", 1.5}})}});
  EXPECT_EQ(Ok("return $data", data), data);
  EXPECT_EQ(Ok("return value", data), data);
  Json built = Ok("return {count: $data.tags.length, upper: value.name.toUpperCase(), "
                  "sum: [1, 2, 3].reduce(function (a, b) { return a + b; }, 0)}",
                  data);
  EXPECT_EQ(built, Json::MakeObject({{"count", 2}, {"upper", "ADA"}, {"sum", 6}}));
  EXPECT_EQ(Ok("return new Date(0)"), Json("1970-01-01T00:00:00.000Z"));  // toJSON
  EXPECT_TRUE(Ok("return $data").IsUndefined());  // no data: $data is undefined
  EXPECT_EQ(Ok("return typeof $data", Json::Undefined()), Json("undefined"));
}

TEST(JavaScript, BuildsCsvText) {
  Json rows = Json::MakeArray({Json::MakeObject({{"name", "Jiří"}, {"points", 100}}),
                               Json::MakeObject({{"name", "Abby"}, {"points", 22}})});
  EXPECT_EQ(Ok("return 'Name,Points\\n' + $data.map(function (r) { return r.name + ',' + r.points; })"
               ".join('\\n') + '\\n'",
               rows),
            Json("Name,Points\nJiří,100\nAbby,22\n"));
}

TEST(JavaScript, HandlesUnicodeAsJavaScriptDoes) {
  EXPECT_EQ(Ok("return $data.length", Json("Jiří")), Json(4));
  // Outside the BMP: two UTF-16 code units in, one UTF-8 character out.
  EXPECT_EQ(Ok("return $data.length", Json("😀")), Json(2));
  EXPECT_EQ(Ok("return $data + '!'", Json("😀")), Json("😀!"));
  EXPECT_EQ(Ok("return '\\uD83D\\uDE00'"), Json("😀"));
  EXPECT_EQ(Ok("return 'žluťoučký kůň 😀'.toUpperCase()"), Json("ŽLUŤOUČKÝ KŮŇ 😀"));
  EXPECT_EQ(Ok("return '\\uD83D'"), Json("\xef\xbf\xbd"));  // a lone surrogate
}

TEST(JavaScript, SyntaxErrorsNameTheLine) {
  Status s = Fails("var a = 1;\nreturn 'unterminated", Json::Undefined(), {});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(s, "JavaScript syntax error")) << s.ToString();
  EXPECT_TRUE(Mentions(s, "line 2")) << s.ToString();
}

TEST(JavaScript, ThrownErrorsComeBackAsMessages) {
  Status s = Fails("var x = 1;\n\nthrow new Error('boom ' + x);", Json::Undefined(), {});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(s, "JavaScript error: Error: boom 1")) << s.ToString();
  EXPECT_TRUE(Mentions(s, "line 3")) << s.ToString();
  s = Fails("throw 'plain text'", Json::Undefined(), {});
  EXPECT_TRUE(Mentions(s, "plain text")) << s.ToString();
  s = Fails("return $data.missing.deeper", Json::MakeObject(), {});
  EXPECT_TRUE(Mentions(s, "TypeError")) << s.ToString();
  s = Fails("var o = {}; o.self = o; return o;", Json::Undefined(), {});  // cyclic result
  EXPECT_TRUE(Mentions(s, "TypeError")) << s.ToString();
}

TEST(JavaScript, InfiniteLoopsStopAtTheTimeLimit) {
  for (std::string_view code : {"while (true) {}", "for (;;) { try { for (;;) {} } catch (e) {} }",
                                "for (;;) { try { for (;;) {} } finally { continue; } }",
                                "function f() { try { return f(); } catch (e) { return f(); } } f();"}) {
    Status s = Fails(code);
    EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << code << ": " << s.ToString();
    EXPECT_EQ(s.message(), "JavaScript exceeded its 100 ms time limit") << code;
  }
}

TEST(JavaScript, NativeLoopsStopAtTheTimeLimit) {
  // Built-ins that walk 2^32 - 1 indexes without running any bytecode.
  for (std::string_view code : {"var a = []; a.length = 4294967295; return a.join('').length",
                                "var a = []; a.length = 4294967295; a.reverse(); return 1",
                                "return Array.prototype.join.call({length: 4294967295}, '').length"}) {
    Status s = Fails(code);
    EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << code << ": " << s.ToString();
  }
}

TEST(JavaScript, CatastrophicRegExpBacktrackingStops) {
  Status s = Fails("return /^(a+)+$/.test(new Array(40).join('a') + 'b')");
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s.ToString();
}

TEST(JavaScript, HugeAllocationsStopAtTheMemoryLimit) {
  for (std::string_view code : {"var s = 'x'; while (true) s += s;",
                                "var a = []; while (true) a.push({big: 'y'.repeat(1000) + a.length});",
                                "return new ArrayBuffer(1e9).byteLength",
                                "return 'x'.repeat(1e8).length"}) {
    // Time enough that only the memory limit can stop these, even on a slow (sanitized) build.
    Status s = Fails(code, Json::Undefined(), {.time_limit_ms = 60000, .memory_limit_bytes = size_t{4} << 20});
    EXPECT_EQ(s.code(), StatusCode::kTooLarge) << code << ": " << s.ToString();
    EXPECT_EQ(s.message(), "JavaScript exceeded its memory limit of 4194304 bytes") << code;
  }
  // The limit counts the engine's own heap too: below it, nothing can run.
  Status s = Fails("return 1", Json::Undefined(), {.time_limit_ms = 1000, .memory_limit_bytes = 1024});
  EXPECT_EQ(s.code(), StatusCode::kTooLarge) << s.ToString();
  // What fits, runs.
  EXPECT_EQ(Ok("return 'x'.repeat(1e6).length", Json::Undefined(), kTight), Json(1000000));
}

TEST(JavaScript, DeepRecursionStopsCleanly) {
  Status s = Fails("function f(n) { return f(n + 1) + 1; } return f(0);", Json::Undefined(), {});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_TRUE(Mentions(s, "RangeError: callstack limit")) << s.ToString();
  // Deeply nested source, JSON and regular expressions hit the engine's limits, not the C stack.
  std::string nested = "return " + std::string(100000, '[') + std::string(100000, ']');
  s = Fails(nested, Json::Undefined(), {});
  EXPECT_EQ(s.message(), "JavaScript could not be compiled: RangeError: compiler recursion limit (line 1)");
  s = Fails("return JSON.parse('['.repeat(100000) + ']'.repeat(100000))", Json::Undefined(), {});
  EXPECT_TRUE(Mentions(s, "RangeError: decode recursion limit")) << s.ToString();
  s = Fails("return /(a|b|c)*d/.exec('abc'.repeat(100000))", Json::Undefined(), {});
  EXPECT_TRUE(Mentions(s, "RangeError: regexp executor recursion limit")) << s.ToString();
}

TEST(JavaScript, PrototypeChangesDoNotOutliveTheCall) {
  EXPECT_EQ(Ok("Object.prototype.polluted = 'yes'; Array.prototype.push = null; "
               "String.prototype.trim = function () { return 'hacked'; }; return ({}).polluted"),
            Json("yes"));
  EXPECT_EQ(Ok("return typeof ({}).polluted"), Json("undefined"));
  EXPECT_EQ(Ok("var a = []; a.push(1); return a.length"), Json(1));
  EXPECT_EQ(Ok("return ' x '.trim()"), Json("x"));
  EXPECT_EQ(Ok("globalThisLeak = 1; return 0"), Json(0));
  EXPECT_EQ(Ok("return typeof globalThisLeak"), Json("undefined"));
}

TEST(JavaScript, TheGlobalObjectHoldsNoHostFunctions) {
  // Reaching the global object through the Function constructor yields the sandbox's own.
  Json names = Ok(
      "var g = this.constructor.constructor('return this')();"
      "var f = (function () { return this; })();"
      "return {same: g === f, names: Object.getOwnPropertyNames(g).sort()}");
  EXPECT_EQ(names["same"], Json(true));
  std::string listed = names["names"].Dump();
  for (std::string_view host : {"\"Duktape\"", "\"require\"", "\"print\"", "\"alert\"", "\"console\"",
                                "\"process\"", "\"module\"", "\"exports\"", "\"load\""}) {
    EXPECT_EQ(listed.find(host), std::string::npos) << host << " in " << listed;
  }
  EXPECT_NE(listed.find("\"JSON\""), std::string::npos) << listed;  // the standard built-ins stay
  EXPECT_EQ(Ok("return [typeof Duktape, typeof require, typeof print, typeof alert]"),
            Json::MakeArray({"undefined", "undefined", "undefined", "undefined"}));
  Status s = Fails("return Duktape.version", Json::Undefined(), {});
  EXPECT_TRUE(Mentions(s, "ReferenceError")) << s.ToString();
  // eval and new Function run inside the same sandbox.
  EXPECT_EQ(Ok("return eval('typeof Duktape') + new Function('return typeof require')()"),
            Json("undefinedundefined"));
}

TEST(JavaScript, EvaluationsOnSeveralThreadsAreIndependent) {
  std::vector<std::thread> threads;
  std::vector<Json> results(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([i, &results] {
      Result<Json> r = EvalJavaScript("var s = 0; for (var k = 0; k < 100000; k++) s += $data; return s",
                                      Json(i));
      results[static_cast<size_t>(i)] = r.ok() ? *r : Json(r.status().message());
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(results[static_cast<size_t>(i)], Json(i * 100000)) << i;
}

}  // namespace
}  // namespace flowkit
