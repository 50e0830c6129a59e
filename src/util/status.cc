#include "flowkit/status.h"

#include <string>

namespace flowkit {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kAlreadyExists: return "already_exists";
    case StatusCode::kPermissionDenied: return "permission_denied";
    case StatusCode::kUnauthenticated: return "unauthenticated";
    case StatusCode::kFailedPrecondition: return "failed_precondition";
    case StatusCode::kTooLarge: return "too_large";
    case StatusCode::kResourceExhausted: return "resource_exhausted";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kDeadlineExceeded: return "deadline_exceeded";
    case StatusCode::kCancelled: return "cancelled";
    case StatusCode::kNotSupported: return "not_supported";
    case StatusCode::kIOError: return "io_error";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

Status::Status(StatusCode code, std::string message, int http_status) {
  // An OK code carries nothing, whatever message was passed.
  if (code != StatusCode::kOk) rep_ = std::make_unique<Rep>(Rep{code, http_status, std::move(message)});
}

Status::Status(const Status& other) : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
  return *this;
}

const std::string& Status::message() const noexcept {
  static const std::string kEmpty;
  return rep_ ? rep_->message : kEmpty;
}

Status Status::FromHttpStatus(int http_status, std::string msg) {
  StatusCode code;
  if (http_status >= 200 && http_status < 400) {
    code = StatusCode::kOk;
  } else if (http_status == 400 || http_status == 405 || http_status == 406 || http_status == 411 ||
             http_status == 422 || http_status == 451) {
    code = StatusCode::kInvalidArgument;
  } else if (http_status == 401) {
    code = StatusCode::kUnauthenticated;
  } else if (http_status == 403) {
    code = StatusCode::kPermissionDenied;
  } else if (http_status == 404 || http_status == 410) {
    code = StatusCode::kNotFound;
  } else if (http_status == 409) {
    code = StatusCode::kAlreadyExists;
  } else if (http_status == 413) {
    code = StatusCode::kTooLarge;
  } else if (http_status == 408 || http_status == 504) {
    code = StatusCode::kDeadlineExceeded;
  } else if (http_status == 429) {
    code = StatusCode::kResourceExhausted;
  } else if (http_status == 501) {
    code = StatusCode::kNotSupported;
  } else if (http_status >= 500) {
    code = StatusCode::kUnavailable;
  } else {
    code = StatusCode::kFailedPrecondition;  // other 4xx: final, like Appmixer's classification
  }
  return Status(code, std::move(msg), http_status);
}

int Status::ToHttpStatus() const noexcept {
  switch (code()) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kTooLarge: return 413;
    case StatusCode::kResourceExhausted: return 429;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kDeadlineExceeded: return 504;
    case StatusCode::kCancelled: return 499;
    case StatusCode::kNotSupported: return 501;
    case StatusCode::kIOError:
    case StatusCode::kCorruption:
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

bool Status::IsRetryable() const noexcept {
  switch (code()) {
    case StatusCode::kResourceExhausted:
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kIOError:
    case StatusCode::kInternal:
      return true;
    default:
      return false;
  }
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(code()));
  out += ": ";
  out += rep_->message;
  return out;
}

Status Status::WithPrefix(std::string_view prefix) const {
  if (ok()) return Status();
  std::string msg(prefix);
  msg += ": ";
  msg += rep_->message;
  return Status(rep_->code, std::move(msg), rep_->http_status);
}

}  // namespace flowkit
