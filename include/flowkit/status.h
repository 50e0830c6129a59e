// Status and Result<T>: how every fallible flowkit call reports failure.
//
// Threading: Status and Result are plain values; distinct objects may be used from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace flowkit {

// Codes are coarse on purpose: each maps to one HTTP status and one retry decision.
enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,     // malformed or invalid input (400); never retried
  kNotFound,            // 404; never retried
  kAlreadyExists,       // 409; never retried
  kPermissionDenied,    // 403; never retried
  kUnauthenticated,     // 401; never retried
  kFailedPrecondition,  // the system is not in a state to do this (409); never retried
  kTooLarge,            // a size limit was exceeded (413); never retried
  kResourceExhausted,   // rate limit or quota (429); retried
  kUnavailable,         // transient failure: 5xx, network (503); retried
  kDeadlineExceeded,    // timed out (504/408); retried
  kCancelled,           // the caller asked for no retry (Appmixer's CancelError)
  kNotSupported,        // not implemented by this build or adapter (501); never retried
  kIOError,             // storage or OS error (500); retried
  kCorruption,          // stored data is damaged (500); never retried
  kInternal,            // a bug or an unexpected exception (500); retried
};

// Returns a stable lower-case name ("invalid_argument") used in logs and REST errors.
std::string_view StatusCodeName(StatusCode code);

// Status is a code plus a message, and optionally the HTTP status of a remote call that
// caused it. An OK status holds no allocation; copying an error copies its message.
class [[nodiscard]] Status {
 public:
  Status() noexcept = default;
  Status(StatusCode code, std::string message, int http_status = 0);
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;
  ~Status() = default;

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {StatusCode::kAlreadyExists, std::move(msg)}; }
  static Status PermissionDenied(std::string msg) { return {StatusCode::kPermissionDenied, std::move(msg)}; }
  static Status Unauthenticated(std::string msg) { return {StatusCode::kUnauthenticated, std::move(msg)}; }
  static Status FailedPrecondition(std::string msg) { return {StatusCode::kFailedPrecondition, std::move(msg)}; }
  static Status TooLarge(std::string msg) { return {StatusCode::kTooLarge, std::move(msg)}; }
  static Status ResourceExhausted(std::string msg) { return {StatusCode::kResourceExhausted, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status DeadlineExceeded(std::string msg) { return {StatusCode::kDeadlineExceeded, std::move(msg)}; }
  static Status Cancelled(std::string msg) { return {StatusCode::kCancelled, std::move(msg)}; }
  static Status NotSupported(std::string msg) { return {StatusCode::kNotSupported, std::move(msg)}; }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  // The status for a failed remote HTTP call with the given response code (e.g. 503 →
  // kUnavailable, 404 → kNotFound, 429 → kResourceExhausted); http_status() keeps the code.
  static Status FromHttpStatus(int http_status, std::string msg);

  bool ok() const noexcept { return rep_ == nullptr; }
  StatusCode code() const noexcept { return rep_ ? rep_->code : StatusCode::kOk; }
  // Empty for OK.
  const std::string& message() const noexcept;
  // The HTTP status of the remote call that failed, or 0.
  int http_status() const noexcept { return rep_ ? rep_->http_status : 0; }

  // The HTTP status a server answers with for this status (200 for OK).
  int ToHttpStatus() const noexcept;
  // Whether the engine retries work that failed with this status (Appmixer 6.4 classification:
  // validation, 4xx and cancel are final; 5xx, 408, 429, network and internal errors retry).
  bool IsRetryable() const noexcept;

  // "invalid_argument: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<prefix>: <message>"; OK stays OK.
  Status WithPrefix(std::string_view prefix) const;

  bool operator==(const Status& other) const noexcept {
    return code() == other.code() && message() == other.message();
  }

 private:
  struct Rep {
    StatusCode code;
    int http_status;
    std::string message;
  };
  std::unique_ptr<Rep> rep_;
};

// Result<T> holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  // REQUIRES: !status.ok(). An OK status without a value is turned into kInternal.
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (status_.ok()) status_ = Status::Internal("Result constructed from an OK status without a value");
  }
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  template <typename U,
            typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                        !std::is_same_v<std::decay_t<U>, T> &&
                                        !std::is_same_v<std::decay_t<U>, Status> &&
                                        !std::is_same_v<std::decay_t<U>, Result<T>>>>
  Result(U&& value) : value_(std::forward<U>(value)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const noexcept { return value_.has_value(); }
  const Status& status() const& noexcept { return status_; }
  Status status() && { return std::move(status_); }

  // REQUIRES: ok().
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T&& operator*() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace flowkit

// Propagates a non-OK Status from an expression returning Status.
#define FLOWKIT_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::flowkit::Status flowkit_status_ = (expr);        \
    if (!flowkit_status_.ok()) return flowkit_status_; \
  } while (0)

#define FLOWKIT_CONCAT_INNER_(a, b) a##b
#define FLOWKIT_CONCAT_(a, b) FLOWKIT_CONCAT_INNER_(a, b)

// FLOWKIT_ASSIGN_OR_RETURN(auto x, MakeX()); — declares x from a Result or returns its Status.
#define FLOWKIT_ASSIGN_OR_RETURN(lhs, expr) \
  FLOWKIT_ASSIGN_OR_RETURN_IMPL_(FLOWKIT_CONCAT_(flowkit_result_, __LINE__), lhs, expr)
#define FLOWKIT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return std::move(tmp).status();       \
  lhs = std::move(tmp).value()
