// Quota rules: parsing quota.js rules written as JSON, and the registry of quota managers.
#include "flowkit/quota.h"

#include <string>
#include <utility>

namespace flowkit {
namespace {

// Reads a positive integer member; quota.js writes products such as 1000*60*60, which JSON
// spells as a number, so doubles with an integral value are accepted too.
Status ReadPositive(const Json& rule, std::string_view field, const std::string& where, bool required,
                    int64_t* out) {
  const Json* value = rule.Find(field);
  if (value == nullptr) {
    if (!required) return Status::OK();
    return Status::InvalidArgument(where + ": '" + std::string(field) + "' is required (a positive integer)");
  }
  if (!value->IsNumber() || value->AsDouble() != static_cast<double>(value->AsInt()) || value->AsInt() < 1) {
    return Status::InvalidArgument(where + ": '" + std::string(field) + "' must be a positive integer, got " +
                                   value->Dump());
  }
  *out = value->AsInt();
  return Status::OK();
}

Status ValidRule(const QuotaRule& rule, const std::string& where) {
  if (rule.resource.empty()) return Status::InvalidArgument(where + ": 'resource' must be a non-empty string");
  if (rule.limit < 1) return Status::InvalidArgument(where + ": 'limit' must be at least 1");
  if (rule.throttling != QuotaThrottling::kConcurrency && rule.window_ms < 1 && !rule.start_of_next_window) {
    return Status::InvalidArgument(where + ": a window rule needs 'window' (milliseconds, at least 1)");
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<QuotaRule>> ParseQuotaRules(const Json& json) {
  const Json* rules = &json;
  if (json.IsObject()) {
    rules = json.Find("rules");
    if (rules == nullptr) return Status::InvalidArgument("quota rules: 'rules' is required (an array of rules)");
  }
  if (!rules->IsArray()) return Status::InvalidArgument("quota rules: 'rules' must be an array, got " + rules->Dump());
  std::vector<QuotaRule> out;
  out.reserve(rules->size());
  for (size_t i = 0; i < rules->size(); ++i) {
    const Json& r = rules->At(i);
    const std::string where = "quota rule " + std::to_string(i);
    if (!r.IsObject()) return Status::InvalidArgument(where + ": must be an object, got " + r.Dump());
    QuotaRule rule;
    const Json* resource = r.Find("resource");
    if (resource == nullptr || !resource->IsString() || resource->StringView().empty()) {
      return Status::InvalidArgument(where + ": 'resource' is required (a non-empty string)");
    }
    rule.resource = std::string(resource->StringView());
    FLOWKIT_RETURN_IF_ERROR(ReadPositive(r, "limit", where, true, &rule.limit));
    if (const Json* throttling = r.Find("throttling")) {
      // quota.js also allows {type: 'window-fixed', getStartOfNextWindow}; the function cannot be
      // written in JSON, so the object form takes windows aligned to the epoch.
      const Json* type = throttling->IsObject() ? throttling->Find("type") : throttling;
      const std::string_view name = type != nullptr && type->IsString() ? type->StringView() : std::string_view();
      if (name == "window-sliding") {
        rule.throttling = QuotaThrottling::kWindowSliding;
      } else if (name == "window-fixed") {
        rule.throttling = QuotaThrottling::kWindowFixed;
      } else if (name == "limit-concurrency") {
        rule.throttling = QuotaThrottling::kConcurrency;
      } else {
        return Status::InvalidArgument(where +
                                       ": 'throttling' must be \"window-sliding\", \"window-fixed\" or "
                                       "\"limit-concurrency\", got " +
                                       throttling->Dump());
      }
    }
    FLOWKIT_RETURN_IF_ERROR(ReadPositive(r, "window", where, rule.throttling != QuotaThrottling::kConcurrency,
                                         &rule.window_ms));
    if (const Json* queueing = r.Find("queueing")) {
      if (!queueing->IsString() || queueing->StringView() != "fifo") {
        return Status::InvalidArgument(where + ": 'queueing' must be \"fifo\", got " + queueing->Dump());
      }
      rule.fifo = true;
    }
    if (const Json* scope = r.Find("scope")) {
      if (!scope->IsString() || scope->StringView() != "userId") {
        return Status::InvalidArgument(where + ": 'scope' must be \"userId\", got " + scope->Dump());
      }
      rule.per_user = true;
    }
    FLOWKIT_RETURN_IF_ERROR(ValidRule(rule, where));
    out.push_back(std::move(rule));
  }
  return out;
}

Status QuotaRegistry::Register(std::string manager, std::vector<QuotaRule> rules) {
  if (manager.empty()) return Status::InvalidArgument("a quota manager needs a name");
  for (size_t i = 0; i < rules.size(); ++i) {
    FLOWKIT_RETURN_IF_ERROR(ValidRule(rules[i], "quota manager '" + manager + "', rule " + std::to_string(i)));
  }
  if (managers_.count(manager) > 0) {
    return Status::AlreadyExists("quota manager '" + manager + "' is already registered");
  }
  managers_.emplace(std::move(manager), std::move(rules));
  return Status::OK();
}

const std::vector<QuotaRule>* QuotaRegistry::Find(std::string_view manager) const {
  auto it = managers_.find(manager);
  return it == managers_.end() ? nullptr : &it->second;
}

std::vector<std::string> QuotaRegistry::Managers() const {
  std::vector<std::string> names;
  names.reserve(managers_.size());
  for (const auto& [name, rules] : managers_) names.push_back(name);
  return names;
}

Status RegisterBuiltinQuotas(QuotaRegistry& registry) {
  auto concurrency = [](std::string resource, int64_t limit) {
    QuotaRule rule;
    rule.resource = std::move(resource);
    rule.limit = limit;
    rule.throttling = QuotaThrottling::kConcurrency;
    rule.fifo = true;
    return std::vector<QuotaRule>{std::move(rule)};
  };
  FLOWKIT_RETURN_IF_ERROR(registry.Register("appmixer:utils:controls", concurrency("digest", 15)));
  FLOWKIT_RETURN_IF_ERROR(registry.Register("appmixer:utils:csv", concurrency("loadFiles", 15)));
  return registry.Register("appmixer:utils:files", concurrency("storeFile", 80));
}

}  // namespace flowkit
