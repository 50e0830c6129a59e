// Diagnostics: the list of problems found while validating a manifest or a flow.
//
// Each problem names its place with a JSON pointer into the validated document and says what is
// wrong in a sentence a person understands. Threading: plain value, no synchronisation.
#pragma once

#include <string>
#include <vector>

#include "flowkit/status.h"

namespace flowkit {

struct Diagnostic {
  enum class Severity : uint8_t { kError, kWarning };
  Severity severity = Severity::kError;
  std::string pointer;  // RFC 6901 pointer into the document; "" is the whole document
  std::string message;  // one sentence, no trailing period needed

  // "<pointer>: <message>" (the pointer is written as "/" when it is empty).
  std::string ToString() const;
};

class Diagnostics {
 public:
  void Error(std::string pointer, std::string message);
  void Warning(std::string pointer, std::string message);
  void Add(Diagnostic d);
  void Append(const Diagnostics& other);

  bool has_errors() const noexcept { return errors_ > 0; }
  size_t error_count() const noexcept { return errors_; }
  const std::vector<Diagnostic>& items() const noexcept { return items_; }
  bool empty() const noexcept { return items_.empty(); }

  // OK when there are no errors; otherwise kInvalidArgument with the first error and a count of
  // the rest, e.g. "/flow/a/type: unknown component type 'x.y.z.W' (and 2 more errors)".
  Status ToStatus() const;

 private:
  std::vector<Diagnostic> items_;
  size_t errors_ = 0;
};

}  // namespace flowkit
