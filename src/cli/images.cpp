// images, pull, push, tag, rmi, load, save, image inspect, inspect.
#include <fcntl.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <ctime>

#include "base/strings.hpp"
#include "base/unique_fd.hpp"
#include "cli/command.hpp"
#include "cli/format.hpp"
#include "cli/images.hpp"
#include "cli/platform.hpp"
#include "cli/progress.hpp"

namespace berth::cli {
namespace json = boost::json;

ImageRef parse_image_ref(const std::string& ref) {
  ImageRef r;
  std::string name = ref;
  auto at = name.find('@');
  if (at != std::string::npos) {
    r.digest = name.substr(at + 1);
    name = name.substr(0, at);
  }
  auto colon = name.rfind(':');
  if (colon != std::string::npos && name.find('/', colon) == std::string::npos) {
    r.tag = name.substr(colon + 1);
    name = name.substr(0, colon);
  }
  auto slash = name.find('/');
  std::string first = slash == std::string::npos ? "" : name.substr(0, slash);
  bool has_domain = !first.empty() && (first.find('.') != std::string::npos ||
                                       first.find(':') != std::string::npos || first == "localhost");
  if (has_domain) r.name = name;
  else r.name = "docker.io/" + (slash == std::string::npos ? "library/" + name : name);
  return r;
}

Result<> pull_image(Context& ctx, const std::string& ref, int fd, const std::string& platform) {
  ImageRef r = parse_image_ref(ref);
  std::string tag = r.digest.empty() ? (r.tag.empty() ? "latest" : r.tag) : r.digest;
  std::string q = "/images/create?fromImage=" + query_escape(r.name);
  if (!platform.empty()) q += "&platform=" + query_escape(to_lower(platform));  // the docker client lowercases it
  return stream_progress(ctx, q + "&tag=" + query_escape(tag), fd, {{"X-Registry-Auth", registry_auth_header(ref)}});
}

namespace {

const std::map<std::string, std::string> kImageHeaders = {
    {"ID", "IMAGE ID"}, {"CreatedSince", "CREATED"}, {"CreatedAt", "CREATED AT"},
    {"Repository", "REPOSITORY"}, {"Tag", "TAG"}, {"Size", "SIZE"}, {"Digest", "DIGEST"},
    {"Containers", "CONTAINERS"}, {"VirtualSize", "VIRTUAL SIZE"}, {"SharedSize", "SHARED SIZE"},
    {"UniqueSize", "UNIQUE SIZE"}};

json::object image_row(const json::value& img, const std::string& repo, const std::string& tag, bool trunc) {
  int64_t created = int_field(img, "Created");
  auto na = [&](const char* key) {
    int64_t v = int_field(img, key);
    return v < 0 ? std::string("N/A") : key == std::string("Containers") ? std::to_string(v)
                                                                         : human_size(static_cast<double>(v));
  };
  std::string id = str_field(img, "Id");
  return json::object{{"Containers", na("Containers")},
                      {"CreatedAt", go_time_string(created)},
                      {"CreatedSince", human_duration(std::time(nullptr) - created) + " ago"},
                      {"Digest", "<none>"},
                      {"ID", trunc ? short_id(id) : id},
                      {"Repository", repo},
                      {"SharedSize", na("SharedSize")},
                      {"Size", human_size(static_cast<double>(int_field(img, "Size")))},
                      {"Tag", tag},
                      {"UniqueSize", "N/A"},
                      {"VirtualSize", human_size(static_cast<double>(int_field(img, "Size")), 4)}};
}

Result<int> images_cmd(Context& ctx, const Args& args) {
  // docker 28's tree view lists each image's platform manifests, which only
  // API 1.47 daemons report; older ones get docker's refusal. berth has no
  // tree renderer yet (no daemon here serves 1.47 to check it against).
  if (flag_true(args, "tree")) {
    std::string v = TRY(ctx.api_version());
    if (compare_versions(v, "1.47") < 0)
      return make_error(ErrorCategory::InvalidArgument,
                        "\"--tree\" requires API version 1.47, but the Docker daemon API version is " + v);
    return make_error(ErrorCategory::InvalidArgument, "berth images --tree is not supported yet");
  }
  std::string q = "/images/json?";
  if (flag_true(args, "all")) q += "all=1&";
  std::vector<std::string> filters = args.all("filter");
  if (!args.positional.empty()) filters.push_back("reference=" + args.positional[0]);
  if (!filters.empty()) q += "filters=" + filters_query(filters);
  auto list = TRY(ctx.get_json(q));
  bool trunc = !flag_true(args, "no-trunc");
  std::vector<json::value> rows;
  for (const auto& img : list.get_array()) {
    std::vector<std::string> tags;
    if (auto* t = img.get_object().if_contains("RepoTags"); t && t->is_array())
      for (const auto& e : t->get_array()) tags.push_back(go_print(e));
    if (tags.empty()) tags.push_back("<none>:<none>");
    for (const auto& rt : tags) {
      auto colon = rt.rfind(':');
      rows.push_back(image_row(img, rt.substr(0, colon), rt.substr(colon + 1), trunc));
    }
  }
  std::string format = args.get("format");
  if (flag_true(args, "quiet")) format = "{{.ID}}";
  out(TRY(render_rows(format, "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}", rows,
                      kImageHeaders)));
  return 0;
}

Result<int> pull_cmd(Context& ctx, const Args& args) {
  std::string ref = args.positional[0];
  ImageRef r = parse_image_ref(ref);
  if (r.tag.empty() && r.digest.empty()) {
    out("Using default tag: latest\n");
    r.tag = "latest";
  }
  TRY(pull_image(ctx, ref, 1, platform_flag(args.get("platform"), args.has("platform"))));
  std::string shown = r.name + (r.digest.empty() ? ":" + r.tag : "@" + r.digest);
  if (!flag_true(args, "quiet")) out(shown + "\n");
  return 0;
}

Result<int> push_cmd(Context& ctx, const Args& args) {
  std::string ref = args.positional[0];
  ImageRef r = parse_image_ref(ref);
  std::string q = "/images/" + r.name + "/push";
  if (flag_true(args, "all-tags")) {
    if (!r.tag.empty())
      return make_error(ErrorCategory::InvalidArgument, "tag can't be used with --all-tags/-a");
  } else if (!r.tag.empty()) {
    q += "?tag=" + query_escape(r.tag);
  } else {
    out("Using default tag: latest\n");
    q += "?tag=latest";
  }
  TRY(stream_progress(ctx, q, 1, {{"X-Registry-Auth", registry_auth_header(ref)}}));
  return 0;
}

Result<int> tag_cmd(Context& ctx, const Args& args) {
  ImageRef r = parse_image_ref(args.positional[1]);
  std::string q = "/images/" + args.positional[0] + "/tag?repo=" + query_escape(r.name) +
                  "&tag=" + query_escape(r.tag.empty() ? "latest" : r.tag);
  TRY(ctx.checked("POST", q));
  return 0;
}

Result<int> rmi_cmd(Context& ctx, const Args& args) {
  int rc = 0;
  std::string q;
  if (flag_true(args, "force")) q += "force=1&";
  if (flag_true(args, "no-prune")) q += "noprune=1&";
  for (const auto& name : args.positional) {
    auto res = ctx.checked("DELETE", "/images/" + name + (q.empty() ? "" : "?" + q.substr(0, q.size() - 1)));
    if (!res) {
      err(res.error().to_string() + "\n");
      rc = 1;
      continue;
    }
    auto list = TRY(parse_json(res->body));
    for (const auto& item : list.get_array()) {
      if (auto u = str_field(item, "Untagged"); !u.empty()) out("Untagged: " + u + "\n");
      if (auto d = str_field(item, "Deleted"); !d.empty()) out("Deleted: " + d + "\n");
    }
  }
  return rc;
}

Result<int> load_cmd(Context& ctx, const Args& args) {
  UniqueFd file;
  int fd = 0;
  if (args.has("input")) {
    file = UniqueFd(::open(args.get("input").c_str(), O_RDONLY | O_CLOEXEC));
    if (!file) return sys_error("open " + args.get("input"));
    fd = file.get();
  } else if (::isatty(0)) {
    return make_error(ErrorCategory::InvalidArgument,
                      "requested load from stdin, but stdin is empty");
  }
  bool quiet = flag_true(args, "quiet") || !::isatty(1);
  std::string buf(256 * 1024, '\0');
  auto res = TRY(ctx.upload("POST", std::string("/images/load") + (quiet ? "?quiet=1" : ""),
      [&]() -> Result<std::string> {
        ssize_t n;
        do n = ::read(fd, buf.data(), buf.size());
        while (n < 0 && errno == EINTR);
        if (n < 0) return sys_error("read archive");
        return std::string(buf.data(), static_cast<size_t>(n));
      },
      {{"Content-Type", "application/x-tar"}}));
  ProgressPrinter printer(1, ::isatty(1) == 1);
  TRY(printer.feed(res.body));
  TRY(printer.finish());
  return 0;
}

Result<int> save_cmd(Context& ctx, const Args& args) {
  UniqueFd file;
  int fd = 1;
  if (args.has("output")) {
    file = UniqueFd(::open(args.get("output").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!file) return sys_error("open " + args.get("output"));
    fd = file.get();
  } else if (::isatty(1)) {
    return make_error(ErrorCategory::InvalidArgument,
                      "cowardly refusing to save to a terminal. Use the -o flag or redirect");
  }
  std::string q = "/images/get?";
  for (size_t i = 0; i < args.positional.size(); ++i)
    q += (i ? "&names=" : "names=") + query_escape(args.positional[i]);
  Result<> written = ok();
  TRY(ctx.stream("GET", q, [&](std::string_view piece) {
    while (!piece.empty()) {
      ssize_t n = ::write(fd, piece.data(), piece.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return written = sys_error("write archive"), false;
      piece.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }));
  TRY(written);
  return 0;
}

// Inspects each name as `kinds` in turn (the first that exists wins).
Result<int> inspect_kinds(Context& ctx, const Args& args, const std::vector<std::string>& kinds) {
  std::vector<std::string> found;
  std::vector<std::string> errors;
  for (const auto& name : args.positional) {
    bool ok_found = false;
    std::string last_error;
    for (const auto& kind : kinds) {
      auto res = TRY(ctx.call("GET", "/" + kind + "/" + name + (kind == "networks" || kind == "volumes" ? "" : "/json")));
      if (res.status < 400) {
        found.push_back(res.body);
        ok_found = true;
        break;
      }
      if (res.status != 404) return daemon_error(res);
      last_error = daemon_error(res).value().message();
    }
    if (!ok_found) errors.push_back(kinds.size() > 1 ? "Error: No such object: " + name : last_error);
  }
  // With a template and nothing found docker still prints an empty line.
  if (args.has("format") && found.empty()) out("\n");
  else TRY(print_inspect(found, args.get("format")));
  for (const auto& e : errors) err(e + "\n");
  return errors.empty() ? 0 : 1;
}

}  // namespace

Result<int> inspect_typed(Context& ctx, const Args& args, const std::string& kind) {
  return inspect_kinds(ctx, args, {kind});
}

std::vector<Command> image_commands() {
  std::vector<Command> cmds;
  auto format = value_flag('f', "format", "string", "Format output using a custom template");
  cmds.push_back({"images", {"image ls", "image list"}, "[OPTIONS] [REPOSITORY[:TAG]]", "List images",
                  {bool_flag('a', "all", "Show all images (default hides intermediate images)"),
                   bool_flag(0, "digests", "Show digests"),
                   value_flag('f', "filter", "filter", "Filter output based on conditions provided"),
                   value_flag(0, "format", "string", "Format output using a custom template"),
                   bool_flag(0, "no-trunc", "Don't truncate output"),
                   bool_flag('q', "quiet", "Only show image IDs"),
                   bool_flag(0, "tree", "List multi-platform images as a tree (EXPERIMENTAL)")},
                  0, 1, false, 1, images_cmd});
  cmds.push_back({"pull", {"image pull"}, "[OPTIONS] NAME[:TAG|@DIGEST]", "Download an image from a registry",
                  {bool_flag('a', "all-tags", "Download all tagged images in the repository"),
                   value_flag(0, "disable-content-trust", "", "Skip image verification (berth never verifies)", "true"),
                   value_flag(0, "platform", "string", "Set platform if server is multi-platform capable"),
                   bool_flag('q', "quiet", "Suppress verbose output")},
                  1, 1, false, 1, pull_cmd});
  cmds.push_back({"push", {"image push"}, "[OPTIONS] NAME[:TAG]", "Upload an image to a registry",
                  {bool_flag('a', "all-tags", "Push all tags of an image to the repository"),
                   value_flag(0, "disable-content-trust", "", "Skip image signing (berth never signs)", "true"),
                   bool_flag('q', "quiet", "Suppress verbose output")},
                  1, 1, false, 1, push_cmd});
  cmds.push_back({"tag", {"image tag"}, "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
                  "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", {}, 2, 2, false, 1, tag_cmd});
  cmds.push_back({"rmi", {"image rm", "image remove"}, "[OPTIONS] IMAGE [IMAGE...]", "Remove one or more images",
                  {bool_flag('f', "force", "Force removal of the image"),
                   bool_flag(0, "no-prune", "Do not delete untagged parents")},
                  1, -1, false, 1, rmi_cmd});
  cmds.push_back({"load", {"image load"}, "[OPTIONS]", "Load an image from a tar archive or STDIN",
                  {value_flag('i', "input", "string", "Read from tar archive file, instead of STDIN"),
                   bool_flag('q', "quiet", "Suppress the load output")},
                  0, 0, false, 1, load_cmd});
  cmds.push_back({"save", {"image save"}, "[OPTIONS] IMAGE [IMAGE...]",
                  "Save one or more images to a tar archive (streamed to STDOUT by default)",
                  {value_flag('o', "output", "string", "Write to a file, instead of STDOUT")},
                  1, -1, false, 1, save_cmd});
  cmds.push_back({"image inspect", {}, "[OPTIONS] IMAGE [IMAGE...]",
                  "Display detailed information on one or more images", {format}, 1, -1, false, 1,
                  [](Context& c, const Args& a) { return inspect_kinds(c, a, {"images"}); }});
  cmds.push_back({"inspect", {}, "[OPTIONS] NAME|ID [NAME|ID...]",
                  "Return low-level information on berth objects",
                  {format, value_flag(0, "type", "string", "Only inspect objects of the given type"),
                   bool_flag('s', "size", "Display total file sizes if the type is container")},
                  1, -1, false, 1, [](Context& c, const Args& a) {
                    std::string type = a.get("type");
                    if (type == "container") return inspect_kinds(c, a, {"containers"});
                    if (type == "image") return inspect_kinds(c, a, {"images"});
                    if (type == "network") return inspect_kinds(c, a, {"networks"});
                    return inspect_kinds(c, a, {"containers", "images", "networks"});
                  }});
  return cmds;
}

}  // namespace berth::cli
