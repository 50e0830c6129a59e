// Typed reads of JSON members that report wrong types as diagnostics instead of failing.
//
// Manifests and flow descriptors come from users and other systems; every read checks the type
// and, on a mismatch, records "<pointer>: expected a boolean, got string" and carries on, so one
// pass collects every problem.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "flowkit/diagnostics.h"
#include "flowkit/json.h"

namespace flowkit::flow_internal {

// "null", "boolean", "number", "string", "array", "object" (JSON's names, as people read them).
std::string_view JsonTypeName(const Json& value);

// Reports `what` (e.g. "a boolean") against the actual type of `value` at `pointer`.
void ReportType(Diagnostics& diags, const std::string& pointer, std::string_view what,
                const Json& value);

// Reads members of one JSON object; `object` and `diags` are borrowed and must outlive it.
// When `object` is not an object every member reads as absent (the caller reports that once).
class FieldReader {
 public:
  FieldReader(const Json& object, std::string pointer, Diagnostics& diags)
      : object_(object), pointer_(std::move(pointer)), diags_(diags) {}

  const std::string& pointer() const noexcept { return pointer_; }
  std::string PointerTo(std::string_view key) const { return JsonPointerAppend(pointer_, key); }

  // The member, or nullptr when absent (Undefined counts as absent).
  const Json* Member(std::string_view key) const noexcept;

  // Each returns true when the member is present and of the right type (then `*out` is set);
  // a present member of the wrong type is reported; an absent `required` member is reported.
  bool String(std::string_view key, std::string* out, bool required = false);
  bool Bool(std::string_view key, bool* out);
  // Present and an integer >= `min`.
  bool Integer(std::string_view key, int64_t* out, int64_t min);
  // The member when it is an object / array, else nullptr (reported when present).
  const Json* Object(std::string_view key, bool required = false);
  const Json* Array(std::string_view key, bool required = false);

 private:
  void ReportMissing(std::string_view key, std::string_view what);

  const Json& object_;
  std::string pointer_;
  Diagnostics& diags_;
};

}  // namespace flowkit::flow_internal
