// Errors as values: every fallible call in berth returns Result<T>.
//
// An Error carries a category (what the caller can do about it), the errno
// that caused it (0 if none) and a message. Callers add context on the way
// up with TRY_CTX or Error::wrap, so the final text reads outermost first:
//   "create container abc: mount /proc: Operation not permitted"
// Only the edges (api/, cli/, apps/) turn a category into an HTTP status or
// an exit code.
#pragma once

#include <cerrno>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

namespace berth {

enum class ErrorCategory {
  NotFound,
  Conflict,
  InvalidArgument,
  PermissionDenied,
  Unavailable,
  Internal,
};

std::string_view category_name(ErrorCategory category);

// The category a raw errno most naturally maps to (ENOENT -> NotFound, ...).
ErrorCategory category_for_errno(int err);

class Error {
 public:
  Error(ErrorCategory category, std::string message, int err = 0)
      : category_(category), errno_(err), message_(std::move(message)) {}

  ErrorCategory category() const { return category_; }
  int sys_errno() const { return errno_; }
  // The innermost message, without context or errno text.
  const std::string& message() const { return message_; }
  // Context frames, innermost first.
  const std::string& context() const { return context_; }

  // Adds an outer frame of context; returns *this so it chains.
  Error& wrap(std::string_view outer) &;
  Error&& wrap(std::string_view outer) &&;

  // "outer: inner: message: strerror(errno)".
  std::string to_string() const;

  bool is(ErrorCategory c) const { return category_ == c; }

 private:
  ErrorCategory category_;
  int errno_;
  std::string message_;
  std::string context_;  // "outer: inner" (outermost first), may be empty
};

template <typename T = void>
using Result = tl::expected<T, Error>;

using Unexpected = tl::unexpected<Error>;

// Builders. make_error for logic errors; sys_error captures errno now, so
// call it immediately after the failing syscall.
Unexpected make_error(ErrorCategory category, std::string message);
Unexpected sys_error(std::string message);
Unexpected sys_error(std::string message, int err);

inline Result<> ok() { return {}; }

namespace detail {
// tl::expected<void> has no value(); TRY needs one spelling for both.
template <typename T>
T take_value(tl::expected<T, Error>&& r) {
  return std::move(*r);
}
inline void take_value(tl::expected<void, Error>&&) {}
}  // namespace detail

}  // namespace berth

// TRY(expr): evaluates a Result; on error returns it from the enclosing
// function, otherwise yields the value. Reads like straight-line code.
#define TRY(expr)                                                                          \
  ({                                                                                       \
    auto&& berth_try_result_ = (expr);                                                     \
    if (!berth_try_result_) return ::tl::unexpected(std::move(berth_try_result_).error()); \
    ::berth::detail::take_value(std::move(berth_try_result_));                             \
  })

// TRY_CTX(expr, context): as TRY, but adds a frame of context on error.
// `context` is evaluated only on the error path.
#define TRY_CTX(expr, context)                                                     \
  ({                                                                               \
    auto&& berth_try_result_ = (expr);                                             \
    if (!berth_try_result_)                                                        \
      return ::tl::unexpected(std::move(berth_try_result_).error().wrap(context)); \
    ::berth::detail::take_value(std::move(berth_try_result_));                     \
  })
