// PortSchema: JSON Schema coercion (Appmixer-style, toward the declared `type`) and validation
// with rapidjson's draft-04 validator. The flowkit::Json value is fed to the validator as SAX
// events, so no rapidjson document is built per message.
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/schema.h>

#include <charconv>
#include <cmath>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "flowkit/transform.h"
#include "util/number_format.h"

namespace flowkit {

// rapidjson's default SchemaDocument (CrtAllocator) never frees the values it copies for
// `required`/`enum`-like keywords (they are released only with a pool allocator), so the
// compiled schema uses a MemoryPoolAllocator that frees everything at once.
using PoolSchemaDocument = rapidjson::GenericSchemaDocument<rapidjson::Value, rapidjson::MemoryPoolAllocator<>>;
using PoolSchemaValidator = rapidjson::GenericSchemaValidator<PoolSchemaDocument>;

struct PortSchema::Impl {
  Json schema;
  // The validator's schema keeps pointers into `document`, so both live as long as the Impl.
  rapidjson::Document document;
  std::unique_ptr<PoolSchemaDocument> compiled;
};

namespace {

constexpr int kMaxDepth = 64;  // bounds $ref cycles and absurd nesting during coercion

constexpr std::string_view kTypeNames[] = {"null",   "boolean", "integer", "number",
                                           "string", "array",   "object"};

bool IsKnownType(std::string_view t) {
  for (std::string_view known : kTypeNames) {
    if (t == known) return true;
  }
  return false;
}

// The JSON Schema type name of a value ("integer" only for integers when `integer` matters).
std::string_view TypeName(const Json& v) {
  switch (v.type()) {
    case Json::Type::kUndefined:
    case Json::Type::kNull:
      return "null";
    case Json::Type::kBool:
      return "boolean";
    case Json::Type::kNumber:
      return "number";
    case Json::Type::kString:
      return "string";
    case Json::Type::kArray:
      return "array";
    case Json::Type::kObject:
      return "object";
  }
  return "null";
}

bool MatchesType(const Json& v, std::string_view t) {
  if (t == "integer") return v.IsInteger();
  if (t == "number") return v.IsNumber();
  return TypeName(v) == t;
}

// Calls `fn(name)` for each type named by a schema's `type` (a string or a list of strings).
template <typename Fn>
void ForEachType(const Json& type, Fn&& fn) {
  if (type.IsString()) {
    fn(type.StringView());
  } else if (type.IsArray()) {
    for (const Json& t : type.array()) {
      if (t.IsString()) fn(t.StringView());
    }
  }
}

// Structural checks rapidjson does not make (it silently ignores malformed keywords, which
// would hide a typo such as "type": "text"). Returns the first problem found.
Status CheckSchema(const Json& s, const std::string& pointer, int depth) {
  if (depth > kMaxDepth) return Status::InvalidArgument("schema nests too deeply at " + pointer);
  if (s.IsBool()) return Status::OK();  // draft-06 boolean schemas
  if (!s.IsObject()) {
    return Status::InvalidArgument("invalid JSON Schema at " + (pointer.empty() ? "/" : pointer) +
                                   ": a schema must be an object");
  }
  auto bad = [&](std::string_view keyword, std::string_view problem) {
    return Status::InvalidArgument("invalid JSON Schema at " + JsonPointerAppend(pointer, keyword) +
                                   ": " + std::string(problem));
  };
  if (const Json* type = s.Find("type"); type != nullptr) {
    if (!type->IsString() && !type->IsArray()) return bad("type", "must be a string or a list");
    std::string unknown;
    ForEachType(*type, [&](std::string_view t) {
      if (unknown.empty() && !IsKnownType(t)) unknown = t;
    });
    if (type->IsArray()) {
      for (const Json& t : type->array()) {
        if (!t.IsString()) return bad("type", "must list type names");
      }
    }
    if (!unknown.empty()) return bad("type", "unknown type '" + unknown + "'");
  }
  if (const Json* req = s.Find("required"); req != nullptr) {
    if (!req->IsArray()) return bad("required", "must be a list of property names");
    for (const Json& r : req->array()) {
      if (!r.IsString()) return bad("required", "must be a list of property names");
    }
  }
  if (const Json* e = s.Find("enum"); e != nullptr && !e->IsArray()) {
    return bad("enum", "must be a list");
  }
  for (std::string_view keyword : {"properties", "patternProperties", "definitions"}) {
    const Json* map = s.Find(keyword);
    if (map == nullptr) continue;
    if (!map->IsObject()) return bad(keyword, "must be an object of schemas");
    std::string map_ptr = JsonPointerAppend(pointer, keyword);
    for (const JsonMember& m : map->object()) {
      FLOWKIT_RETURN_IF_ERROR(CheckSchema(m.value, JsonPointerAppend(map_ptr, m.key), depth + 1));
    }
  }
  for (std::string_view keyword : {"allOf", "anyOf", "oneOf"}) {
    const Json* list = s.Find(keyword);
    if (list == nullptr) continue;
    if (!list->IsArray() || list->empty())
      return bad(keyword, "must be a non-empty list of schemas");
    std::string list_ptr = JsonPointerAppend(pointer, keyword);
    for (size_t i = 0; i < list->size(); ++i) {
      FLOWKIT_RETURN_IF_ERROR(CheckSchema(list->At(i), JsonPointerAppend(list_ptr, i), depth + 1));
    }
  }
  for (std::string_view keyword : {"not", "additionalProperties", "additionalItems"}) {
    const Json* sub = s.Find(keyword);
    if (sub == nullptr) continue;
    FLOWKIT_RETURN_IF_ERROR(CheckSchema(*sub, JsonPointerAppend(pointer, keyword), depth + 1));
  }
  if (const Json* items = s.Find("items"); items != nullptr) {
    std::string items_ptr = JsonPointerAppend(pointer, "items");
    if (items->IsArray()) {
      for (size_t i = 0; i < items->size(); ++i) {
        FLOWKIT_RETURN_IF_ERROR(
            CheckSchema(items->At(i), JsonPointerAppend(items_ptr, i), depth + 1));
      }
    } else {
      FLOWKIT_RETURN_IF_ERROR(CheckSchema(*items, items_ptr, depth + 1));
    }
  }
  return Status::OK();
}

// Resolves a local "$ref" ("#", "#/definitions/x"); nullptr for remote or broken references.
const Json* ResolveRef(const Json& root, std::string_view ref) {
  if (ref.empty() || ref[0] != '#') return nullptr;
  ref.remove_prefix(1);
  const Json* cur = &root;
  while (!ref.empty()) {
    if (ref[0] != '/') return nullptr;
    ref.remove_prefix(1);
    size_t end = ref.find('/');
    std::string_view raw = ref.substr(0, end);
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size()) {
        token.push_back(raw[i + 1] == '1' ? '/' : '~');
        ++i;
      } else {
        token.push_back(raw[i]);
      }
    }
    if (cur->IsObject()) {
      cur = cur->Find(token);
    } else if (cur->IsArray()) {
      size_t index = 0;
      auto [p, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
      if (ec != std::errc() || p != token.data() + token.size() || index >= cur->size()) {
        return nullptr;
      }
      cur = &cur->At(index);
    } else {
      return nullptr;
    }
    if (cur == nullptr) return nullptr;
    ref = end == std::string_view::npos ? std::string_view() : ref.substr(end);
  }
  return cur;
}

// Numeric text as JavaScript's Number() reads it (surrounding whitespace, a sign, decimals,
// exponents); empty text and non-finite results are not numbers here.
bool ParseNumericText(std::string_view s, double* out) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '+') return false;
  double d = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(d)) return false;
  *out = d;
  return true;
}

bool ConvertTo(Json* v, std::string_view type) {
  if (v->IsUndefined()) return false;
  if (type == "string") {
    if (v->IsObject() || v->IsArray()) {
      *v = Json(v->Dump());
    } else if (v->IsBool()) {
      *v = Json(v->AsBool() ? "true" : "false");
    } else if (v->IsInteger()) {
      *v = Json(std::to_string(v->AsInt()));
    } else if (v->IsNumber()) {
      *v = Json(internal::FormatJsNumber(v->AsDouble()));
    } else {
      return false;
    }
    return true;
  }
  if ((type == "number" || type == "integer") && v->IsString()) {
    double d = 0;
    if (!ParseNumericText(v->StringView(), &d)) return false;
    if (type == "integer" && std::trunc(d) != d) return false;
    *v = Json(d);
    return true;
  }
  if (type == "boolean" && v->IsString()) {
    if (v->StringView() == "true") {
      *v = Json(true);
    } else if (v->StringView() == "false") {
      *v = Json(false);
    } else {
      return false;
    }
    return true;
  }
  return false;
}

void Coerce(Json* v, const Json& schema, const Json& root, int depth) {
  if (depth > kMaxDepth || !schema.IsObject() || v->IsUndefined()) return;
  if (const Json* ref = schema.Find("$ref"); ref != nullptr && ref->IsString()) {
    // Draft-04: a $ref replaces the whole schema object it sits in.
    if (const Json* target = ResolveRef(root, ref->StringView()); target != nullptr) {
      Coerce(v, *target, root, depth + 1);
    }
    return;
  }
  if (const Json* type = schema.Find("type"); type != nullptr) {
    bool matches = false;
    ForEachType(*type, [&](std::string_view t) { matches = matches || MatchesType(*v, t); });
    if (!matches) {
      bool done = false;
      ForEachType(*type, [&](std::string_view t) { done = done || ConvertTo(v, t); });
    }
  }
  if (const Json* all = schema.Find("allOf"); all != nullptr) {
    for (const Json& sub : all->array()) Coerce(v, sub, root, depth + 1);
  }
  if (v->IsObject()) {
    const Json& properties = schema.Get("properties");
    const Json& additional = schema.Get("additionalProperties");
    for (JsonMember& m : v->MutableObject()) {
      if (const Json* sub = properties.Find(m.key); sub != nullptr) {
        Coerce(&m.value, *sub, root, depth + 1);
      } else if (additional.IsObject()) {
        Coerce(&m.value, additional, root, depth + 1);
      }
    }
  } else if (v->IsArray()) {
    const Json& items = schema.Get("items");
    Json::Array& elements = v->MutableArray();
    if (items.IsObject()) {
      for (Json& e : elements) Coerce(&e, items, root, depth + 1);
    } else if (items.IsArray()) {
      const Json& extra = schema.Get("additionalItems");
      for (size_t i = 0; i < elements.size(); ++i) {
        Coerce(&elements[i], i < items.size() ? items.At(i) : extra, root, depth + 1);
      }
    }
  }
}

// Feeds `v` to a rapidjson SAX handler. Undefined members are skipped and undefined elements
// are null, as in Json::Dump.
template <typename Handler>
bool Emit(const Json& v, Handler& h) {
  switch (v.type()) {
    case Json::Type::kUndefined:
    case Json::Type::kNull:
      return h.Null();
    case Json::Type::kBool:
      return h.Bool(v.AsBool());
    case Json::Type::kNumber:
      if (v.IsInteger()) return h.Int64(v.AsInt());
      return h.Double(v.AsDouble());
    case Json::Type::kString: {
      std::string_view s = v.StringView();
      return h.String(s.data(), static_cast<rapidjson::SizeType>(s.size()), true);
    }
    case Json::Type::kArray: {
      if (!h.StartArray()) return false;
      for (const Json& e : v.array()) {
        if (!Emit(e, h)) return false;
      }
      return h.EndArray(static_cast<rapidjson::SizeType>(v.size()));
    }
    case Json::Type::kObject: {
      if (!h.StartObject()) return false;
      rapidjson::SizeType count = 0;
      for (const JsonMember& m : v.object()) {
        if (m.value.IsUndefined()) continue;
        if (!h.Key(m.key.data(), static_cast<rapidjson::SizeType>(m.key.size()), true))
          return false;
        if (!Emit(m.value, h)) return false;
        ++count;
      }
      return h.EndObject(count);
    }
  }
  return h.Null();
}

// Walks a rapidjson pointer through a flowkit Json, building its RFC 6901 text as it goes.
template <typename PointerT>
const Json* Follow(const PointerT& ptr, const Json& root, std::string* text) {
  const Json* cur = &root;
  for (size_t i = 0; i < ptr.GetTokenCount(); ++i) {
    const auto& token = ptr.GetTokens()[i];
    std::string_view name(token.name, token.length);
    if (text != nullptr) *text = JsonPointerAppend(*text, name);
    if (cur == nullptr) continue;
    if (cur->IsObject()) {
      cur = cur->Find(name);
    } else if (cur->IsArray() && token.index != rapidjson::kPointerInvalidIndex &&
               token.index < cur->size()) {
      cur = &cur->At(token.index);
    } else {
      cur = nullptr;
    }
  }
  return cur;
}

std::string NumberText(const Json& n) {
  std::string out;
  if (n.IsInteger()) return std::to_string(n.AsInt());
  internal::AppendJsNumber(n.AsDouble(), &out);
  return out;
}

std::string ExpectedTypes(const Json& type) {
  std::string out;
  ForEachType(type, [&](std::string_view t) {
    if (!out.empty()) out.append(" or ");
    out.append(t);
  });
  return out;
}

// A readable sentence for the failed keyword, from the schema node and the value that broke it.
std::string Describe(std::string_view keyword, const Json& schema, const Json* value,
                     std::string* pointer) {
  const Json none = Json::Undefined();
  const Json& v = value != nullptr ? *value : none;
  auto rule = [&](std::string_view key) -> const Json& { return schema.Get(key); };
  if (keyword == "type") {
    return "expected type " + ExpectedTypes(rule("type")) + ", got " + std::string(TypeName(v));
  }
  if (keyword == "required") {
    for (const Json& name : rule("required").array()) {
      if (name.IsString() && (!v.IsObject() || v.Find(name.StringView()) == nullptr ||
                              v.Get(name.StringView()).IsUndefined())) {
        *pointer = JsonPointerAppend(*pointer, name.StringView());
        return "required property is missing";
      }
    }
    return "a required property is missing";
  }
  if (keyword == "additionalProperties") {
    // rapidjson reports this at the member's key, so the pointer already names the member.
    return "property is not allowed by the schema (additionalProperties)";
  }
  if (keyword == "enum") return "must be one of " + rule("enum").Dump();
  if (keyword == "minimum" || keyword == "exclusiveMinimum") {
    bool exclusive = rule("exclusiveMinimum").AsBool();
    return std::string("must be ") + (exclusive ? "> " : ">= ") + NumberText(rule("minimum"));
  }
  if (keyword == "maximum" || keyword == "exclusiveMaximum") {
    bool exclusive = rule("exclusiveMaximum").AsBool();
    return std::string("must be ") + (exclusive ? "< " : "<= ") + NumberText(rule("maximum"));
  }
  if (keyword == "multipleOf") return "must be a multiple of " + NumberText(rule("multipleOf"));
  if (keyword == "minLength") {
    return "must be at least " + NumberText(rule("minLength")) + " characters long";
  }
  if (keyword == "maxLength") {
    return "must be at most " + NumberText(rule("maxLength")) + " characters long";
  }
  if (keyword == "pattern") return "must match the pattern " + rule("pattern").Dump();
  if (keyword == "minItems") return "must have at least " + NumberText(rule("minItems")) + " items";
  if (keyword == "maxItems") return "must have at most " + NumberText(rule("maxItems")) + " items";
  if (keyword == "additionalItems") {
    return "must have at most " + std::to_string(rule("items").size()) + " items";
  }
  if (keyword == "uniqueItems") return "items must be unique";
  if (keyword == "minProperties") {
    return "must have at least " + NumberText(rule("minProperties")) + " properties";
  }
  if (keyword == "maxProperties") {
    return "must have at most " + NumberText(rule("maxProperties")) + " properties";
  }
  if (keyword == "dependencies") return "a property's dependencies are not present";
  if (keyword == "allOf") return "must match every schema in allOf";
  if (keyword == "anyOf") return "must match at least one schema in anyOf";
  if (keyword == "oneOf") return "must match exactly one schema in oneOf";
  if (keyword == "not") return "must not match the schema in 'not'";
  return "violates the schema keyword '" + std::string(keyword) + "'";
}

}  // namespace

PortSchema::PortSchema(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PortSchema::~PortSchema() = default;

Result<std::shared_ptr<const PortSchema>> PortSchema::Compile(const Json& schema) {
  if (!schema.IsObject()) {
    return Status::InvalidArgument("a JSON Schema must be an object, got " +
                                   std::string(TypeName(schema)));
  }
  FLOWKIT_RETURN_IF_ERROR(CheckSchema(schema, "", 0));
  auto impl = std::make_unique<Impl>();
  impl->schema = schema;
  // Compile-time only, so going through text is simpler than a second tree walk.
  std::string text = schema.Dump();
  impl->document.Parse(text.data(), text.size());
  if (impl->document.HasParseError() || !impl->document.IsObject()) {
    return Status::Internal("JSON Schema could not be loaded into the validator");
  }
  impl->compiled = std::make_unique<PoolSchemaDocument>(impl->document);
  return std::shared_ptr<const PortSchema>(new PortSchema(std::move(impl)));
}

const Json& PortSchema::schema() const noexcept { return impl_->schema; }

Status PortSchema::Validate(const Json& value) const {
  PoolSchemaValidator validator(*impl_->compiled);
  if (Emit(value, validator) && validator.IsValid()) return Status::OK();
  std::string doc_ptr;
  const Json* bad_value = Follow(validator.GetInvalidDocumentPointer(), value, &doc_ptr);
  const Json* bad_schema = Follow(validator.GetInvalidSchemaPointer(), impl_->schema, nullptr);
  std::string_view keyword = validator.GetInvalidSchemaKeyword();
  const Json empty = Json::MakeObject();
  std::string what =
      Describe(keyword, bad_schema != nullptr ? *bad_schema : empty, bad_value, &doc_ptr);
  return Status::InvalidArgument((doc_ptr.empty() ? "/" : doc_ptr) + ": " + what);
}

Status PortSchema::CoerceAndValidate(Json* value) const {
  Coerce(value, impl_->schema, impl_->schema, 0);
  return Validate(*value);
}

}  // namespace flowkit
