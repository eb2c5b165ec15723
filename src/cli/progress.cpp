#include "cli/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "cli/command.hpp"
#include "cli/config.hpp"

namespace berth::cli {
namespace json = boost::json;

void ProgressPrinter::write(const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(fd_, s.data() + done, s.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

Result<> ProgressPrinter::show(std::string_view line) {
  if (trim(line).empty()) return ok();
  boost::system::error_code ec;
  auto v = json::parse(line, ec);
  if (ec || !v.is_object()) return ok();
  if (v.get_object().contains("error")) return make_error(ErrorCategory::Internal, str_field(v, "error"));
  if (auto* aux = v.get_object().if_contains("aux")) aux_ = json::serialize(*aux);
  std::string stream = str_field(v, "stream");
  if (!stream.empty()) return write(stream), ok();
  std::string id = str_field(v, "id"), status = str_field(v, "status");
  if (status.empty()) return ok();
  std::string progress = str_field(v, "progress");
  bool has_progress = false;
  if (auto* pd = v.get_object().if_contains("progressDetail"); pd && pd->is_object())
    has_progress = !pd->get_object().empty();
  std::string text = (id.empty() ? "" : id + ": ") + status;
  if (!terminal_) {
    // Plain output: progress updates would be thousands of lines.
    if (!has_progress) write(text + "\n");
    return ok();
  }
  if (!progress.empty()) text += " " + progress;
  if (id.empty()) return write(text + "\n"), ok();
  auto it = std::find(ids_.begin(), ids_.end(), id);
  if (it == ids_.end()) {
    ids_.push_back(id);
    write(text + "\n");
    return ok();
  }
  // Move up to the layer's line, rewrite it, come back down.
  size_t up = static_cast<size_t>(ids_.end() - it);
  write("\x1b[" + std::to_string(up) + "A\x1b[2K\r" + text + "\x1b[" + std::to_string(up) + "B\r");
  return ok();
}

Result<> ProgressPrinter::feed(std::string_view bytes) {
  pending_.append(bytes);
  size_t nl;
  while ((nl = pending_.find('\n')) != std::string::npos) {
    std::string line = pending_.substr(0, nl);
    pending_.erase(0, nl + 1);
    TRY(show(line));
  }
  return ok();
}

Result<> ProgressPrinter::finish() {
  std::string rest = std::move(pending_);
  pending_.clear();
  return show(rest);
}

Result<> stream_progress(Context& ctx, const std::string& path, int fd, const api::Headers& headers,
                         std::string body) {
  ProgressPrinter printer(fd, ::isatty(fd) == 1);
  Result<> failure = ok();
  TRY(ctx.stream("POST", path, [&](std::string_view piece) {
    failure = printer.feed(piece);
    return failure.has_value();
  }, std::move(body), headers));
  TRY(failure);
  return printer.finish();
}

std::string registry_auth_header(const std::string& image) {
  auto auth = credentials_for(registry_of(image));
  return auth.empty() ? "e30=" : auth;
}

}  // namespace berth::cli
