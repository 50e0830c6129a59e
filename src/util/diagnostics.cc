#include "flowkit/diagnostics.h"

#include <string>

namespace flowkit {

std::string Diagnostic::ToString() const {
  std::string out = pointer.empty() ? "/" : pointer;
  out += ": ";
  out += message;
  return out;
}

void Diagnostics::Error(std::string pointer, std::string message) {
  items_.push_back({Diagnostic::Severity::kError, std::move(pointer), std::move(message)});
  ++errors_;
}

void Diagnostics::Warning(std::string pointer, std::string message) {
  items_.push_back({Diagnostic::Severity::kWarning, std::move(pointer), std::move(message)});
}

void Diagnostics::Add(Diagnostic d) {
  if (d.severity == Diagnostic::Severity::kError) ++errors_;
  items_.push_back(std::move(d));
}

void Diagnostics::Append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
  errors_ += other.errors_;
}

Status Diagnostics::ToStatus() const {
  if (errors_ == 0) return Status::OK();
  for (const Diagnostic& d : items_) {
    if (d.severity != Diagnostic::Severity::kError) continue;
    std::string msg = d.ToString();
    if (errors_ > 1) {
      msg += " (and " + std::to_string(errors_ - 1) + (errors_ == 2 ? " more error)" : " more errors)");
    }
    return Status::InvalidArgument(std::move(msg));
  }
  return Status::Internal("diagnostics count errors it does not hold");
}

}  // namespace flowkit
