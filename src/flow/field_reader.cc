#include "flow/field_reader.h"

#include <string>

namespace flowkit::flow_internal {

std::string_view JsonTypeName(const Json& value) {
  switch (value.type()) {
    case Json::Type::kUndefined: return "nothing";
    case Json::Type::kNull: return "null";
    case Json::Type::kBool: return "boolean";
    case Json::Type::kNumber: return "number";
    case Json::Type::kString: return "string";
    case Json::Type::kArray: return "array";
    case Json::Type::kObject: return "object";
  }
  return "unknown";
}

void ReportType(Diagnostics& diags, const std::string& pointer, std::string_view what,
                const Json& value) {
  std::string msg = "expected ";
  msg += what;
  msg += ", got ";
  msg += JsonTypeName(value);
  diags.Error(pointer, std::move(msg));
}

const Json* FieldReader::Member(std::string_view key) const noexcept {
  if (!object_.IsObject()) return nullptr;
  const Json* member = object_.Find(key);
  if (member == nullptr || member->IsUndefined()) return nullptr;
  return member;
}

void FieldReader::ReportMissing(std::string_view key, std::string_view what) {
  std::string msg = "'";
  msg += key;
  msg += "' is required (";
  msg += what;
  msg += ")";
  diags_.Error(PointerTo(key), std::move(msg));
}

bool FieldReader::String(std::string_view key, std::string* out, bool required) {
  const Json* member = Member(key);
  if (member == nullptr) {
    if (required) ReportMissing(key, "a string");
    return false;
  }
  if (!member->IsString()) {
    ReportType(diags_, PointerTo(key), "a string", *member);
    return false;
  }
  *out = std::string(member->StringView());
  return true;
}

bool FieldReader::Bool(std::string_view key, bool* out) {
  const Json* member = Member(key);
  if (member == nullptr) return false;
  if (!member->IsBool()) {
    ReportType(diags_, PointerTo(key), "a boolean", *member);
    return false;
  }
  *out = member->AsBool();
  return true;
}

bool FieldReader::Integer(std::string_view key, int64_t* out, int64_t min) {
  const Json* member = Member(key);
  if (member == nullptr) return false;
  if (!member->IsInteger()) {
    ReportType(diags_, PointerTo(key), "an integer", *member);
    return false;
  }
  if (member->AsInt() < min) {
    diags_.Error(PointerTo(key), "must be at least " + std::to_string(min) + ", got " +
                                     std::to_string(member->AsInt()));
    return false;
  }
  *out = member->AsInt();
  return true;
}

const Json* FieldReader::Object(std::string_view key, bool required) {
  const Json* member = Member(key);
  if (member == nullptr) {
    if (required) ReportMissing(key, "an object");
    return nullptr;
  }
  if (!member->IsObject()) {
    ReportType(diags_, PointerTo(key), "an object", *member);
    return nullptr;
  }
  return member;
}

const Json* FieldReader::Array(std::string_view key, bool required) {
  const Json* member = Member(key);
  if (member == nullptr) {
    if (required) ReportMissing(key, "an array");
    return nullptr;
  }
  if (!member->IsArray()) {
    ReportType(diags_, PointerTo(key), "an array", *member);
    return nullptr;
  }
  return member;
}

}  // namespace flowkit::flow_internal
