#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "flowkit/clock.h"
#include "flowkit/javascript.h"
#include "flowkit/modifier.h"

namespace flowkit {
namespace {

constexpr int64_t kNow = 1795458191123;  // 2026-11-23T18:23:11.123Z

class ModifierTest : public ::testing::Test {
 protected:
  ModifierTest() : clock_(kNow) {
    Status s = RegisterBuiltinModifiers(registry_);
    EXPECT_TRUE(s.ok()) << s.ToString();
    custom_fields_ =
        Json::MakeObject({{"category", "healthcare"}, {"meta", Json::MakeObject({{"tier", 2}})}});
    env_.flow_id = "flow-1";
    env_.flow_name = "My flow";
    env_.user_id = "user-7";
    env_.component_id = "comp-3";
    env_.webhook_url = "https://example.test/flows/flow-1/components/comp-3";
    env_.custom_fields = &custom_fields_;
    env_.clock = &clock_;
  }

  Result<Json> Call(std::string_view name, const Json& value, std::vector<Json> params = {},
                    JsonObject hash = {}) {
    const ModifierRegistry::Entry* entry = registry_.Find(name);
    if (entry == nullptr) return Status::NotFound(std::string(name));
    ModifierCall call{value, params, hash, env_};
    return entry->fn(call);
  }

  // The result, which must be OK.
  Json Ok(std::string_view name, const Json& value, std::vector<Json> params = {},
          JsonObject hash = {}) {
    auto r = Call(name, value, std::move(params), std::move(hash));
    EXPECT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    return r.ok() ? *r : Json::Undefined();
  }

  // The error, which must be kInvalidArgument naming the modifier.
  std::string Err(std::string_view name, const Json& value, std::vector<Json> params = {},
                  JsonObject hash = {}) {
    auto r = Call(name, value, std::move(params), std::move(hash));
    EXPECT_FALSE(r.ok()) << name << " unexpectedly gave " << (r.ok() ? r->Dump() : "");
    if (r.ok()) return "";
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
    EXPECT_NE(r.status().message().find(name), std::string::npos) << r.status().message();
    return r.status().message();
  }

  static JsonObject Hash(std::initializer_list<std::pair<std::string_view, Json>> members) {
    JsonObject o;
    for (const auto& [k, v] : members) o.Set(k, v);
    return o;
  }

  ModifierRegistry registry_;
  ManualClock clock_;
  Json custom_fields_;
  EvalEnv env_;
};

Json Arr(std::initializer_list<Json> items) { return Json::MakeArray(items); }
const Json kUndef = Json::Undefined();

// ---- registry ----

TEST(ModifierRegistry, RegistersAndFindsByName) {
  ModifierRegistry registry;
  ModifierInfo info;
  info.name = "g_double";
  info.categories = {"number"};
  auto fn = [](const ModifierCall& c) -> Result<Json> { return Json(c.value.AsInt() * 2); };
  ASSERT_TRUE(registry.Register(info, fn).ok());
  EXPECT_EQ(registry.size(), 1u);
  ASSERT_NE(registry.Find("g_double"), nullptr);
  EXPECT_EQ(registry.Find("g_missing"), nullptr);
  EvalEnv env;
  JsonObject hash;
  Json v(21);
  EXPECT_EQ(*registry.Find("g_double")->fn(ModifierCall{v, {}, hash, env}), Json(42));
}

TEST(ModifierRegistry, RejectsDuplicatesUnlessReplacing) {
  ModifierRegistry registry;
  ModifierInfo info;
  info.name = "g_x";
  auto one = [](const ModifierCall&) -> Result<Json> { return Json(1); };
  auto two = [](const ModifierCall&) -> Result<Json> { return Json(2); };
  ASSERT_TRUE(registry.Register(info, one).ok());
  EXPECT_EQ(registry.Register(info, two).code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(registry.Register(info, two, /*replace=*/true).ok());
  EvalEnv env;
  JsonObject hash;
  Json v;
  EXPECT_EQ(*registry.Find("g_x")->fn(ModifierCall{v, {}, hash, env}), Json(2));
  EXPECT_EQ(registry.size(), 1u);
}

TEST(ModifierRegistry, RejectsBadNamesAndEmptyFunctions) {
  ModifierRegistry registry;
  ModifierInfo info;
  info.name = "uppercase";
  auto fn = [](const ModifierCall&) -> Result<Json> { return Json(1); };
  EXPECT_EQ(registry.Register(info, fn).code(), StatusCode::kInvalidArgument);
  info.name = "g_";
  EXPECT_EQ(registry.Register(info, fn).code(), StatusCode::kInvalidArgument);
  info.name = "g_ok";
  EXPECT_EQ(registry.Register(info, ModifierFunction()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.size(), 0u);
}

TEST(ModifierRegistry, ListsNamesSorted) {
  ModifierRegistry registry;
  auto fn = [](const ModifierCall&) -> Result<Json> { return Json(1); };
  for (const char* name : {"g_b", "g_c", "g_a"}) {
    ModifierInfo info;
    info.name = name;
    ASSERT_TRUE(registry.Register(info, fn).ok());
  }
  EXPECT_EQ(registry.Names(), (std::vector<std::string>{"g_a", "g_b", "g_c"}));
}

TEST(ModifierRegistry, MetadataHasAppmixerShape) {
  ModifierRegistry registry;
  ASSERT_TRUE(RegisterBuiltinModifiers(registry).ok());
  Json meta = registry.Metadata();
  const Json& stringify = meta["modifiers"]["g_stringify"];
  EXPECT_EQ(stringify["label"], Json("Stringify"));
  EXPECT_EQ(stringify["category"], Arr({"object", "list"}));
  EXPECT_EQ(stringify["arguments"],
            Arr({Json::MakeObject({{"name", "space"}, {"type", "number"}, {"isHash", true}})}));
  EXPECT_EQ(stringify["returns"], Json::MakeObject({{"type", "string"}}));
  EXPECT_EQ(stringify["private"], Json(false));
  EXPECT_EQ(stringify["variableArguments"], Json(false));
  EXPECT_TRUE(stringify["description"].IsString());
  EXPECT_EQ(meta["modifiers"]["g_add"]["variableArguments"], Json(true));
  EXPECT_EQ(meta["modifiers"]["g_subtract"]["private"], Json(true));
  EXPECT_EQ(meta["categories"]["text"]["label"], Json("Text"));
  EXPECT_EQ(meta["categories"]["text"]["index"], Json(1));
  // Every category a modifier names is listed.
  for (const auto& m : meta["modifiers"].object()) {
    for (const Json& c : m.value["category"].array()) {
      EXPECT_TRUE(meta["categories"].Contains(c.StringView())) << m.key << " " << c.Dump();
    }
  }
}

TEST(ModifierRegistry, BuiltinsCoverTheContractNames) {
  ModifierRegistry registry;
  ASSERT_TRUE(RegisterBuiltinModifiers(registry).ok());
  for (const char* name :
       {"g_jsonPath",    "g_uuid4",       "g_first",       "g_last",        "g_length",
        "g_addTimeSpan", "g_flowId",      "g_timestamp",   "g_javascript",  "g_random",
        "g_stringify",   "g_flowName",    "g_add",         "g_mul",         "g_floor",
        "g_userId",      "g_now",         "g_pi",          "g_greaterThan", "g_split",
        "g_join",        "g_map",         "g_parse",       "g_replace",     "g_trim",
        "g_formatDate",  "g_condition",   "g_regex",       "g_decoder",     "g_encoder",
        "g_uppercase",   "g_lowercase",   "g_capitalize",  "g_trimStart",   "g_trimEnd",
        "g_substring",   "g_contains",    "g_startsWith",  "g_endsWith",    "g_padStart",
        "g_padEnd",      "g_concat",      "g_prepend",     "g_toString",    "g_slugify",
        "g_sub",         "g_subtract",    "g_multiply",    "g_div",         "g_divide",
        "g_mod",         "g_ceil",        "g_round",       "g_abs",         "g_min",
        "g_max",         "g_toNumber",    "g_lessThan",    "g_pow",         "g_subtractTimeSpan",
        "g_parseDate",   "g_toTimestamp", "g_dateDiff",    "g_at",          "g_slice",
        "g_reverse",     "g_sort",        "g_unique",      "g_flatten",     "g_filterEmpty",
        "g_keys",        "g_values",      "g_if",          "g_default",     "g_not",
        "g_equals",      "g_webhookUrl",  "g_customFields"}) {
    EXPECT_NE(registry.Find(name), nullptr) << name;
  }
  for (const char* generator : {"g_uuid4", "g_now", "g_timestamp", "g_random", "g_pi", "g_flowId",
                                "g_flowName", "g_userId", "g_webhookUrl", "g_customFields"}) {
    EXPECT_FALSE(registry.Find(generator)->info.uses_value) << generator;
  }
  EXPECT_TRUE(registry.Find("g_uppercase")->info.uses_value);
  EXPECT_EQ(RegisterBuiltinModifiers(registry).code(), StatusCode::kAlreadyExists);
}

// ---- text ----

TEST_F(ModifierTest, CaseModifiersConvertText) {
  EXPECT_EQ(Ok("g_uppercase", "Jiří straße"), Json("JIŘÍ STRASSE"));
  EXPECT_EQ(Ok("g_lowercase", "ŽLUŤOUČKÝ Kůň"), Json("žluťoučký kůň"));
  EXPECT_EQ(Ok("g_uppercase", 12), Json("12"));
  EXPECT_EQ(Ok("g_capitalize", "hello world"), Json("Hello world"));
  EXPECT_EQ(Ok("g_capitalize", "čau"), Json("Čau"));
  EXPECT_EQ(Ok("g_capitalize", ""), Json(""));
}

TEST_F(ModifierTest, TextModifiersPassMissingValuesThrough) {
  for (const char* name : {"g_uppercase", "g_lowercase", "g_capitalize", "g_trim", "g_trimStart",
                           "g_trimEnd", "g_substring", "g_slugify"}) {
    EXPECT_TRUE(Ok(name, kUndef).IsUndefined()) << name;
    EXPECT_TRUE(Ok(name, nullptr).IsNull()) << name;
  }
  EXPECT_TRUE(Ok("g_replace", kUndef, {"a", "b"}).IsUndefined());
}

TEST_F(ModifierTest, TextModifiersRejectObjects) {
  EXPECT_NE(Err("g_uppercase", Json::MakeObject({{"a", 1}})).find("object"), std::string::npos);
  EXPECT_NE(Err("g_trim", Arr({1})).find("array"), std::string::npos);
}

TEST_F(ModifierTest, TrimUsesJavaScriptWhiteSpace) {
  EXPECT_EQ(Ok("g_trim", "  \t a b \n"), Json("a b"));
  EXPECT_EQ(Ok("g_trimStart", "  a "), Json("a "));
  EXPECT_EQ(Ok("g_trimEnd", "  a \xc2\xa0"), Json("  a"));
  EXPECT_EQ(Ok("g_trim", "   "), Json(""));
  EXPECT_EQ(Ok("g_trimEnd", "   "), Json(""));
}

TEST_F(ModifierTest, ReplaceReplacesAllByDefault) {
  EXPECT_EQ(Ok("g_replace", "a-b-c", {"-", "+"}), Json("a+b+c"));
  EXPECT_EQ(Ok("g_replace", "a-b-c", {"-", "+"}, Hash({{"all", false}})), Json("a+b-c"));
  EXPECT_EQ(Ok("g_replace", "a-b-c", {"-"}), Json("abc"));
  EXPECT_EQ(Ok("g_replace", "abc", {"x", "y"}), Json("abc"));
  EXPECT_EQ(Ok("g_replace", "$1", {"$", "$$"}), Json("$$1"));  // literal replacement
  EXPECT_EQ(Ok("g_replace", 1234, {"23", ""}), Json("14"));
}

TEST_F(ModifierTest, ReplaceSupportsRegularExpressions) {
  EXPECT_EQ(Ok("g_replace", "John Smith", {"(\\w+) (\\w+)", "$2, $1"}, Hash({{"regex", true}})),
            Json("Smith, John"));
  EXPECT_EQ(Ok("g_replace", "a1b22", {"\\d+", "#"}, Hash({{"regex", "true"}})), Json("a#b#"));
  EXPECT_EQ(Ok("g_replace", "A1a", {"/a/i", "x"}, Hash({{"regex", true}, {"all", false}})),
            Json("x1a"));
  EXPECT_NE(Err("g_replace", "abc", {"(", "x"}, Hash({{"regex", true}}))
                .find("invalid regular expression"),
            std::string::npos);
  Err("g_replace", "abc", {});
}

TEST_F(ModifierTest, SubstringFollowsJavaScript) {
  EXPECT_EQ(Ok("g_substring", "Hello", {"1", "3"}), Json("el"));
  EXPECT_EQ(Ok("g_substring", "Hello", {"3", "1"}), Json("el"));  // swapped
  EXPECT_EQ(Ok("g_substring", "Hello", {"2"}), Json("llo"));
  EXPECT_EQ(Ok("g_substring", "Hello", {"-3", "99"}), Json("Hello"));
  EXPECT_EQ(Ok("g_substring", "Jiří", {"2", "4"}), Json("ří"));
  EXPECT_EQ(Ok("g_substring", "Hello", {"abc", "2"}), Json("He"));  // NaN → 0
}

TEST_F(ModifierTest, SplitMakesAList) {
  EXPECT_EQ(Ok("g_split", "a-b--c", {"-"}), Arr({"a", "b", "", "c"}));
  EXPECT_EQ(Ok("g_split", "abc", {""}), Arr({"a", "b", "c"}));
  EXPECT_EQ(Ok("g_split", "abc"), Arr({"abc"}));
  EXPECT_EQ(Ok("g_split", "", {","}), Arr({""}));
  EXPECT_EQ(Ok("g_split", kUndef, {","}), Arr({}));
  EXPECT_EQ(Ok("g_split", Arr({"x"}), {","}), Arr({"x"}));
  EXPECT_EQ(Ok("g_split", 1.5, {"."}), Arr({"1", "5"}));
  Err("g_split", Json::MakeObject(), {","});
}

TEST_F(ModifierTest, JoinMakesText) {
  EXPECT_EQ(Ok("g_join", Arr({"a", 1, nullptr, true})), Json("a,1,,true"));
  EXPECT_EQ(Ok("g_join", Arr({"a", "b"}), {" | "}), Json("a | b"));
  EXPECT_EQ(Ok("g_join", Arr({Json::MakeObject({{"k", 1}})}), {";"}), Json("{\"k\":1}"));
  EXPECT_EQ(Ok("g_join", kUndef), Json(""));
  EXPECT_EQ(Ok("g_join", "text"), Json("text"));
  Err("g_join", Json::MakeObject());
}

TEST_F(ModifierTest, LengthCountsLikeJavaScript) {
  EXPECT_EQ(Ok("g_length", "Jiří"), Json(4));
  EXPECT_EQ(Ok("g_length", "😀"), Json(2));  // UTF-16 code units
  EXPECT_EQ(Ok("g_length", Arr({1, 2, 3})), Json(3));
  EXPECT_EQ(Ok("g_length", Json::MakeObject({{"length", 5}})), Json(0));
  EXPECT_EQ(Ok("g_length", 12345), Json(0));
  EXPECT_EQ(Ok("g_length", kUndef), Json(0));
}

TEST_F(ModifierTest, ContainsStartsWithEndsWith) {
  EXPECT_EQ(Ok("g_contains", "Hello World", {"world"}), Json(true));
  EXPECT_EQ(Ok("g_contains", "Hello", {"xyz"}), Json(false));
  EXPECT_EQ(Ok("g_contains", Arr({"a", 5}), {"5"}), Json(true));
  EXPECT_EQ(Ok("g_contains", Arr({"a", 5}), {"b"}), Json(false));
  EXPECT_EQ(Ok("g_contains", kUndef, {"a"}), Json(false));
  EXPECT_EQ(Ok("g_startsWith", "flowkit", {"flow"}), Json(true));
  EXPECT_EQ(Ok("g_startsWith", "flowkit", {"kit"}), Json(false));
  EXPECT_EQ(Ok("g_endsWith", "flowkit", {"kit"}), Json(true));
  EXPECT_EQ(Ok("g_endsWith", "kit", {"flowkit"}), Json(false));
  EXPECT_EQ(Ok("g_startsWith", nullptr, {"a"}), Json(false));
  Err("g_startsWith", "abc");
}

TEST_F(ModifierTest, PadAddsCharacters) {
  EXPECT_EQ(Ok("g_padStart", "5", {"3", "0"}), Json("005"));
  EXPECT_EQ(Ok("g_padStart", 7, {"3"}), Json("  7"));
  EXPECT_EQ(Ok("g_padEnd", "ab", {"5", "xy"}), Json("abxyx"));
  EXPECT_EQ(Ok("g_padEnd", "abcdef", {"3"}), Json("abcdef"));
  Err("g_padStart", "a", {"many"});
  Err("g_padStart", "a", {"1e9"});
}

TEST_F(ModifierTest, ConcatAndPrepend) {
  EXPECT_EQ(Ok("g_concat", "a", {"b", 1}), Json("ab1"));
  EXPECT_EQ(Ok("g_concat", kUndef, {"b"}), Json("b"));
  EXPECT_EQ(Ok("g_concat", Arr({1}), {Arr({2, 3}), 4}), Arr({1, 2, 3, 4}));
  EXPECT_EQ(Ok("g_prepend", "world", {"hello "}), Json("hello world"));
  EXPECT_EQ(Ok("g_prepend", kUndef, {"x"}), Json("x"));
}

TEST_F(ModifierTest, ToStringConvertsEverything) {
  EXPECT_EQ(Ok("g_toString", 1.5), Json("1.5"));
  EXPECT_EQ(Ok("g_toString", true), Json("true"));
  EXPECT_EQ(Ok("g_toString", Arr({1, 2})), Json("1,2"));
  EXPECT_EQ(Ok("g_toString", Json::MakeObject({{"a", 1}})), Json("{\"a\":1}"));
  EXPECT_EQ(Ok("g_toString", kUndef), Json(""));
  EXPECT_EQ(Ok("g_toString", nullptr), Json(""));
}

TEST_F(ModifierTest, SlugifyMakesUrlWords) {
  EXPECT_EQ(Ok("g_slugify", "Příliš žluťoučký kůň!"), Json("prilis-zlutoucky-kun"));
  EXPECT_EQ(Ok("g_slugify", "  Hello,   World  "), Json("hello-world"));
  EXPECT_EQ(Ok("g_slugify", "A B", {"_"}), Json("a_b"));
}

TEST_F(ModifierTest, RegexReturnsMatchOrGroupOrNull) {
  EXPECT_EQ(Ok("g_regex", "order #1234 shipped", {"#(\\d+)"}), Json("#1234"));
  EXPECT_EQ(Ok("g_regex", "order #1234 shipped", {"#(\\d+)", "1"}), Json("1234"));
  EXPECT_EQ(Ok("g_regex", "order #1234", {"#(?<id>\\d+)", "id"}), Json("1234"));
  EXPECT_EQ(Ok("g_regex", "nothing", {"\\d+"}), Json(nullptr));
  EXPECT_EQ(Ok("g_regex", "ABC", {"b"}, Hash({{"flags", "i"}})), Json("B"));
  EXPECT_EQ(Ok("g_regex", kUndef, {"a"}), Json(nullptr));
  EXPECT_EQ(Ok("g_regex", "a", {"(a)(b)?", "2"}), Json(nullptr));
  Err("g_regex", "abc", {"("});
  Err("g_regex", "abc");
  Err("g_regex", "abc", {"(a)", "5"});
  Err("g_regex", "abc", {"(a)", "name"});
}

TEST_F(ModifierTest, EncoderAndDecoderRoundTrip) {
  EXPECT_EQ(Ok("g_encoder", "Hello, Jiří!"), Json("SGVsbG8sIEppxZnDrSE="));
  EXPECT_EQ(Ok("g_decoder", "SGVsbG8sIEppxZnDrSE="), Json("Hello, Jiří!"));
  EXPECT_EQ(Ok("g_encoder", "?\?>>", {"base64url"}), Json("Pz8-Pg"));
  EXPECT_EQ(Ok("g_decoder", "Pz8-Pg", {"base64url"}), Json("?\?>>"));
  EXPECT_EQ(Ok("g_decoder", "Pz8-Pg"), Json("?\?>>"));  // Node accepts both alphabets
  EXPECT_EQ(Ok("g_encoder", "a b&c=ř", {"url"}), Json("a%20b%26c%3D%C5%99"));
  EXPECT_EQ(Ok("g_decoder", "a%20b%26c%3D%C5%99", {"url"}), Json("a b&c=ř"));
  EXPECT_EQ(Ok("g_encoder", "hi", {"hex"}), Json("6869"));
  EXPECT_EQ(Ok("g_decoder", "6869", {"hex"}), Json("hi"));
  EXPECT_EQ(Ok("g_encoder", Json::MakeObject({{"a", 1}})), Json("eyJhIjoxfQ=="));
  EXPECT_TRUE(Ok("g_decoder", kUndef).IsUndefined());
  Err("g_decoder", "!!!");
  Err("g_decoder", "abc", {"hex"});
  Err("g_decoder", "%zz", {"url"});
  Err("g_decoder", "%4", {"url"});
  Err("g_decoder", "%FF", {"url"});
  Err("g_encoder", "x", {"rot13"});
  Err("g_decoder", 5);
}

// ---- numbers ----

TEST_F(ModifierTest, ArithmeticConvertsTextParameters) {
  EXPECT_EQ(Ok("g_add", 5, {"1"}), Json(6));
  EXPECT_EQ(Ok("g_add", "5", {"1", 2}), Json(8));
  EXPECT_EQ(Ok("g_mul", 0.25, {"100"}), Json(25));
  EXPECT_EQ(Ok("g_sub", 10, {"4"}), Json(6));
  EXPECT_EQ(Ok("g_subtract", 10, {"4"}), Json(6));
  EXPECT_EQ(Ok("g_div", 10, {"4"}), Json(2.5));
  EXPECT_EQ(Ok("g_divide", 9, {3}), Json(3));
  EXPECT_EQ(Ok("g_multiply", 3, {3}), Json(9));
  EXPECT_EQ(Ok("g_mod", 10, {"3"}), Json(1));
  EXPECT_EQ(Ok("g_mod", -7, {"3"}), Json(-1));  // JavaScript's sign rule
  EXPECT_EQ(Ok("g_pow", 2, {"10"}), Json(1024));
  EXPECT_EQ(Ok("g_add", nullptr, {"1"}), Json(1));  // Number(null) is 0
  EXPECT_EQ(Ok("g_add", "", {"1"}), Json(1));
}

TEST_F(ModifierTest, ArithmeticRejectsNonNumbers) {
  EXPECT_NE(Err("g_add", "abc", {"1"}).find("\"abc\""), std::string::npos);
  Err("g_add", kUndef, {"1"});
  Err("g_add", 1, {"x"});
  Err("g_add", 1);
  Err("g_mul", Json::MakeObject(), {"2"});
  EXPECT_NE(Err("g_div", 1, {"0"}).find("division by zero"), std::string::npos);
  Err("g_mod", 1, {0});
  Err("g_sub", 1);
}

TEST_F(ModifierTest, RoundingModifiers) {
  EXPECT_EQ(Ok("g_floor", 2.7), Json(2));
  EXPECT_EQ(Ok("g_floor", "-2.5"), Json(-3));
  EXPECT_EQ(Ok("g_ceil", 2.1), Json(3));
  EXPECT_EQ(Ok("g_abs", -4), Json(4));
  EXPECT_EQ(Ok("g_round", 2.5), Json(3));
  EXPECT_EQ(Ok("g_round", -2.5), Json(-2));  // Math.round
  EXPECT_EQ(Ok("g_round", 1.005, {"2"}), Json(1.01));
  EXPECT_EQ(Ok("g_round", 1234.5678, {"-2"}), Json(1200));
  EXPECT_EQ(Ok("g_round", 3.14159, {""}), Json(3));
  Err("g_round", 1, {"1.5"});
  Err("g_floor", "x");
}

TEST_F(ModifierTest, MinAndMaxOverListsAndParameters) {
  EXPECT_EQ(Ok("g_max", Arr({3, "10", 7})), Json(10));
  EXPECT_EQ(Ok("g_min", Arr({3, "10", nullptr, 7})), Json(3));
  EXPECT_EQ(Ok("g_max", 5, {"8", "2"}), Json(8));
  EXPECT_EQ(Ok("g_min", kUndef, {"8", "2"}), Json(2));
  EXPECT_TRUE(Ok("g_max", Arr({})).IsUndefined());
  Err("g_max", Arr({1, "x"}));
}

TEST_F(ModifierTest, ToNumberGivesNullForNonNumbers) {
  EXPECT_EQ(Ok("g_toNumber", " 42 "), Json(42));
  EXPECT_EQ(Ok("g_toNumber", "0x10"), Json(16));
  EXPECT_EQ(Ok("g_toNumber", true), Json(1));
  EXPECT_EQ(Ok("g_toNumber", "abc"), Json(nullptr));
  EXPECT_EQ(Ok("g_toNumber", kUndef), Json(nullptr));
}

TEST_F(ModifierTest, GreaterThanAndLessThanCompareNumbersThenText) {
  EXPECT_EQ(Ok("g_greaterThan", 150, {"100"}), Json(true));
  EXPECT_EQ(Ok("g_greaterThan", "9", {"100"}), Json(false));  // both numeric: numeric
  EXPECT_EQ(Ok("g_greaterThan", 100, {"100"}), Json(false));
  EXPECT_EQ(Ok("g_greaterThan", "b", {"a"}), Json(true));  // text order
  EXPECT_EQ(Ok("g_greaterThan", "abc", {"5"}),
            Json(true));                                    // two texts: "a" > "5" as in JavaScript
  EXPECT_EQ(Ok("g_greaterThan", 5, {"abc"}), Json(false));  // number vs NaN
  EXPECT_EQ(Ok("g_greaterThan", kUndef, {"5"}), Json(false));
  EXPECT_EQ(Ok("g_lessThan", 5, {"10"}), Json(true));
  EXPECT_EQ(Ok("g_lessThan", "a", {"b"}), Json(true));
  Err("g_greaterThan", 1);
}

TEST_F(ModifierTest, RandomIsInUnitInterval) {
  std::set<double> seen;
  for (int i = 0; i < 100; ++i) {
    Json r = Ok("g_random", kUndef);
    ASSERT_TRUE(r.IsNumber());
    double d = r.AsDouble();
    EXPECT_GE(d, 0);
    EXPECT_LT(d, 1);
    seen.insert(d);
  }
  EXPECT_GT(seen.size(), 90u);
}

// ---- dates ----

TEST_F(ModifierTest, NowAndTimestampReadTheClock) {
  EXPECT_EQ(Ok("g_now", kUndef), Json("2026-11-23T18:23:11.123Z"));
  EXPECT_EQ(Ok("g_timestamp", "ignored"), Json(kNow));
  clock_.Advance(1000);
  EXPECT_EQ(Ok("g_timestamp", kUndef), Json(kNow + 1000));
}

// A message sent in the same millisecond as it is transformed sees "now" one millisecond later,
// so a timestamp taken upstream compares earlier than g_now (Appmixer's condition test flow
// asserts exactly that); a message sent earlier sees the clock unchanged.
TEST_F(ModifierTest, NowIsAfterTheMessageWasSent) {
  env_.sent_ms = kNow;
  EXPECT_EQ(Ok("g_timestamp", kUndef), Json(kNow + 1));
  EXPECT_EQ(Ok("g_now", kUndef), Json("2026-11-23T18:23:11.124Z"));
  EXPECT_EQ(Ok("g_toTimestamp", kUndef), Json(kNow + 1));  // a missing date is "now" too
  env_.sent_ms = kNow - 500;
  EXPECT_EQ(Ok("g_timestamp", kUndef), Json(kNow));
  env_.sent_ms = 0;
  EXPECT_EQ(Ok("g_timestamp", kUndef), Json(kNow));
}

TEST_F(ModifierTest, AddTimeSpanAddsUnits) {
  EXPECT_EQ(Ok("g_addTimeSpan", "2026-11-23T18:23:11.000Z", {},
               Hash({{"days", "1"}, {"hours", 2}, {"minutes", "30"}})),
            Json("2026-11-24T20:53:11.000Z"));
  EXPECT_EQ(Ok("g_addTimeSpan", "2026-01-31", {}, Hash({{"months", 1}})),
            Json("2026-02-28T00:00:00.000Z"));
  EXPECT_EQ(Ok("g_addTimeSpan", "2024-02-29", {}, Hash({{"years", 1}})),
            Json("2025-02-28T00:00:00.000Z"));
  EXPECT_EQ(Ok("g_addTimeSpan", "2026-11-23", {}, Hash({{"weeks", 1}, {"seconds", 5}})),
            Json("2026-11-30T00:00:05.000Z"));
  EXPECT_EQ(Ok("g_addTimeSpan", 0, {}, Hash({{"days", -1}})), Json("1969-12-31T00:00:00.000Z"));
  EXPECT_EQ(Ok("g_addTimeSpan", kUndef, {}, Hash({{"minutes", 1}})),
            Json("2026-11-23T18:24:11.123Z"));  // now
  EXPECT_EQ(Ok("g_addTimeSpan", "2026-11-23", {}, Hash({{"days", ""}})),
            Json("2026-11-23T00:00:00.000Z"));
  EXPECT_EQ(Ok("g_subtractTimeSpan", "2026-03-31", {}, Hash({{"months", 1}})),
            Json("2026-02-28T00:00:00.000Z"));
  Err("g_addTimeSpan", "not a date", {}, Hash({{"days", 1}}));
  Err("g_addTimeSpan", nullptr, {}, Hash({{"days", 1}}));
  Err("g_addTimeSpan", "2026-11-23", {}, Hash({{"days", "x"}}));
  Err("g_addTimeSpan", "2026-11-23", {}, Hash({{"fortnights", 1}}));
}

TEST_F(ModifierTest, FormatDateUsesMomentTokensAndZones) {
  EXPECT_EQ(Ok("g_formatDate", "2026-11-23T18:23:11Z", {"DD.MM.YYYY HH:mm"}),
            Json("23.11.2026 18:23"));
  EXPECT_EQ(Ok("g_formatDate", "2026-11-23T18:23:11Z", {},
               Hash({{"format", "LLL"}, {"timezone", "Europe/Prague"}})),
            Json("November 23, 2026 7:23 PM"));
  EXPECT_EQ(Ok("g_formatDate", 0, {"YYYY"}), Json("1970"));
  EXPECT_EQ(Ok("g_formatDate", kUndef, {"YYYY-MM-DD"}), Json("2026-11-23"));
  EXPECT_EQ(Ok("g_formatDate", "2026-11-23T18:23:11Z"), Json("2026-11-23T18:23:11Z"));
  EXPECT_NE(Err("g_formatDate", "2026-11-23", {"YYYY", "Nowhere/City"}).find("unknown time zone"),
            std::string::npos);
  Err("g_formatDate", "yesterday", {"YYYY"});
}

TEST_F(ModifierTest, ParseDateReadsTextIntoIso) {
  EXPECT_EQ(Ok("g_parseDate", "Mon, 23 Nov 2026 18:23:11 +0000"), Json("2026-11-23T18:23:11.000Z"));
  EXPECT_EQ(Ok("g_parseDate", "23.11.2026 19:23", {"DD.MM.YYYY HH:mm", "Europe/Prague"}),
            Json("2026-11-23T18:23:00.000Z"));
  EXPECT_EQ(Ok("g_parseDate", "11/23/26 6:23 pm", {"MM/DD/YY h:mm a"}),
            Json("2026-11-23T18:23:00.000Z"));
  EXPECT_EQ(Ok("g_parseDate", "23 November 2026", {"D MMMM YYYY"}),
            Json("2026-11-23T00:00:00.000Z"));
  EXPECT_EQ(Ok("g_parseDate", "1795458191", {"X"}), Json("2026-11-23T18:23:11.000Z"));
  EXPECT_EQ(Ok("g_parseDate", "10:15", {"HH:mm"}), Json("2026-11-23T10:15:00.000Z"));  // today
  EXPECT_EQ(Ok("g_parseDate", "2026-11-23T19:23:11+01:00", {"YYYY-MM-DDTHH:mm:ssZ"}),
            Json("2026-11-23T18:23:11.000Z"));
  Err("g_parseDate", "31.02.2026", {"DD.MM.YYYY"});
  Err("g_parseDate", "hello", {"DD.MM.YYYY"});
  Err("g_parseDate", "whenever");
  Err("g_parseDate", kUndef);
}

TEST_F(ModifierTest, ToTimestampAndDateDiff) {
  EXPECT_EQ(Ok("g_toTimestamp", "2026-11-23T18:23:11.123Z"), Json(kNow));
  EXPECT_EQ(Ok("g_toTimestamp", kUndef), Json(kNow));
  Err("g_toTimestamp", "no");
  EXPECT_EQ(Ok("g_dateDiff", "2026-11-25", {"2026-11-23", "days"}), Json(2));
  EXPECT_EQ(Ok("g_dateDiff", "2026-11-23", {"2026-11-25", "days"}), Json(-2));
  EXPECT_EQ(Ok("g_dateDiff", "2026-11-23T12:00:00Z", {"2026-11-23", "days"}), Json(0));
  EXPECT_EQ(
      Ok("g_dateDiff", "2026-11-23T12:00:00Z", {"2026-11-23", "days"}, Hash({{"float", true}})),
      Json(0.5));
  EXPECT_EQ(Ok("g_dateDiff", "2026-03-31", {"2026-01-31", "months"}), Json(2));
  EXPECT_EQ(Ok("g_dateDiff", "2027-11-22", {"2026-11-23", "years"}), Json(0));
  EXPECT_EQ(Ok("g_dateDiff", "2026-11-23T00:00:01Z", {"2026-11-23"}), Json(1000));
  Err("g_dateDiff", "2026-11-23");
  Err("g_dateDiff", "2026-11-23", {"2026-11-22", "fortnights"});
}

// ---- lists ----

TEST_F(ModifierTest, FirstLastAndAt) {
  EXPECT_EQ(Ok("g_first", Arr({"a", "b"})), Json("a"));
  EXPECT_EQ(Ok("g_last", Arr({"a", "b"})), Json("b"));
  EXPECT_TRUE(Ok("g_first", Arr({})).IsUndefined());
  EXPECT_EQ(Ok("g_first", "ščř"), Json("š"));
  EXPECT_TRUE(Ok("g_first", kUndef).IsUndefined());
  EXPECT_TRUE(Ok("g_last", Json::MakeObject({{"0", 1}})).IsUndefined());
  EXPECT_EQ(Ok("g_at", Arr({1, 2, 3}), {"-1"}), Json(3));
  EXPECT_EQ(Ok("g_at", Arr({1, 2, 3}), {"1"}), Json(2));
  EXPECT_TRUE(Ok("g_at", Arr({1}), {"5"}).IsUndefined());
  Err("g_at", Arr({1}));
  Err("g_at", Arr({1}), {"x"});
}

TEST_F(ModifierTest, SliceAndReverse) {
  EXPECT_EQ(Ok("g_slice", Arr({1, 2, 3, 4}), {"1", "3"}), Arr({2, 3}));
  EXPECT_EQ(Ok("g_slice", Arr({1, 2, 3, 4}), {"-2"}), Arr({3, 4}));
  EXPECT_EQ(Ok("g_slice", Arr({1, 2}), {"3", "1"}), Arr({}));
  EXPECT_EQ(Ok("g_slice", "flowkit", {"0", "4"}), Json("flow"));
  Err("g_slice", 5, {"1"});
  EXPECT_EQ(Ok("g_reverse", Arr({1, 2, 3})), Arr({3, 2, 1}));
  EXPECT_EQ(Ok("g_reverse", "abč"), Json("čba"));
  EXPECT_TRUE(Ok("g_reverse", kUndef).IsUndefined());
}

TEST_F(ModifierTest, SortOrdersNumbersNumerically) {
  EXPECT_EQ(Ok("g_sort", Arr({10, 9, 1, "b", "a", nullptr})), Arr({1, 9, 10, "a", "b", nullptr}));
  EXPECT_EQ(Ok("g_sort", Arr({1, 3, 2}), {"", "desc"}), Arr({3, 2, 1}));
  Json people = Arr({Json::MakeObject({{"n", "b"}, {"age", 30}}),
                     Json::MakeObject({{"n", "a"}, {"age", 20}}), Json::MakeObject({{"n", "c"}})});
  EXPECT_EQ(Ok("g_map", Ok("g_sort", people, {"age"}), {"n"}), Arr({"a", "b", "c"}));
  EXPECT_EQ(Ok("g_map", Ok("g_sort", people, {"age", "desc"}), {"n"}), Arr({"b", "a", "c"}));
  Err("g_sort", Arr({1}), {"", "sideways"});
}

TEST_F(ModifierTest, UniqueFlattenFilterEmpty) {
  EXPECT_EQ(Ok("g_unique", Arr({1, "1", 1, Arr({2}), Arr({2})})), Arr({1, "1", Arr({2})}));
  EXPECT_EQ(Ok("g_flatten", Arr({1, Arr({2, Arr({3})})})), Arr({1, 2, Arr({3})}));
  EXPECT_EQ(Ok("g_flatten", Arr({1, Arr({2, Arr({3})})}), {"5"}), Arr({1, 2, 3}));
  EXPECT_EQ(Ok("g_filterEmpty", Arr({0, "", nullptr, false, Arr({}), Json::MakeObject(), "x"})),
            Arr({0, false, "x"}));
  EXPECT_EQ(Ok("g_unique", "text"), Json("text"));
}

TEST_F(ModifierTest, MapPlucksAPathFromEachItem) {
  Json rows =
      Arr({Json::MakeObject({{"user", Json::MakeObject({{"name", "Ann"}})}}),
           Json::MakeObject({{"user", Json::MakeObject({{"name", "Bob"}})}}), Json::MakeObject()});
  EXPECT_EQ(Ok("g_map", rows, {"user.name"}), Arr({"Ann", "Bob", nullptr}));
  EXPECT_EQ(Ok("g_map", kUndef, {"x"}), Arr({}));
  Err("g_map", rows);
  Err("g_map", rows, {"a["});
}

// ---- JSON ----

TEST_F(ModifierTest, JsonPathReadsNestedValues) {
  Json doc = Json::MakeObject(
      {{"properties", Json::MakeObject({{"firstname", "Ann"}})},
       {"items", Arr({Json::MakeObject({{"id", 7}}), Json::MakeObject({{"id", 8}})})},
       {"a.b", 1}});
  EXPECT_EQ(Ok("g_jsonPath", doc, {"properties.firstname"}), Json("Ann"));
  EXPECT_EQ(Ok("g_jsonPath", doc, {"$.properties.firstname"}), Json("Ann"));
  EXPECT_EQ(Ok("g_jsonPath", doc, {"items[1].id"}), Json(8));
  EXPECT_EQ(Ok("g_jsonPath", doc, {"items.0.id"}), Json(7));
  EXPECT_EQ(Ok("g_jsonPath", doc, {"$['a.b']"}), Json(1));
  EXPECT_EQ(Ok("g_jsonPath", doc, {"items[*].id"}), Arr({7, 8}));
  EXPECT_EQ(Ok("g_jsonPath", doc["items"], {"$[0].id"}), Json(7));
  EXPECT_EQ(Ok("g_jsonPath", doc, {"$"}), doc);
  EXPECT_TRUE(Ok("g_jsonPath", doc, {"missing.deeper"}).IsUndefined());
  EXPECT_TRUE(Ok("g_jsonPath", kUndef, {"a"}).IsUndefined());
  EXPECT_EQ(Ok("g_jsonPath", "{\"Name\":\"Row 1\"}", {"Name"}),
            Json("Row 1"));  // JSON text is read
  Err("g_jsonPath", doc, {"items[0"});
  Err("g_jsonPath", doc, {"$..id"});
}

TEST_F(ModifierTest, StringifyAndParse) {
  Json doc = Json::MakeObject({{"a", 1}, {"b", Arr({true})}});
  EXPECT_EQ(Ok("g_stringify", doc), Json("{\"a\":1,\"b\":[true]}"));
  EXPECT_EQ(Ok("g_stringify", doc, {}, Hash({{"space", 0}})), Json("{\"a\":1,\"b\":[true]}"));
  EXPECT_EQ(Ok("g_stringify", Json::MakeObject({{"a", 1}}), {}, Hash({{"space", "2"}})),
            Json("{\n  \"a\": 1\n}"));
  EXPECT_EQ(Ok("g_stringify", "x"), Json("\"x\""));
  EXPECT_TRUE(Ok("g_stringify", kUndef).IsUndefined());
  Err("g_stringify", doc, {}, Hash({{"space", "wide"}}));
  EXPECT_EQ(Ok("g_parse", "{\"a\":[1,2]}"), Json::MakeObject({{"a", Arr({1, 2})}}));
  EXPECT_EQ(Ok("g_parse", "42"), Json(42));
  EXPECT_EQ(Ok("g_parse", doc), doc);
  EXPECT_TRUE(Ok("g_parse", kUndef).IsUndefined());
  EXPECT_NE(Err("g_parse", "{bad").find("invalid JSON"), std::string::npos);
}

TEST_F(ModifierTest, KeysAndValues) {
  Json doc = Json::MakeObject({{"b", 1}, {"a", 2}});
  EXPECT_EQ(Ok("g_keys", doc), Arr({"b", "a"}));
  EXPECT_EQ(Ok("g_values", doc), Arr({1, 2}));
  EXPECT_EQ(Ok("g_keys", Arr({"x", "y"})), Arr({"0", "1"}));
  EXPECT_EQ(Ok("g_keys", kUndef), Arr({}));
  EXPECT_EQ(Ok("g_values", 5), Arr({}));
}

// ---- control ----

TEST_F(ModifierTest, ConditionReturnsBooleanOrBranch) {
  EXPECT_EQ(Ok("g_condition", 5, {}, Hash({{"operator", ">"}, {"value", "3"}})), Json(true));
  EXPECT_EQ(Ok("g_condition", "5", {}, Hash({{"operator", "="}, {"value", 5}})), Json(true));
  EXPECT_EQ(Ok("g_condition", true, {}, Hash({{"operator", "="}, {"value", "true"}})), Json(true));
  EXPECT_EQ(Ok("g_condition", "abc", {}, Hash({{"operator", ">"}, {"value", "abd"}})),
            Json(false));  // not numbers/dates
  EXPECT_EQ(Ok("g_condition", "2026-11-24", {},
               Hash({{"operator", ">"}, {"value", "2026-11-23T10:00:00Z"}})),
            Json(true));
  EXPECT_EQ(Ok("g_condition", "Hello", {}, Hash({{"operator", "contains"}, {"value", "ELL"}})),
            Json(true));
  EXPECT_EQ(Ok("g_condition", "", {}, Hash({{"operator", "empty"}})), Json(true));
  EXPECT_EQ(Ok("g_condition", 0, {}, Hash({{"operator", "notEmpty"}})), Json(true));
  EXPECT_EQ(
      Ok("g_condition", "updated: 1", {}, Hash({{"operator", "regex"}, {"value", "^updated"}})),
      Json(true));
  EXPECT_EQ(Ok("g_condition", 9, {}, Hash({{"operator", "%"}, {"value", 3}})), Json(true));
  EXPECT_EQ(Ok("g_condition", 5, {},
               Hash({{"operator", "<="}, {"value", 5}, {"then", "small"}, {"else", "big"}})),
            Json("small"));
  EXPECT_EQ(Ok("g_condition", 50, {},
               Hash({{"operator", "<="}, {"value", 5}, {"then", "small"}, {"else", "big"}})),
            Json("big"));
  EXPECT_EQ(Ok("g_condition", 50, {}, Hash({{"operator", "<"}, {"value", 5}, {"then", "small"}})),
            Json(50));
  EXPECT_EQ(Ok("g_condition", 1, {"!=", "2"}), Json(true));  // positional form
  EXPECT_EQ(Ok("g_condition", kUndef, {}, Hash({{"value", kUndef}})),
            Json(true));  // undefined == undefined
  EXPECT_NE(Err("g_condition", 1, {}, Hash({{"operator", "~"}})).find("unsupported operator"),
            std::string::npos);
  Err("g_condition", "x", {}, Hash({{"operator", "regex"}, {"value", "("}}));
}

TEST_F(ModifierTest, IfDefaultNotEquals) {
  EXPECT_EQ(Ok("g_if", "yes", {"A", "B"}), Json("A"));
  EXPECT_EQ(Ok("g_if", 0, {"A", "B"}), Json("B"));
  EXPECT_TRUE(Ok("g_if", kUndef, {"A"}).IsUndefined());
  EXPECT_EQ(Ok("g_default", kUndef, {"fallback"}), Json("fallback"));
  EXPECT_EQ(Ok("g_default", "", {"fallback"}), Json("fallback"));
  EXPECT_EQ(Ok("g_default", nullptr, {"fallback"}), Json("fallback"));
  EXPECT_EQ(Ok("g_default", 0, {"fallback"}), Json(0));
  EXPECT_EQ(Ok("g_not", ""), Json(true));
  EXPECT_EQ(Ok("g_not", "x"), Json(false));
  EXPECT_EQ(Ok("g_equals", 5, {"5"}), Json(true));
  EXPECT_EQ(Ok("g_equals", 5, {"5"}, Hash({{"strict", true}})), Json(false));
  EXPECT_EQ(Ok("g_equals", nullptr, {kUndef}), Json(true));
}

// ---- flow variables ----

TEST_F(ModifierTest, FlowVariablesReadTheEnvironment) {
  EXPECT_EQ(Ok("g_flowId", "ignored"), Json("flow-1"));
  EXPECT_EQ(Ok("g_flowName", kUndef), Json("My flow"));
  EXPECT_EQ(Ok("g_userId", kUndef), Json("user-7"));
  EXPECT_EQ(Ok("g_webhookUrl", kUndef),
            Json("https://example.test/flows/flow-1/components/comp-3"));
  EXPECT_EQ(Ok("g_customFields", kUndef), custom_fields_);
  EXPECT_EQ(Ok("g_customFields", kUndef, {"category"}), Json("healthcare"));
  EXPECT_EQ(Ok("g_customFields", kUndef, {"meta.tier"}), Json(2));
  EXPECT_TRUE(Ok("g_customFields", kUndef, {"nope"}).IsUndefined());
  env_.custom_fields = nullptr;
  EXPECT_EQ(Ok("g_customFields", kUndef), Json::MakeObject());
  EXPECT_EQ(Ok("g_pi", kUndef).AsDouble(), 3.141592653589793);
}

TEST_F(ModifierTest, Uuid4IsRandomVersion4) {
  auto well_formed = [](const std::string& id) {
    if (id.size() != 36 || id[14] != '4' ||
        std::string_view("89ab").find(id[19]) == std::string_view::npos) {
      return false;
    }
    for (size_t i = 0; i < id.size(); ++i) {
      bool dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash != (id[i] == '-')) return false;
      if (!dash && std::string_view("0123456789abcdef").find(id[i]) == std::string_view::npos)
        return false;
    }
    return true;
  };
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    std::string id = Ok("g_uuid4", kUndef).AsString();
    EXPECT_TRUE(well_formed(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 50u);
}

TEST_F(ModifierTest, JavaScriptRunsAFunctionBodyOnTheValue) {
  EXPECT_EQ(registry_.Find("g_javascript")->info.arguments.at(0).name, "code");
  // What Appmixer's own test flows write.
  EXPECT_EQ(Ok("g_javascript", kUndef, {"return true"}), Json(true));
  EXPECT_EQ(Ok("g_javascript", "flow-1", {"return false"}), Json(false));
  EXPECT_EQ(Ok("g_javascript", "flow-1", {"return 'Name,Points\\nJiří,100\\nAbby,22\\nBetty,21\\n'"}),
            Json("Name,Points\nJiří,100\nAbby,22\nBetty,21\n"));
  // The value is $data and value.
  EXPECT_EQ(Ok("g_javascript", Arr({1, 2, 3}), {"return $data.length + value[2]"}), Json(6));
  EXPECT_EQ(Ok("g_javascript", Json::MakeObject({{"first", "Ada"}, {"last", "Lovelace"}}),
               {"return $data.first + ' ' + $data.last.toUpperCase()"}),
            Json("Ada LOVELACE"));
}

TEST_F(ModifierTest, JavaScriptErrorsNameTheModifier) {
  EXPECT_NE(Err("g_javascript", kUndef, {"return ("}).find("JavaScript syntax error"), std::string::npos);
  EXPECT_NE(Err("g_javascript", kUndef, {"throw new TypeError('nope')"}).find("TypeError: nope"),
            std::string::npos);
  EXPECT_NE(Err("g_javascript", kUndef, {Json(5)}).find("must be text"), std::string::npos);
}

TEST_F(ModifierTest, JavaScriptUsesTheLimitsOfTheEnvironment) {
  JavaScriptLimits limits{.time_limit_ms = 50, .memory_limit_bytes = size_t{2} << 20};
  env_.javascript = &limits;
  auto r = Call("g_javascript", kUndef, {"for (;;) {}"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(r.status().message(), "g_javascript: JavaScript exceeded its 50 ms time limit");
  r = Call("g_javascript", kUndef, {"var s = 'x'; for (;;) s += s;"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "g_javascript: JavaScript exceeded its memory limit of 2097152 bytes");
}

TEST_F(ModifierTest, SystemClockIsUsedWithoutAClock) {
  env_.clock = nullptr;
  int64_t before = SystemClock()->NowMillis();
  int64_t got = Ok("g_timestamp", kUndef).AsInt();
  EXPECT_GE(got, before);
  EXPECT_LE(got, SystemClock()->NowMillis());
}

}  // namespace
}  // namespace flowkit
