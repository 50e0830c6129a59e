// appmixer.utils.filters.*, run one at a time in the component harness.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "components/builtin_registry.h"
#include "flowkit/testing.h"

namespace flowkit {
namespace {

using testing::ComponentHarness;
using testing::ReceiveOptions;

Json J(std::string_view text) {
  Result<Json> parsed = Json::Parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " in " << text;
  return parsed.ok() ? std::move(parsed).value() : Json::Undefined();
}

const ComponentRegistry& Registry() {
  static const ComponentRegistry* registry = [] {
    auto* r = new ComponentRegistry();
    Status s = components::RegisterFiltersComponents(*r);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return r;
  }();
  return *registry;
}

std::unique_ptr<ComponentHarness> Make(std::string_view type) {
  auto h = ComponentHarness::Create(Registry(), "appmixer.utils.filters." + std::string(type));
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  return h.ok() ? std::move(h).value() : nullptr;
}

// The sender's payload, different from every transformed content used below.
const Json& Upstream() {
  static const Json* upstream = new Json(Json::MakeObject({{"upstream", "payload"}, {"n", 42}}));
  return *upstream;
}

// Runs `type` on `content` (as transformed from Upstream()) and returns the port it chose; the
// message must be Upstream() unchanged.
std::string PortFor(std::string_view type, const char* content) {
  auto h = Make(type);
  ReceiveOptions options;
  options.original_content = Upstream();
  Status s = h->Receive("in", J(content), options);
  if (!s.ok()) return s.ToString();
  if (h->sent().size() != 1) return "sent " + std::to_string(h->sent().size()) + " messages";
  EXPECT_EQ(h->sent()[0].content, Upstream()) << type << " " << content;
  return h->sent()[0].port;
}

struct Case {
  const char* content;
  const char* port;
};

void ExpectPorts(std::string_view type, const std::vector<Case>& cases) {
  for (const Case& c : cases)
    EXPECT_EQ(PortFor(type, c.content), c.port) << type << " " << c.content;
}

TEST(FiltersRegistry, RegistersEveryTypeWithItsPorts) {
  struct Expected {
    std::string type;
    std::vector<std::string> out;
  };
  const std::vector<Expected> expected = {
      {"Contains", {"contains", "notContains"}},
      {"Equal", {"equals", "notEquals"}},
      {"NotEqual", {"notEquals", "equals"}},
      {"GreaterThan", {"greater", "notGreater"}},
      {"LessThan", {"less", "notLess"}},
      {"Range", {"inRange", "notInRange"}},
      {"IsNotEmpty", {"notEmpty", "empty"}},
      {"Identity", {"out"}},
      {"Modulo", {"modulo"}},
  };
  EXPECT_EQ(Registry().size(), expected.size());
  for (const Expected& e : expected) {
    SCOPED_TRACE(e.type);
    const ComponentType* type = Registry().Find("appmixer.utils.filters." + e.type);
    ASSERT_NE(type, nullptr);
    EXPECT_TRUE(type->runnable());
    EXPECT_TRUE(type->options.concurrent);
    ASSERT_EQ(type->manifest->in_ports.size(), 1u);
    EXPECT_EQ(type->manifest->in_ports[0].name, "in");
    std::vector<std::string> out;
    for (const PortSpec& p : type->manifest->out_ports) out.push_back(p.name);
    EXPECT_EQ(out, e.out);
  }
  EXPECT_TRUE(Registry().Find("appmixer.utils.filters.Identity")->manifest->is_private);
  EXPECT_FALSE(Registry().Find("appmixer.utils.filters.Equal")->manifest->is_private);
}

TEST(FiltersContains, CaseInsensitiveSubstringOfJsonText) {
  ExpectPorts("Contains", {
                              {R"({"sourceData":"Hello World","value":"o w"})", "contains"},
                              {R"({"sourceData":"Hello World","value":"WORLD"})", "contains"},
                              {R"({"sourceData":"Hello","value":"bye"})", "notContains"},
                              {R"({"sourceData":"Hello","value":""})", "contains"},
                              {R"({"sourceData":[1,2,3],"value":"2,3"})", "contains"},
                              {R"({"sourceData":{"Key":"v"},"value":"\"key\""})", "contains"},
                              {R"({"sourceData":12345,"value":34})", "contains"},
                              {R"({"sourceData":null,"value":"NULL"})", "contains"},
                          });
}

TEST(FiltersContains, BothInputsAreRequired) {
  auto h = Make("Contains");
  EXPECT_FALSE(h->Receive("in", J(R"({"sourceData":"x"})")).ok());
  EXPECT_FALSE(h->Receive("in", J(R"({"value":"x"})")).ok());
  EXPECT_TRUE(h->sent().empty());
}

TEST(FiltersEqual, LooseEqualityWithEmptyDefaults) {
  ExpectPorts("Equal", {
                           {R"({"sourceData":"a","value":"a"})", "equals"},
                           {R"({"sourceData":"a","value":"A"})", "notEquals"},
                           {R"({"sourceData":"1","value":"1.0"})", "notEquals"},  // two strings
                           {R"({})", "equals"},                                   // '' == ''
                           {R"({"sourceData":"a"})", "notEquals"},
                           {R"({"value":""})", "equals"},
                       });
}

TEST(FiltersEqual, StringPortCoercesNumbersAndBooleans) {
  // The in-port schema says string: 5 arrives as "5", true as "true".
  ExpectPorts("Equal", {
                           {R"({"sourceData":5,"value":"5"})", "equals"},
                           {R"({"sourceData":true,"value":"true"})", "equals"},
                       });
}

TEST(FiltersNotEqual, MirrorsEqualOnSwappedPorts) {
  ExpectPorts("NotEqual", {
                              {R"({"sourceData":"a","value":"b"})", "notEquals"},
                              {R"({"sourceData":"a","value":"a"})", "equals"},
                              {R"({})", "equals"},
                              {R"({"value":"x"})", "notEquals"},
                          });
}

TEST(FiltersGreaterThan, NumbersThenDatesElseFails) {
  ExpectPorts(
      "GreaterThan",
      {
          {R"({"sourceData":"10","greaterThan":"9"})", "greater"},
          {R"({"sourceData":"9","greaterThan":"10"})", "notGreater"},
          {R"({"sourceData":"10","greaterThan":"10"})", "greater"},
          {R"({"sourceData":"10","greaterThan":"10","exclusive":true})", "notGreater"},
          {R"({"sourceData":"","greaterThan":"-1"})", "greater"},  // '' is 0
          {R"({"sourceData":"bbb","greaterThan":"aaa"})", "notGreater"},
          {R"({"sourceData":"2020-03-01","greaterThan":"2020-02-01 10:00"})", "greater"},
          {R"({"sourceData":"2020-02-01","greaterThan":"2020-02-01T00:00:00Z"})", "greater"},
          {R"({"sourceData":"2020-02-01","greaterThan":"2020-02-01T00:00Z","exclusive":true})",
           "notGreater"},
          {R"({"sourceData":"2020-01-01","greaterThan":"2020-02-01"})", "notGreater"},
          {R"({"sourceData":"2020-03-01","greaterThan":"yesterday"})", "notGreater"},
      });
}

TEST(FiltersGreaterThan, RequiresBothOperands) {
  auto h = Make("GreaterThan");
  EXPECT_FALSE(h->Receive("in", J(R"({"sourceData":"1"})")).ok());
  EXPECT_TRUE(h->sent().empty());
}

TEST(FiltersLessThan, MirrorsGreaterThan) {
  ExpectPorts(
      "LessThan",
      {
          {R"({"sourceData":"9","lessThan":"10"})", "less"},
          {R"({"sourceData":"10","lessThan":"9"})", "notLess"},
          {R"({"sourceData":"10","lessThan":"10"})", "less"},
          {R"({"sourceData":"10","lessThan":"10","exclusive":true})", "notLess"},
          {R"({"sourceData":"aaa","lessThan":"bbb"})", "notLess"},
          {R"({"sourceData":"2020-01-01","lessThan":"2020-02-01"})", "less"},
          {R"({"sourceData":"2020-02-01","lessThan":"2020-02-01","exclusive":true})", "notLess"},
      });
}

TEST(FiltersRange, NumbersAndDatesWithExclusiveBounds) {
  ExpectPorts("Range",
              {
                  {R"({"sourceData":"5","rangeMin":"1","rangeMax":"10"})", "inRange"},
                  {R"({"sourceData":"1","rangeMin":"1","rangeMax":"10"})", "inRange"},
                  {R"({"sourceData":"1","rangeMin":"1","rangeMax":"10","exclusiveMin":true})",
                   "notInRange"},
                  {R"({"sourceData":"10","rangeMin":"1","rangeMax":"10","exclusiveMax":true})",
                   "notInRange"},
                  {R"({"sourceData":"11","rangeMin":"1","rangeMax":"10"})", "notInRange"},
                  {R"({"sourceData":"x","rangeMin":"1","rangeMax":"10"})", "notInRange"},
                  {R"({"sourceData":"2020-01-15","rangeMin":"2020-01-01","rangeMax":"2020-02-01"})",
                   "inRange"},
                  {R"({"sourceData":"2020-02-01","rangeMin":"2020-01-01","rangeMax":"2020-02-01"})",
                   "inRange"},
                  {R"({"sourceData":"2020-02-01","rangeMin":"2020-01-01","rangeMax":"2020-02-01",)"
                   R"("exclusiveMax":true})",
                   "notInRange"},
                  // Appmixer's bug: equality with the minimum is checked against the maximum.
                  {R"({"sourceData":"2020-01-01","rangeMin":"2020-01-01","rangeMax":"2020-02-01"})",
                   "notInRange"},
              });
}

TEST(FiltersIsNotEmpty, NumbersAndBooleansAreNeverEmpty) {
  ExpectPorts("IsNotEmpty", {
                                {R"({"sourceData":"x"})", "notEmpty"},
                                {R"({"sourceData":0})", "notEmpty"},
                                {R"({"sourceData":false})", "notEmpty"},
                                {R"({"sourceData":[0]})", "notEmpty"},
                                {R"({"sourceData":{"a":null}})", "notEmpty"},
                                {R"({"sourceData":""})", "empty"},
                                {R"({"sourceData":[]})", "empty"},
                                {R"({"sourceData":{}})", "empty"},
                                {R"({"sourceData":null})", "empty"},
                                {R"({})", "empty"},
                            });
}

TEST(FiltersIsNotEmpty, ForwardsOriginalContentOfAppmixersFilterFlow) {
  // filters/test-flow.json checks a random number, a boolean, text and an array: all notEmpty.
  ExpectPorts("IsNotEmpty", {
                                {R"({"sourceData":0.4217})", "notEmpty"},
                                {R"({"sourceData":false})", "notEmpty"},
                                {R"({"sourceData":"Hello world"})", "notEmpty"},
                                {R"({"sourceData":["a","b"]})", "notEmpty"},
                            });
}

TEST(FiltersIdentity, PassesTransformedContent) {
  auto h = Make("Identity");
  ReceiveOptions options;
  options.original_content = Upstream();
  ASSERT_TRUE(h->Receive("in", J(R"({"picked":1})"), options).ok());
  ASSERT_TRUE(h->Receive("in", J(R"("text")")).ok());
  ASSERT_EQ(h->sent().size(), 2u);
  EXPECT_EQ(h->sent()[0].port, "out");
  EXPECT_EQ(h->sent()[0].content, J(R"({"picked":1})"));
  EXPECT_EQ(h->sent()[1].content, Json("text"));
}

TEST(FiltersModulo, SendsTheBareRemainder) {
  auto remainder = [](const char* content) {
    auto h = Make("Modulo");
    Status s = h->Receive("in", J(content));
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(h->sent().size(), 1u);
    if (h->sent().empty()) return Json::Undefined();
    EXPECT_EQ(h->sent()[0].port, "modulo");
    return h->sent()[0].content;
  };
  EXPECT_EQ(remainder(R"({"sourceData":10,"value":3})"), Json(1));
  EXPECT_EQ(remainder(R"({"sourceData":10,"value":5})"), Json(0));
  EXPECT_EQ(remainder(R"({"sourceData":10.5,"value":3})"), Json(1.5));
  EXPECT_EQ(remainder(R"({"sourceData":-7,"value":3})"), Json(-1));
  EXPECT_EQ(remainder(R"({"sourceData":"12","value":"5"})"), Json(2));  // coerced by the schema
  // NaN (division by zero) goes out as JSON null.
  EXPECT_EQ(remainder(R"({"sourceData":10,"value":0})"), Json(nullptr));
}

TEST(FiltersModulo, RequiresNumbers) {
  auto h = Make("Modulo");
  EXPECT_FALSE(h->Receive("in", J(R"({"sourceData":10})")).ok());
  EXPECT_FALSE(h->Receive("in", J(R"({"sourceData":"ten","value":3})")).ok());
  EXPECT_TRUE(h->sent().empty());
}

}  // namespace
}  // namespace flowkit
