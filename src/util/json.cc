#include "flowkit/json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "util/number_format.h"

namespace flowkit {

// ---------------------------------------------------------------------------------------------
// JsonObject

// Open-addressing hash table of member positions (position + 1; 0 = empty slot). Lookups
// compare against the member's own key, so the index never holds pointers into members_.
struct JsonObject::Index {
  std::vector<uint32_t> slots;
  size_t mask = 0;
};

namespace {

// Below this size a linear scan beats hashing; above it Find builds the index.
constexpr size_t kIndexThreshold = 16;

size_t HashKey(std::string_view key) { return std::hash<std::string_view>{}(key); }

}  // namespace

JsonObject::JsonObject() = default;

JsonObject::JsonObject(const JsonObject& other) : members_(other.members_) {}

JsonObject::JsonObject(JsonObject&& other) noexcept
    : members_(std::move(other.members_)), index_(other.index_) {
  other.index_ = nullptr;
  other.members_.clear();
}

// Both assignments take everything from `other` before releasing this object's members:
// `other` may live inside them (obj = obj.Find("a")->object()).
JsonObject& JsonObject::operator=(const JsonObject& other) {
  if (this != &other) {
    JsonObject copy(other);
    *this = std::move(copy);
  }
  return *this;
}

JsonObject& JsonObject::operator=(JsonObject&& other) noexcept {
  if (this != &other) {
    std::vector<JsonMember> members = std::move(other.members_);
    Index* index = other.index_;
    other.index_ = nullptr;
    other.members_.clear();
    delete index_;
    index_ = index;
    members_ = std::move(members);
  }
  return *this;
}

JsonObject::~JsonObject() { delete index_; }

void JsonObject::BuildIndex() const {
  if (!index_) index_ = new Index();
  size_t cap = 32;
  while (cap < members_.size() * 2) cap <<= 1;
  index_->slots.assign(cap, 0);
  index_->mask = cap - 1;
  for (size_t i = 0; i < members_.size(); ++i) {
    size_t slot = HashKey(members_[i].key) & index_->mask;
    while (index_->slots[slot] != 0) slot = (slot + 1) & index_->mask;
    index_->slots[slot] = static_cast<uint32_t>(i + 1);
  }
}

const Json* JsonObject::Find(std::string_view key) const {
  if (members_.size() <= kIndexThreshold) {
    for (const JsonMember& m : members_) {
      if (m.key == key) return &m.value;
    }
    return nullptr;
  }
  if (!index_ || index_->slots.size() < members_.size() * 2) BuildIndex();
  size_t slot = HashKey(key) & index_->mask;
  while (uint32_t pos = index_->slots[slot]) {
    const JsonMember& m = members_[pos - 1];
    if (m.key == key) return &m.value;
    slot = (slot + 1) & index_->mask;
  }
  return nullptr;
}

Json* JsonObject::Find(std::string_view key) {
  return const_cast<Json*>(static_cast<const JsonObject*>(this)->Find(key));
}

Json& JsonObject::Set(std::string_view key, Json value) {
  if (Json* existing = Find(key)) {
    *existing = std::move(value);
    return *existing;
  }
  return Append(std::string(key), std::move(value));
}

Json& JsonObject::Append(std::string key, Json value) {
  members_.push_back(JsonMember{std::move(key), std::move(value)});
  if (index_) {
    if (members_.size() * 2 > index_->slots.size()) {
      BuildIndex();
    } else {
      size_t slot = HashKey(members_.back().key) & index_->mask;
      while (index_->slots[slot] != 0) slot = (slot + 1) & index_->mask;
      index_->slots[slot] = static_cast<uint32_t>(members_.size());
    }
  }
  return members_.back().value;
}

bool JsonObject::Erase(std::string_view key) {
  for (auto it = members_.begin(); it != members_.end(); ++it) {
    if (it->key == key) {
      members_.erase(it);
      // Positions after the erased member shifted; rebuild lazily on the next large lookup.
      delete index_;
      index_ = nullptr;
      return true;
    }
  }
  return false;
}

void JsonObject::Clear() {
  members_.clear();
  delete index_;
  index_ = nullptr;
}

void JsonObject::Reserve(size_t n) { members_.reserve(n); }

bool JsonObject::operator==(const JsonObject& other) const {
  if (members_.size() != other.members_.size()) return false;
  for (const JsonMember& m : members_) {
    const Json* o = other.Find(m.key);
    if (!o || !(*o == m.value)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Json: construction and access

namespace {

constexpr double kMaxExactInt = 9007199254740992.0;  // 2^53

const Json& UndefinedSentinel() {
  static const Json* undefined = new Json(Json::Undefined());
  return *undefined;
}

}  // namespace

Json::Json(unsigned long i) noexcept {
  if (i <= static_cast<unsigned long>(std::numeric_limits<int64_t>::max())) {
    v_ = static_cast<int64_t>(i);
  } else {
    v_ = static_cast<double>(i);
  }
}

Json::Json(unsigned long long i) noexcept {
  if (i <= static_cast<unsigned long long>(std::numeric_limits<int64_t>::max())) {
    v_ = static_cast<int64_t>(i);
  } else {
    v_ = static_cast<double>(i);
  }
}

Json::Json(double d) noexcept {
  if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) <= kMaxExactInt) {
    v_ = static_cast<int64_t>(d);
  } else {
    v_ = d;
  }
}

Json Json::MakeArray(std::initializer_list<Json> items) { return Json(Array(items)); }

Json Json::MakeObject(std::initializer_list<std::pair<std::string_view, Json>> members) {
  Object obj;
  obj.Reserve(members.size());
  for (const auto& [key, value] : members) obj.Set(key, value);
  return Json(std::move(obj));
}

bool Json::AsBool(bool fallback) const noexcept {
  if (const bool* b = std::get_if<bool>(&v_)) return *b;
  return fallback;
}

int64_t Json::AsInt(int64_t fallback) const noexcept {
  if (const int64_t* i = std::get_if<int64_t>(&v_)) return *i;
  if (const double* d = std::get_if<double>(&v_)) {
    if (std::isnan(*d)) return fallback;
    if (*d >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max();
    if (*d <= -9.2233720368547758e18) return std::numeric_limits<int64_t>::min();
    return static_cast<int64_t>(*d);
  }
  return fallback;
}

double Json::AsDouble(double fallback) const noexcept {
  if (const int64_t* i = std::get_if<int64_t>(&v_)) return static_cast<double>(*i);
  if (const double* d = std::get_if<double>(&v_)) return *d;
  return fallback;
}

std::string Json::AsString(std::string_view fallback) const {
  if (const std::string* s = std::get_if<std::string>(&v_)) return *s;
  return std::string(fallback);
}

std::string_view Json::StringView() const noexcept {
  if (const std::string* s = std::get_if<std::string>(&v_)) return *s;
  return {};
}

const Json::Array& Json::array() const noexcept {
  static const Array* empty = new Array();
  if (const Array* a = std::get_if<Array>(&v_)) return *a;
  return *empty;
}

const Json::Object& Json::object() const noexcept {
  static const Object* empty = new Object();
  if (const Object* o = std::get_if<Object>(&v_)) return *o;
  return *empty;
}

Json::Array& Json::MutableArray() {
  if (!IsArray()) v_ = Array();
  return std::get<Array>(v_);
}

Json::Object& Json::MutableObject() {
  if (!IsObject()) v_ = Object();
  return std::get<Object>(v_);
}

const Json& Json::Get(std::string_view key) const noexcept {
  if (const Object* o = std::get_if<Object>(&v_)) {
    if (const Json* found = o->Find(key)) return *found;
  }
  return UndefinedSentinel();
}

const Json& Json::At(size_t index) const noexcept {
  if (const Array* a = std::get_if<Array>(&v_)) {
    if (index < a->size()) return (*a)[index];
  }
  return UndefinedSentinel();
}

const Json* Json::Find(std::string_view key) const noexcept {
  if (const Object* o = std::get_if<Object>(&v_)) return o->Find(key);
  return nullptr;
}

Json* Json::Find(std::string_view key) noexcept {
  if (Object* o = std::get_if<Object>(&v_)) return o->Find(key);
  return nullptr;
}

Json& Json::Set(std::string_view key, Json value) { return MutableObject().Set(key, std::move(value)); }

bool Json::Erase(std::string_view key) {
  if (Object* o = std::get_if<Object>(&v_)) return o->Erase(key);
  return false;
}

Json& Json::Push(Json value) {
  Array& a = MutableArray();
  a.push_back(std::move(value));
  return a.back();
}

size_t Json::size() const noexcept {
  switch (v_.index()) {
    case kStringIndex: return std::get<std::string>(v_).size();
    case kArrayIndex: return std::get<Array>(v_).size();
    case kObjectIndex: return std::get<Object>(v_).size();
    default: return 0;
  }
}

bool Json::operator==(const Json& other) const noexcept {
  if (IsNumber() && other.IsNumber()) {
    if (IsInteger() && other.IsInteger()) return std::get<int64_t>(v_) == std::get<int64_t>(other.v_);
    return AsDouble() == other.AsDouble();
  }
  return v_ == other.v_;
}

// ---------------------------------------------------------------------------------------------
// Serialization

namespace {

void AppendEscaped(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run_start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out->append(esc, 6);
      }
    }
  }
  out->append(s.data() + run_start, s.size() - run_start);
  out->push_back('"');
}

void AppendInt(int64_t i, std::string* out) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, i);
  out->append(buf, res.ptr);
}

void AppendNewline(int indent, int depth, std::string* out) {
  out->push_back('\n');
  out->append(static_cast<size_t>(indent) * static_cast<size_t>(depth), ' ');
}

}  // namespace

class JsonAccess {
 public:
  static void Write(const Json& j, int indent, int depth, std::string* out) {
    switch (j.v_.index()) {
      case 0:  // undefined: JSON has none; null is what JSON.stringify writes in arrays
      case 1: out->append("null"); return;
      case 2: out->append(std::get<bool>(j.v_) ? "true" : "false"); return;
      case Json::kIntIndex: AppendInt(std::get<int64_t>(j.v_), out); return;
      case Json::kDoubleIndex: {
        const double d = std::get<double>(j.v_);
        if (std::isfinite(d)) {
          internal::AppendJsNumber(d, out);
        } else {
          out->append("null");
        }
        return;
      }
      case Json::kStringIndex: AppendEscaped(std::get<std::string>(j.v_), out); return;
      case Json::kArrayIndex: {
        const Json::Array& a = std::get<Json::Array>(j.v_);
        out->push_back('[');
        bool first = true;
        for (const Json& item : a) {
          if (!first) out->push_back(',');
          first = false;
          if (indent > 0) AppendNewline(indent, depth + 1, out);
          Write(item, indent, depth + 1, out);
        }
        if (indent > 0 && !a.empty()) AppendNewline(indent, depth, out);
        out->push_back(']');
        return;
      }
      case Json::kObjectIndex: {
        const Json::Object& o = std::get<Json::Object>(j.v_);
        out->push_back('{');
        bool first = true;
        for (const JsonMember& m : o) {
          if (m.value.IsUndefined()) continue;  // as JSON.stringify does
          if (!first) out->push_back(',');
          first = false;
          if (indent > 0) AppendNewline(indent, depth + 1, out);
          AppendEscaped(m.key, out);
          out->push_back(':');
          if (indent > 0) out->push_back(' ');
          Write(m.value, indent, depth + 1, out);
        }
        if (indent > 0 && !first) AppendNewline(indent, depth, out);
        out->push_back('}');
        return;
      }
    }
  }
};

void Json::DumpTo(std::string* out) const { JsonAccess::Write(*this, 0, 0, out); }

std::string Json::Dump() const {
  std::string out;
  DumpTo(&out);
  return out;
}

std::string Json::DumpPretty(int indent) const {
  std::string out;
  JsonAccess::Write(*this, indent < 0 ? 0 : indent, 0, &out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing: rapidjson's iterative SAX reader (no recursion, UTF-8 validated) building Json
// directly, so no intermediate DOM is allocated.

namespace {

constexpr size_t kMaxDepth = 512;

class Builder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Builder> {
 public:
  bool Null() { return Add(Json(nullptr)); }
  bool Bool(bool b) { return Add(Json(b)); }
  bool Int(int i) { return Add(Json(i)); }
  bool Uint(unsigned u) { return Add(Json(u)); }
  bool Int64(int64_t i) { return Add(Json(i)); }
  bool Uint64(uint64_t u) { return Add(Json(u)); }
  bool Double(double d) { return Add(Json(d)); }
  bool String(const char* s, rapidjson::SizeType len, bool) { return Add(Json(std::string(s, len))); }
  bool Key(const char* s, rapidjson::SizeType len, bool) {
    keys_.emplace_back(s, len);
    return true;
  }
  bool StartObject() { return Open(Json(Json::Object())); }
  bool StartArray() { return Open(Json(Json::Array())); }
  bool EndObject(rapidjson::SizeType) { return Close(); }
  bool EndArray(rapidjson::SizeType) { return Close(); }

  bool too_deep() const { return too_deep_; }
  Json TakeRoot() { return std::move(root_); }

 private:
  bool Open(Json container) {
    if (stack_.size() >= kMaxDepth) {
      too_deep_ = true;
      return false;
    }
    stack_.push_back(std::move(container));
    return true;
  }

  bool Close() {
    Json done = std::move(stack_.back());
    stack_.pop_back();
    return Add(std::move(done));
  }

  bool Add(Json value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return true;
    }
    Json& parent = stack_.back();
    if (parent.IsArray()) {
      parent.MutableArray().push_back(std::move(value));
    } else {
      // Duplicate keys: the last one wins, as in JSON.parse.
      parent.MutableObject().Set(keys_.back(), std::move(value));
      keys_.pop_back();
    }
    return true;
  }

  std::vector<Json> stack_;
  std::vector<std::string> keys_;
  Json root_;
  bool too_deep_ = false;
};

}  // namespace

Result<Json> Json::Parse(std::string_view text) {
  Builder builder;
  rapidjson::Reader reader;
  rapidjson::MemoryStream ms(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> stream(ms);
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseFullPrecisionFlag;
  rapidjson::ParseResult res = reader.Parse<kFlags>(stream, builder);
  if (res.IsError()) {
    std::string msg = "invalid JSON at offset " + std::to_string(res.Offset()) + ": ";
    if (builder.too_deep()) {
      msg += "nesting is deeper than " + std::to_string(kMaxDepth) + " levels";
    } else if (res.Code() == rapidjson::kParseErrorDocumentEmpty) {
      msg += "the text is empty";
    } else {
      std::string reason = rapidjson::GetParseError_En(res.Code());
      if (!reason.empty() && reason.back() == '.') reason.pop_back();
      if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
      msg += reason;
    }
    return Status::InvalidArgument(std::move(msg));
  }
  return builder.TakeRoot();
}

// ---------------------------------------------------------------------------------------------
// JSON pointers

std::string JsonPointerAppend(std::string_view base, std::string_view token) {
  std::string out(base);
  out.reserve(base.size() + token.size() + 1);
  out.push_back('/');
  for (char c : token) {
    if (c == '~') {
      out.append("~0");
    } else if (c == '/') {
      out.append("~1");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string JsonPointerAppend(std::string_view base, size_t index) {
  std::string out(base);
  out.push_back('/');
  out.append(std::to_string(index));
  return out;
}

}  // namespace flowkit
