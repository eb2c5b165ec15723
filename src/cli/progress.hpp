// Pull/push/load JSON-message streams, shown like the docker CLI: one
// line per layer id redrawn in place on a terminal, plain lines otherwise.
#pragma once

#include <string>

#include "cli/context.hpp"

namespace berth::cli {

class ProgressPrinter {
 public:
  ProgressPrinter(int fd, bool terminal) : fd_(fd), terminal_(terminal) {}
  // Feeds raw stream bytes; complete lines are shown. An {"error":...}
  // message is returned as the error.
  Result<> feed(std::string_view bytes);
  Result<> finish();
  // The last `aux` object seen (push digest, load id), as JSON text.
  const std::string& aux() const { return aux_; }

 private:
  Result<> show(std::string_view line);
  void write(const std::string& s);
  int fd_;
  bool terminal_;
  std::string pending_;
  std::string aux_;
  std::vector<std::string> ids_;  // line order on the terminal
};

// POSTs to `path` and shows the JSON-message stream on `fd`.
Result<> stream_progress(Context& ctx, const std::string& path, int fd, const api::Headers& headers = {},
                         std::string body = {});

// X-Registry-Auth for an image reference from ~/.docker/config.json
// ("e30=" = {} when there are no credentials).
std::string registry_auth_header(const std::string& image);

}  // namespace berth::cli
