#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.hpp"
#include "cli.hpp"
#include "oci/runtime_codec.hpp"
#include "oci/runtime_default.hpp"

namespace berth::cli {

int cmd_spec(Globals& g, const std::vector<std::string>& args) {
  auto f = parse_flags(args, {{{"bundle", "b"}, true}, {{"rootless"}, false}});
  if (!f) return fail(g, f.error());
  std::string bundle = f->get("bundle", ".");
  std::string path = bundle + "/config.json";
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return fail(g, "File config.json exists. Remove it first.");
  auto spec = f->has("rootless") ? oci::rootless_spec(::geteuid(), ::getegid()) : oci::default_spec();
  auto written = write_file_atomic(path, oci::to_pretty_json(oci::spec_to_json(spec), "\t"), 0666 & ~0022);
  if (!written) return fail(g, written.error());
  return 0;
}

}  // namespace berth::cli
