// flowkit::Json — the JSON value that component authors read and build.
//
// A Json is a value type: copying copies deeply, moving is cheap. Objects keep their members in
// insertion order (JavaScript's order for string keys, which Appmixer components rely on, e.g. CSV
// headers taken from the keys of the first row). Numbers keep integers exact (int64) and
// everything else as double. `Undefined` models JavaScript's undefined: Get() of a missing
// member returns it, Dump() omits object members holding it and writes it as null elsewhere.
//
// Threading: a Json may be read from many threads at once; writing needs exclusive access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "flowkit/status.h"

namespace flowkit {

class Json;
struct JsonMember;

// An insertion-ordered string → Json map. Lookup is linear for small objects; objects with
// many members build a hash index on demand.
class JsonObject {
 public:
  using iterator = std::vector<JsonMember>::iterator;
  using const_iterator = std::vector<JsonMember>::const_iterator;

  JsonObject();
  JsonObject(const JsonObject& other);
  JsonObject(JsonObject&& other) noexcept;
  JsonObject& operator=(const JsonObject& other);
  JsonObject& operator=(JsonObject&& other) noexcept;
  ~JsonObject();

  size_t size() const noexcept { return members_.size(); }
  bool empty() const noexcept { return members_.empty(); }
  iterator begin() { return members_.begin(); }
  iterator end() { return members_.end(); }
  const_iterator begin() const { return members_.begin(); }
  const_iterator end() const { return members_.end(); }

  // nullptr when the key is absent.
  const Json* Find(std::string_view key) const;
  Json* Find(std::string_view key);
  bool Contains(std::string_view key) const { return Find(key) != nullptr; }

  // Inserts or replaces; a replaced member keeps its position. Returns the stored value.
  Json& Set(std::string_view key, Json value);
  // Appends without looking for an existing key. REQUIRES: the key is absent (parsers that
  // have checked, or builders that know). Faster than Set for fresh objects.
  Json& Append(std::string key, Json value);
  // Returns whether a member was removed.
  bool Erase(std::string_view key);
  void Clear();
  void Reserve(size_t n);

  bool operator==(const JsonObject& other) const;  // order-insensitive

 private:
  void BuildIndex() const;
  std::vector<JsonMember> members_;
  // Hash index over members_ (key → position), built lazily once the object is large.
  struct Index;
  mutable Index* index_ = nullptr;
};

class Json {
 public:
  enum class Type : uint8_t { kUndefined, kNull, kBool, kNumber, kString, kArray, kObject };
  using Array = std::vector<Json>;
  using Object = JsonObject;

  // Default: null.
  Json() noexcept : v_(Null{}) {}
  Json(std::nullptr_t) noexcept : v_(Null{}) {}  // NOLINT(google-explicit-constructor)
  Json(bool b) noexcept : v_(b) {}               // NOLINT(google-explicit-constructor)
  Json(int i) noexcept : v_(int64_t{i}) {}       // NOLINT(google-explicit-constructor)
  Json(unsigned i) noexcept : v_(int64_t{i}) {}  // NOLINT(google-explicit-constructor)
  Json(long i) noexcept : v_(int64_t{i}) {}      // NOLINT(google-explicit-constructor)
  Json(long long i) noexcept : v_(int64_t{i}) {}  // NOLINT(google-explicit-constructor)
  // Values above INT64_MAX become doubles.
  Json(unsigned long i) noexcept;       // NOLINT(google-explicit-constructor)
  Json(unsigned long long i) noexcept;  // NOLINT(google-explicit-constructor)
  // Integral doubles within ±2^53 are stored as integers, so 3.0 and 3 are the same value.
  Json(double d) noexcept;  // NOLINT(google-explicit-constructor)
  Json(const char* s) : v_(std::string(s)) {}         // NOLINT(google-explicit-constructor)
  Json(std::string s) noexcept : v_(std::move(s)) {}  // NOLINT(google-explicit-constructor)
  Json(std::string_view s) : v_(std::string(s)) {}    // NOLINT(google-explicit-constructor)
  Json(Array a) noexcept : v_(std::move(a)) {}        // NOLINT(google-explicit-constructor)
  Json(Object o) noexcept : v_(std::move(o)) {}       // NOLINT(google-explicit-constructor)

  Json(const Json&) = default;
  Json(Json&&) noexcept = default;
  // Safe when `other` lives inside this value (x = x["member"], x = std::move(x.MutableArray()[0])):
  // the source is copied or moved aside before the old value is released.
  Json& operator=(const Json& other) {
    if (this != &other) {
      auto copy = other.v_;
      v_ = std::move(copy);
    }
    return *this;
  }
  Json& operator=(Json&& other) noexcept {
    if (this != &other) {
      auto taken = std::move(other.v_);
      v_ = std::move(taken);
    }
    return *this;
  }
  ~Json() = default;

  static Json Undefined() noexcept { return Json(UndefinedTag{}); }
  static Json MakeArray(std::initializer_list<Json> items = {});
  static Json MakeObject(std::initializer_list<std::pair<std::string_view, Json>> members = {});

  // Parses RFC 8259 JSON (UTF-8). Errors are kInvalidArgument naming the byte offset and the
  // problem, e.g. "invalid JSON at offset 12: missing a comma or '}' after an object member".
  // Nesting deeper than 512 levels is rejected rather than recursed into.
  static Result<Json> Parse(std::string_view text);

  Type type() const noexcept {
    constexpr Type kTypes[] = {Type::kUndefined, Type::kNull,   Type::kBool,  Type::kNumber,
                               Type::kNumber,    Type::kString, Type::kArray, Type::kObject};
    return kTypes[v_.index()];
  }
  bool IsUndefined() const noexcept { return type() == Type::kUndefined; }
  bool IsNull() const noexcept { return type() == Type::kNull; }
  // True for null and undefined.
  bool IsNullish() const noexcept { return type() <= Type::kNull; }
  bool IsBool() const noexcept { return type() == Type::kBool; }
  bool IsNumber() const noexcept { return v_.index() == kIntIndex || v_.index() == kDoubleIndex; }
  // A number with no fractional part that fits int64.
  bool IsInteger() const noexcept { return v_.index() == kIntIndex; }
  bool IsString() const noexcept { return v_.index() == kStringIndex; }
  bool IsArray() const noexcept { return v_.index() == kArrayIndex; }
  bool IsObject() const noexcept { return v_.index() == kObjectIndex; }

  // Typed reads: the stored value when the type matches, else `fallback`. No conversion.
  bool AsBool(bool fallback = false) const noexcept;
  int64_t AsInt(int64_t fallback = 0) const noexcept;  // doubles are truncated toward zero
  double AsDouble(double fallback = 0) const noexcept;
  std::string AsString(std::string_view fallback = {}) const;
  // A view of the stored string; empty when not a string. Valid while this Json is unchanged.
  std::string_view StringView() const noexcept;

  // Empty containers when the type does not match.
  const Array& array() const noexcept;
  const Object& object() const noexcept;
  // Turn this value into an empty array/object first when it is not one already.
  Array& MutableArray();
  Object& MutableObject();

  // Member and element access. Get returns the Undefined sentinel when this is not an object /
  // array or the key / index is missing.
  const Json& Get(std::string_view key) const noexcept;
  const Json& At(size_t index) const noexcept;
  const Json& operator[](std::string_view key) const noexcept { return Get(key); }
  const Json& operator[](const char* key) const noexcept { return Get(key); }
  // Any integer type (so j[0] is an index, not a null `const char*`).
  template <typename I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
  const Json& operator[](I index) const noexcept {
    if constexpr (std::is_signed_v<I>) {
      if (index < 0) return At(static_cast<size_t>(-1));  // out of range: Undefined
    }
    return At(static_cast<size_t>(index));
  }
  const Json* Find(std::string_view key) const noexcept;
  Json* Find(std::string_view key) noexcept;
  bool Contains(std::string_view key) const noexcept { return Find(key) != nullptr; }

  // Builders. Set turns a non-object into an empty object first; Push does the same for arrays.
  Json& Set(std::string_view key, Json value);
  bool Erase(std::string_view key);
  Json& Push(Json value);

  // Elements of an array, members of an object, bytes of a string; 0 otherwise.
  size_t size() const noexcept;
  bool empty() const noexcept { return size() == 0; }

  // Deep equality. Numbers compare by value (1 == 1.0); object member order does not matter.
  bool operator==(const Json& other) const noexcept;

  // Compact JSON text. Non-finite numbers are written as null (as JSON.stringify does).
  std::string Dump() const;
  void DumpTo(std::string* out) const;
  // Indented JSON text; indent 0 equals Dump().
  std::string DumpPretty(int indent = 2) const;

 private:
  struct UndefinedTag {};
  struct Null {
    bool operator==(const Null&) const noexcept { return true; }
  };
  explicit Json(UndefinedTag) noexcept : v_(UndefinedTag{}) {}
  friend bool operator==(UndefinedTag, UndefinedTag) noexcept { return true; }

  // Numbers use two alternatives (exact integers and doubles); type() folds them.
  static constexpr size_t kIntIndex = 3;
  static constexpr size_t kDoubleIndex = 4;
  static constexpr size_t kStringIndex = 5;
  static constexpr size_t kArrayIndex = 6;
  static constexpr size_t kObjectIndex = 7;
  std::variant<UndefinedTag, Null, bool, int64_t, double, std::string, Array, Object> v_;

  friend class JsonAccess;
};

struct JsonMember {
  std::string key;
  Json value;
};

// JSON pointer helpers (RFC 6901) for error messages: Append("/a", "b/c") == "/a/b~1c".
std::string JsonPointerAppend(std::string_view base, std::string_view token);
std::string JsonPointerAppend(std::string_view base, size_t index);

}  // namespace flowkit
