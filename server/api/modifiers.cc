// Modifiers (Appmixer /modifiers): the catalogue of g_* functions the designer offers.
//
// flowkit's modifiers are native functions registered by the host (ModifierRegistry), not
// JavaScript helperFn sources, so the API describes them and lets administrators re-label,
// re-categorise, describe and hide them; a helperFn or an unregistered name is refused with a
// message saying so. The overrides live in the config catalog under a reserved key.
#include <cmath>

#include "api/routes.h"

namespace flowkit::server {
namespace {

constexpr std::string_view kOverridesKey = "flowkit:modifiers";

// Checks an admin's {categories, modifiers} document and keeps only what may be overridden.
Result<Json> CheckOverrides(const Json& body, const ModifierRegistry& registry) {
  Json kept_categories = Json::MakeObject();
  Json kept_modifiers = Json::MakeObject();
  const Json& categories = body.Get("categories");
  if (!categories.IsUndefined()) {
    if (!categories.IsObject()) return Status::InvalidArgument("'categories' must be an object");
    for (const JsonMember& c : categories.object()) {
      if (!c.value.IsObject()) return Status::InvalidArgument("category '" + c.key + "' must be an object {label, index}");
      Json kept = Json::MakeObject();
      if (c.value.Contains("label")) {
        if (!c.value.Get("label").IsString()) return Status::InvalidArgument("category '" + c.key + "': 'label' must be a string");
        kept.Set("label", c.value.Get("label"));
      }
      if (c.value.Contains("index")) {
        if (!c.value.Get("index").IsNumber()) return Status::InvalidArgument("category '" + c.key + "': 'index' must be a number");
        kept.Set("index", c.value.Get("index"));
      }
      kept_categories.Set(c.key, kept);
    }
  }
  const Json& modifiers = body.Get("modifiers");
  if (!modifiers.IsObject()) return Status::InvalidArgument("'modifiers' must be an object {name: definition}");
  for (const JsonMember& m : modifiers.object()) {
    if (registry.Find(m.key) == nullptr) {
      return Status::InvalidArgument("modifier '" + m.key +
                                     "' is not registered: flowkit runs native modifiers that the host registers; "
                                     "new ones cannot be added through the API");
    }
    if (!m.value.IsObject()) return Status::InvalidArgument("modifier '" + m.key + "' must be an object");
    if (m.value.Contains("helperFn")) {
      return Status::InvalidArgument("modifier '" + m.key +
                                     "': helperFn is not supported; flowkit's modifiers are native functions");
    }
    Json kept = Json::MakeObject();
    for (const char* text : {"label", "description"}) {
      if (!m.value.Contains(text)) continue;
      if (!m.value.Get(text).IsString()) {
        return Status::InvalidArgument("modifier '" + m.key + "': '" + text + "' must be a string");
      }
      kept.Set(text, m.value.Get(text));
    }
    if (m.value.Contains("category")) {
      const Json& category = m.value.Get("category");
      bool ok = category.IsArray();
      for (size_t i = 0; ok && i < category.size(); ++i) ok = category[i].IsString();
      if (!ok) return Status::InvalidArgument("modifier '" + m.key + "': 'category' must be an array of strings");
      kept.Set("category", category);
    }
    if (m.value.Contains("private")) {
      if (!m.value.Get("private").IsBool()) {
        return Status::InvalidArgument("modifier '" + m.key + "': 'private' must be true or false");
      }
      kept.Set("private", m.value.Get("private"));
    }
    // name, arguments, returns, variableArguments describe the native function: read-only, so
    // a document read with GET can be edited and sent back as it is.
    kept_modifiers.Set(m.key, kept);
  }
  return Json::MakeObject({{"categories", std::move(kept_categories)}, {"modifiers", std::move(kept_modifiers)}});
}

// The registry's metadata with the stored overrides; private modifiers only for admins.
Json Catalogue(Services& s, bool admin) {
  Json out = s.modifiers->Metadata();
  Result<Json> overrides = s.catalog->config().Get(kOverridesKey);
  if (overrides.ok() && overrides->IsObject()) {
    Json* categories = out.Find("categories");
    Json* modifiers = out.Find("modifiers");
    for (const JsonMember& c : overrides->Get("categories").object()) {
      Json* category = categories->Find(c.key);
      if (category == nullptr) category = &categories->Set(c.key, Json::MakeObject());
      for (const JsonMember& field : c.value.object()) category->Set(field.key, field.value);
    }
    for (const JsonMember& m : overrides->Get("modifiers").object()) {
      Json* modifier = modifiers->Find(m.key);
      if (modifier == nullptr) continue;  // unregistered since the override was stored
      for (const JsonMember& field : m.value.object()) modifier->Set(field.key, field.value);
    }
  }
  if (!admin) {
    Json visible = Json::MakeObject();
    for (const JsonMember& m : out.Get("modifiers").object()) {
      if (!m.value.Get("private").AsBool()) visible.Set(m.key, m.value);
    }
    out.Set("modifiers", std::move(visible));
  }
  return out;
}

}  // namespace

Status AddModifierRoutes(Router& router, Services& services) {
  Services* s = &services;
  std::vector<Route> routes = {
      Route{.method = "GET", .pattern = "/modifiers", .access = Access::kUser,
            .summary = "The modifiers {categories: {id: {label, index}}, modifiers: {name: {label, category, "
                       "description, arguments, returns, private, variableArguments}}}",
            .tag = "modifiers",
            .handler = [s](Call& c) { c.Reply(200, Catalogue(*s, c.user().admin)); }},
      Route{.method = "PUT", .pattern = "/modifiers", .access = Access::kAdmin,
            .summary = "Re-label, re-categorise, describe or hide registered modifiers {categories, modifiers}; "
                       "replaces earlier overrides",
            .tag = "modifiers",
            .handler = [s](Call& c) {
              Result<Json> body = c.JsonBody();
              if (!body.ok()) return c.Fail(body.status());
              Result<Json> overrides = CheckOverrides(*body, *s->modifiers);
              if (!overrides.ok()) return c.Fail(overrides.status());
              if (Status st = s->catalog->config().Set(kOverridesKey, *overrides); !st.ok()) return c.Fail(st);
              c.Reply(200, Catalogue(*s, true));
            },
            .json_body = true},
      Route{.method = "DELETE", .pattern = "/modifiers", .access = Access::kAdmin,
            .summary = "Drop the overrides: the registered modifiers as the host described them", .tag = "modifiers",
            .handler = [s](Call& c) {
              Status st = s->catalog->config().Delete(kOverridesKey);
              if (!st.ok() && st.code() != StatusCode::kNotFound) return c.Fail(st);
              c.Reply(200, Catalogue(*s, true));
            }},
      Route{.method = "POST", .pattern = "/modifiers/test", .access = Access::kUser,
            .summary = "Run one modifier {modifier, value, arguments: [...], hash: {...}} → {result}; 400 when it "
                       "fails or returns undefined",
            .tag = "modifiers",
            .handler = [s](Call& c) {
              Result<Json> body = c.JsonBody();
              if (!body.ok()) return c.Fail(body.status());
              if (body->Contains("helperFn")) {
                return c.Fail(Status::InvalidArgument(
                    "helperFn is not supported; flowkit's modifiers are native: name one with 'modifier'"));
              }
              std::string name = body->Get("modifier").AsString();
              if (name.empty()) name = body->Get("name").AsString();
              if (name.empty()) return c.Fail(Status::InvalidArgument("'modifier' (a registered g_* name) is required"));
              const ModifierRegistry::Entry* entry = s->modifiers->Find(name);
              if (entry == nullptr) return c.Fail(Status::InvalidArgument("unknown modifier '" + name + "'"));
              const Json& arguments = body->Get("arguments");
              if (!arguments.IsUndefined() && !arguments.IsArray()) {
                return c.Fail(Status::InvalidArgument("'arguments' must be an array"));
              }
              const Json& hash = body->Get("hash");
              if (!hash.IsUndefined() && !hash.IsObject()) return c.Fail(Status::InvalidArgument("'hash' must be an object"));
              std::vector<Json> params;
              for (size_t i = 0; arguments.IsArray() && i < arguments.size(); ++i) params.push_back(arguments[i]);
              const Json hash_value = hash.IsObject() ? hash : Json::MakeObject();
              EvalEnv env;
              env.user_id = c.user().user_id;
              env.clock = s->clock;
              Json value = body->Get("value");
              Result<Json> result = entry->fn(ModifierCall{value, params, hash_value.object(), env});
              if (!result.ok()) return c.Fail(Status::InvalidArgument(name + ": " + result.status().message()));
              if (result->IsUndefined()) return c.Fail(Status::InvalidArgument(name + " returned undefined"));
              c.Reply(200, Json::MakeObject({{"result", *result}}));
            },
            .json_body = true},
  };
  return router.AddAll(std::move(routes));
}

}  // namespace flowkit::server
