#include "base/error.hpp"

#include <cstring>

namespace berth {

std::string_view category_name(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::NotFound: return "not found";
    case ErrorCategory::Conflict: return "conflict";
    case ErrorCategory::InvalidArgument: return "invalid argument";
    case ErrorCategory::PermissionDenied: return "permission denied";
    case ErrorCategory::Unavailable: return "unavailable";
    case ErrorCategory::Internal: return "internal";
  }
  return "internal";
}

ErrorCategory category_for_errno(int err) {
  switch (err) {
    case ENOENT:
    case ESRCH:
    case ENODEV:
    case ENXIO: return ErrorCategory::NotFound;
    case EEXIST:
    case EBUSY:
    case ENOTEMPTY: return ErrorCategory::Conflict;
    case EINVAL:
    case ENAMETOOLONG:
    case ELOOP:
    case ENOTDIR:
    case EISDIR:
    case EXDEV:
    case E2BIG: return ErrorCategory::InvalidArgument;
    case EPERM:
    case EACCES:
    case EROFS: return ErrorCategory::PermissionDenied;
    case EAGAIN:
    case ENOSPC:
    case ENOMEM:
    case EMFILE:
    case ENFILE:
    case ECONNREFUSED:
    case ETIMEDOUT:
    case ENOSYS:
    case EOPNOTSUPP: return ErrorCategory::Unavailable;
    default: return ErrorCategory::Internal;
  }
}

Error& Error::wrap(std::string_view outer) & {
  if (outer.empty()) return *this;
  if (context_.empty()) {
    context_.assign(outer);
  } else {
    std::string joined(outer);
    joined += ": ";
    joined += context_;
    context_ = std::move(joined);
  }
  return *this;
}

Error&& Error::wrap(std::string_view outer) && { return std::move(wrap(outer)); }

std::string Error::to_string() const {
  std::string out = context_;
  if (!message_.empty()) {
    if (!out.empty()) out += ": ";
    out += message_;
  }
  if (errno_ != 0) {
    if (!out.empty()) out += ": ";
    out += std::strerror(errno_);
  }
  return out;
}

Unexpected make_error(ErrorCategory category, std::string message) {
  return Unexpected(Error(category, std::move(message)));
}

Unexpected sys_error(std::string message) {
  int err = errno;  // read before anything else can change it
  return sys_error(std::move(message), err);
}

Unexpected sys_error(std::string message, int err) {
  return Unexpected(Error(category_for_errno(err), std::move(message), err));
}

}  // namespace berth
