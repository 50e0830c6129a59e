// appmixer.utils.filters.*: each filter tests its transformed input and forwards the sender's
// untransformed payload (originalContent) to its pass or fail port. Modulo and Identity are not
// filters but live in the same Appmixer module.
#include <cmath>
#include <memory>
#include <string_view>

#include "components/builtin_registry.h"
#include "components/filters/compare.h"
#include "components/input_util.h"
#include "util/js.h"

namespace flowkit::components {
namespace {

// JavaScript destructuring defaults (`{sourceData = ''} = content`) replace only undefined.
const Json& OrEmptyString(const Json& value) {
  static const Json* empty = new Json("");
  return value.IsUndefined() ? *empty : value;
}

const Json& Field(const Json& content, std::string_view name) {
  return OrEmptyString(content.Get(name));
}

struct FilterSpec {
  std::string_view type;
  std::string_view pass_port;
  std::string_view fail_port;
  bool (*passes)(const Json& content, int64_t now_ms);
};

constexpr FilterSpec kFilters[] = {
    {"appmixer.utils.filters.Contains", "contains", "notContains",
     [](const Json& c, int64_t) { return js::Contains(c.Get("sourceData"), c.Get("value")); }},
    {"appmixer.utils.filters.Equal", "equals", "notEquals",
     [](const Json& c, int64_t) {
       return js::LooseEquals(Field(c, "sourceData"), Field(c, "value"));
     }},
    {"appmixer.utils.filters.NotEqual", "notEquals", "equals",
     [](const Json& c, int64_t) {
       return !js::LooseEquals(Field(c, "sourceData"), Field(c, "value"));
     }},
    {"appmixer.utils.filters.GreaterThan", "greater", "notGreater",
     [](const Json& c, int64_t now) {
       return IsGreaterThan(Field(c, "sourceData"), Field(c, "greaterThan"),
                            js::Truthy(c.Get("exclusive")), now);
     }},
    {"appmixer.utils.filters.LessThan", "less", "notLess",
     [](const Json& c, int64_t now) {
       return IsLessThan(Field(c, "sourceData"), Field(c, "lessThan"),
                         js::Truthy(c.Get("exclusive")), now);
     }},
    {"appmixer.utils.filters.Range", "inRange", "notInRange",
     [](const Json& c, int64_t now) {
       return IsInRange(Field(c, "sourceData"), Field(c, "rangeMin"), Field(c, "rangeMax"),
                        js::Truthy(c.Get("exclusiveMin")), js::Truthy(c.Get("exclusiveMax")), now);
     }},
    // No default here: an absent sourceData is empty.
    {"appmixer.utils.filters.IsNotEmpty", "notEmpty", "empty",
     [](const Json& c, int64_t) { return js::IsNotEmpty(c.Get("sourceData")); }},
};

class Filter final : public Behaviour {
 public:
  explicit Filter(const FilterSpec& spec) : spec_(spec) {}

  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    bool pass = spec_.passes(in->Content(), ctx.clock().NowMillis());
    return ctx.Send(pass ? spec_.pass_port : spec_.fail_port, in->OriginalContent());
  }

 private:
  const FilterSpec& spec_;
};

// Always passes the (transformed) content on.
class Identity final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    return ctx.Send("out", in->Content());
  }
};

// Sends the bare number parseFloat(sourceData) % parseFloat(value); NaN and infinities become
// null, as JSON.stringify writes them.
class Modulo final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    double r = std::fmod(js::ParseFloat(Field(content, "sourceData")),
                         js::ParseFloat(Field(content, "value")));
    return ctx.Send("modulo", std::isfinite(r) ? Json(r) : Json(nullptr));
  }
};

}  // namespace

Status RegisterFiltersComponents(ComponentRegistry& registry) {
  constexpr ComponentOptions kConcurrent{.concurrent = true};
  std::vector<BuiltinComponent> table;
  for (const FilterSpec& spec : kFilters) {
    table.push_back({spec.type, [&spec] { return std::make_unique<Filter>(spec); }, kConcurrent});
  }
  table.push_back({"appmixer.utils.filters.Identity", [] { return std::make_unique<Identity>(); },
                   kConcurrent});
  table.push_back(
      {"appmixer.utils.filters.Modulo", [] { return std::make_unique<Modulo>(); }, kConcurrent});
  return RegisterBuiltinTable(registry, table);
}

}  // namespace flowkit::components
