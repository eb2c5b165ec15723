#include "pidfile.hpp"

#include <signal.h>
#include <unistd.h>

#include "base/file.hpp"
#include "base/strings.hpp"

namespace berth::berthd {

Result<PidFile> PidFile::create(const std::string& path) {
  if (auto text = read_file(path, 64)) {
    auto pid = parse_int<pid_t>(trim(*text));
    if (pid && *pid > 0 && *pid != ::getpid() && ::kill(*pid, 0) == 0)
      return make_error(ErrorCategory::Conflict,
                        "pid file found, ensure berthd is not running or delete " + path);
  }
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) TRY(make_dirs(path.substr(0, slash), 0755));
  TRY_CTX(write_file_atomic(path, std::to_string(::getpid()) + "\n", 0644), "write pid file");
  return PidFile(path);
}

PidFile::~PidFile() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

}  // namespace berth::berthd
