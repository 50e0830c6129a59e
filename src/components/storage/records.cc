// Set, SetMany, Get, GetMany, Modify, Remove, Clear, Find: records of one data store
// (Appmixer's context.store), with Appmixer's output shapes built from StoreRecord::ToJson.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "components/input_util.h"
#include "components/storage/storage.h"
#include "util/js.h"
#include "util/regex.h"

namespace flowkit::components::storage {
namespace {

// A required text input (storeId, key). Numbers are accepted as their text, as the in-port
// schema's coercion would give them.
Result<std::string> RequireText(const Json& content, std::string_view name) {
  const Json& value = content[name];
  if (value.IsString()) return value.AsString();
  if (value.IsNumber() || value.IsBool()) return js::ToString(value);
  return Status::InvalidArgument(std::string(name) + " is required");
}

// The items of an expression input ({AND: [...]}); a plain array is taken as the list.
Result<const Json::Array*> ExpressionItems(const Json& expression, std::string_view name) {
  if (expression.IsArray()) return &expression.array();
  const Json& items = expression["AND"];
  if (!items.IsArray()) return Status::InvalidArgument(std::string(name) + " must be {AND: [...]}");
  return &items.array();
}

// Appmixer's set result: the record plus the value it replaced (left out when the key was new).
Json SetOutput(const DataStore::SetResult& result) {
  Json out = result.record.ToJson();
  if (!result.old_value.IsUndefined()) out.Set("oldValue", result.old_value);
  return out;
}

// Appmixer's store.get answers {value: null} for a missing key and its components test
// `value === null`, so a record holding null counts as missing too.
std::optional<StoreRecord> Found(std::optional<StoreRecord> record) {
  if (record && record->value.IsNull()) return std::nullopt;
  return record;
}

class Set final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    FLOWKIT_ASSIGN_OR_RETURN(std::string store_id, RequireText(content, "storeId"));
    FLOWKIT_ASSIGN_OR_RETURN(std::string key, RequireText(content, "key"));
    const Json& value = content["value"];
    FLOWKIT_ASSIGN_OR_RETURN(DataStore::SetResult result, ctx.stores().Set(store_id, key, value));
    Json out = SetOutput(result);
    out.Set("newValue", value);
    return ctx.Send("out", std::move(out));
  }
};

class SetMany final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    FLOWKIT_ASSIGN_OR_RETURN(std::string store_id, RequireText(content, "storeId"));
    FLOWKIT_ASSIGN_OR_RETURN(const Json::Array* pairs, ExpressionItems(content["keyValuePairs"], "keyValuePairs"));
    Json results = Json::MakeArray();
    for (const Json& pair : *pairs) {
      FLOWKIT_ASSIGN_OR_RETURN(std::string key, RequireText(pair, "key"));
      const Json& value = pair["value"];
      FLOWKIT_ASSIGN_OR_RETURN(DataStore::SetResult result, ctx.stores().Set(store_id, key, value));
      Json item = SetOutput(result);
      item.Set("key", key);
      item.Set("newValue", value);
      results.Push(std::move(item));
    }
    return ctx.Send("out", Json::MakeObject({{"results", std::move(results)}}));
  }
};

class Get final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    FLOWKIT_ASSIGN_OR_RETURN(std::string store_id, RequireText(content, "storeId"));
    FLOWKIT_ASSIGN_OR_RETURN(std::string key, RequireText(content, "key"));
    FLOWKIT_ASSIGN_OR_RETURN(std::optional<StoreRecord> record, ctx.stores().Get(store_id, key));
    record = Found(std::move(record));
    if (!record) return ctx.Send("notFound", Json::MakeObject({{"key", key}}));
    return ctx.Send("out", record->ToJson());
  }
};

class GetMany final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    FLOWKIT_ASSIGN_OR_RETURN(std::string store_id, RequireText(content, "storeId"));
    FLOWKIT_ASSIGN_OR_RETURN(const Json::Array* items, ExpressionItems(content["keys"], "keys"));
    Json results = Json::MakeArray();
    Json not_found = Json::MakeArray();
    for (const Json& item : *items) {
      FLOWKIT_ASSIGN_OR_RETURN(std::string key, RequireText(item, "key"));
      FLOWKIT_ASSIGN_OR_RETURN(std::optional<StoreRecord> record, ctx.stores().Get(store_id, key));
      record = Found(std::move(record));
      if (record) {
        results.Push(record->ToJson());
      } else {
        not_found.Push(key);
      }
    }
    // Appmixer then calls context.response(), which answers nothing for a component without a
    // webhook; here Respond would answer the run's pending webhook request, so it is not called.
    if (!results.empty()) return ctx.Send("out", Json::MakeObject({{"results", std::move(results)}}));
    if (!not_found.empty()) return ctx.Send("notFound", Json::MakeObject({{"notFound", std::move(not_found)}}));
    return ctx.Send("notFound", Json::MakeObject({{"keys", Json(*items)}}));
  }
};

class Modify final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    FLOWKIT_ASSIGN_OR_RETURN(std::string store_id, RequireText(content, "storeId"));
    FLOWKIT_ASSIGN_OR_RETURN(std::string key, RequireText(content, "key"));
    std::string op = js::ToString(content["operator"]);
    const Json& value = content["value"];

    // Read and write under one lock, so concurrent Modify calls on a key do not lose updates
    // (Appmixer does not lock; its increments can be lost under load).
    FLOWKIT_ASSIGN_OR_RETURN(std::unique_ptr<LockHandle> lock,
                             ctx.Lock("appmixer.utils.storage:" + ctx.user_id() + ":" + store_id + ":" + key));
    FLOWKIT_ASSIGN_OR_RETURN(std::optional<StoreRecord> current, ctx.stores().Get(store_id, key));
    // A missing key reads as null (Appmixer's store.get gives {value: null}).
    Json old_value = current ? current->value : Json();
    double old_number = js::Truthy(old_value) ? js::ToNumber(old_value) : 0;
    Json new_value;
    if (op == "Add") {
      new_value = Json(old_number + js::ToNumber(value));
    } else if (op == "Subtract") {
      new_value = Json(old_number - js::ToNumber(value));
    } else if (op == "Multiply") {
      new_value = Json(old_number * js::ToNumber(value));
    } else if (op == "Divide") {
      new_value = Json(old_number / js::ToNumber(value));
    } else if (op == "Append") {
      new_value = Json((js::Truthy(old_value) ? js::ToString(old_value) : std::string()) + js::ToString(value));
    } else if (op == "Set") {
      new_value = value;
    } else {
      return Status::InvalidArgument("Unsupported operator: " + op);
    }
    FLOWKIT_ASSIGN_OR_RETURN(DataStore::SetResult result, ctx.stores().Set(store_id, key, new_value));
    lock->Unlock();
    Json out = SetOutput(result);
    out.Set("oldValue", old_value);
    out.Set("newValue", std::move(new_value));
    return ctx.Send("out", std::move(out));
  }
};

class Remove final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    FLOWKIT_ASSIGN_OR_RETURN(std::string store_id, RequireText(content, "storeId"));
    FLOWKIT_ASSIGN_OR_RETURN(std::string key, RequireText(content, "key"));
    FLOWKIT_ASSIGN_OR_RETURN(std::optional<StoreRecord> removed, ctx.stores().Remove(store_id, key));
    Json out = Json::MakeObject({{"key", key}});
    if (removed) out.Set("oldValue", removed->value);
    return ctx.Send("removed", std::move(out));
  }
};

class Clear final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    FLOWKIT_ASSIGN_OR_RETURN(std::string store_id, RequireText(in->Content(), "storeId"));
    FLOWKIT_ASSIGN_OR_RETURN(int64_t deleted, ctx.stores().Clear(store_id));
    return ctx.Send("cleared", Json::MakeObject({{"deletedCount", deleted}, {"storeId", store_id}}));
  }
};

// A query object for DataStore::Find (Mongo-like), given as an object or, since the in-port
// schema makes `pattern` text, as the JSON text of one; nullopt for a regular expression.
std::optional<Json> QueryObject(const Json& pattern) {
  if (pattern.IsObject()) return pattern;
  if (!pattern.IsString() || !pattern.StringView().starts_with('{')) return std::nullopt;
  Result<Json> parsed = Json::Parse(pattern.StringView());
  if (!parsed.ok() || !parsed->IsObject()) return std::nullopt;
  return std::move(parsed).value();
}

class Find final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    FLOWKIT_ASSIGN_OR_RETURN(std::string store_id, RequireText(content, "storeId"));
    const Json& pattern = content["pattern"];
    std::vector<StoreRecord> records;
    if (std::optional<Json> query = QueryObject(pattern)) {
      FLOWKIT_ASSIGN_OR_RETURN(records, ctx.stores().Find(store_id, *query));
    } else {
      // The inspector asks for a regular expression: a record matches when its key or its
      // value (text as it is, other values as JSON) contains a match. Missing = every record.
      FLOWKIT_ASSIGN_OR_RETURN(std::vector<StoreRecord> all, ctx.stores().Find(store_id, Json::MakeObject()));
      std::string source = pattern.IsNullish() ? std::string() : js::ToString(pattern);
      FLOWKIT_ASSIGN_OR_RETURN(std::shared_ptr<const Regex> re, RegexCache::Default().Get(source));
      for (StoreRecord& record : all) {
        FLOWKIT_ASSIGN_OR_RETURN(bool match, re->Test(record.key));
        if (!match) {
          std::string text = record.value.IsString() ? record.value.AsString() : record.value.Dump();
          FLOWKIT_ASSIGN_OR_RETURN(match, re->Test(text));
        }
        if (match) records.push_back(std::move(record));
      }
    }
    Json items = Json::MakeArray();
    for (const StoreRecord& record : records) items.Push(record.ToJson());
    if (!items.empty()) return ctx.Send("out", Json::MakeObject({{"items", std::move(items)}}));
    return ctx.Send("notFound", Json::MakeObject({{"pattern", pattern}, {"items", std::move(items)}}));
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewSet() { return std::make_unique<Set>(); }
std::unique_ptr<Behaviour> NewSetMany() { return std::make_unique<SetMany>(); }
std::unique_ptr<Behaviour> NewGet() { return std::make_unique<Get>(); }
std::unique_ptr<Behaviour> NewGetMany() { return std::make_unique<GetMany>(); }
std::unique_ptr<Behaviour> NewModify() { return std::make_unique<Modify>(); }
std::unique_ptr<Behaviour> NewRemove() { return std::make_unique<Remove>(); }
std::unique_ptr<Behaviour> NewClear() { return std::make_unique<Clear>(); }
std::unique_ptr<Behaviour> NewFind() { return std::make_unique<Find>(); }

}  // namespace flowkit::components::storage
