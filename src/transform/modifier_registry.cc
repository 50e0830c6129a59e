#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "flowkit/modifier.h"

namespace flowkit {
namespace {

// Categories in the order the Modifier Editor lists them; hosts may add their own ids, which
// follow these in name order.
struct CategoryLabel {
  std::string_view id;
  std::string_view label;
};
constexpr CategoryLabel kKnownCategories[] = {
    {"text", "Text"},     {"number", "Number"},   {"date", "Date"},           {"list", "List"},
    {"object", "Object"}, {"control", "Control"}, {"flow", "Flow variables"},
};

std::string DefaultLabel(std::string_view id) {
  std::string label(id);
  if (!label.empty() && label[0] >= 'a' && label[0] <= 'z')
    label[0] = static_cast<char>(label[0] - 'a' + 'A');
  return label;
}

}  // namespace

struct ModifierRegistry::Impl {
  // std::less<> allows lookups by string_view without building a string.
  std::map<std::string, Entry, std::less<>> entries;
};

ModifierRegistry::ModifierRegistry() : impl_(std::make_unique<Impl>()) {}
ModifierRegistry::~ModifierRegistry() = default;

Status ModifierRegistry::Register(ModifierInfo info, ModifierFunction fn, bool replace) {
  if (info.name.size() <= 2 || info.name.compare(0, 2, "g_") != 0) {
    return Status::InvalidArgument("modifier name \"" + info.name + "\" must start with \"g_\"");
  }
  if (!fn) return Status::InvalidArgument("modifier " + info.name + " has no function");
  auto it = impl_->entries.find(info.name);
  if (it != impl_->entries.end()) {
    if (!replace) return Status::AlreadyExists("modifier " + info.name + " is already registered");
    it->second = Entry{std::move(info), std::move(fn)};
    return Status::OK();
  }
  std::string name = info.name;
  impl_->entries.emplace(std::move(name), Entry{std::move(info), std::move(fn)});
  return Status::OK();
}

const ModifierRegistry::Entry* ModifierRegistry::Find(std::string_view name) const noexcept {
  auto it = impl_->entries.find(name);
  return it == impl_->entries.end() ? nullptr : &it->second;
}

std::vector<std::string> ModifierRegistry::Names() const {
  std::vector<std::string> names;
  names.reserve(impl_->entries.size());
  for (const auto& [name, entry] : impl_->entries) names.push_back(name);
  return names;  // std::map keeps them sorted
}

size_t ModifierRegistry::size() const noexcept { return impl_->entries.size(); }

Json ModifierRegistry::Metadata() const {
  std::map<std::string, bool, std::less<>> used;
  for (const auto& [name, entry] : impl_->entries) {
    for (const auto& c : entry.info.categories) used[c] = true;
  }

  Json categories = Json::MakeObject();
  int index = 1;
  for (const auto& known : kKnownCategories) {
    auto it = used.find(known.id);
    if (it == used.end()) continue;
    categories.Set(known.id,
                   Json::MakeObject({{"label", Json(known.label)}, {"index", Json(index++)}}));
    used.erase(it);
  }
  for (const auto& [id, unused] : used) {
    categories.Set(id,
                   Json::MakeObject({{"label", Json(DefaultLabel(id))}, {"index", Json(index++)}}));
  }

  Json modifiers = Json::MakeObject();
  for (const auto& [name, entry] : impl_->entries) {
    const ModifierInfo& info = entry.info;
    Json category = Json::MakeArray();
    for (const auto& c : info.categories) category.Push(Json(c));
    Json arguments = Json::MakeArray();
    for (const auto& arg : info.arguments) {
      arguments.Push(Json::MakeObject(
          {{"name", Json(arg.name)}, {"type", Json(arg.type)}, {"isHash", Json(arg.is_hash)}}));
    }
    Json returns = Json::MakeObject();
    if (!info.returns.empty()) returns.Set("type", Json(info.returns));
    modifiers.Set(name, Json::MakeObject({{"label", Json(info.label.empty() ? name : info.label)},
                                          {"category", std::move(category)},
                                          {"description", Json(info.description)},
                                          {"arguments", std::move(arguments)},
                                          {"returns", std::move(returns)},
                                          {"private", Json(info.is_private)},
                                          {"variableArguments", Json(info.variable_arguments)}}));
  }
  return Json::MakeObject(
      {{"categories", std::move(categories)}, {"modifiers", std::move(modifiers)}});
}

}  // namespace flowkit
