#include "runtime/cgroups/util.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "base/unique_fd.hpp"

namespace berth::cgroups {

std::string clean_path(std::string_view path) {
  bool absolute = !path.empty() && path.front() == '/';
  std::vector<std::string> parts;
  for (auto& part : split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(std::move(part));
  }
  std::string joined = join(parts, "/");
  return absolute ? "/" + joined : joined;
}

std::string join_path(std::string_view base, std::string_view rel) {
  std::string out(base);
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  if (rel.empty()) return out;
  if (out.empty() || out.back() != '/') out += '/';
  out += rel;
  return out;
}

std::string parent_path(std::string_view path) {
  auto pos = path.find_last_of('/');
  if (pos == std::string_view::npos) return "";
  if (pos == 0) return "/";
  return std::string(path.substr(0, pos));
}

namespace {
WriteObserver g_observer = nullptr;
void* g_observer_context = nullptr;
}  // namespace

void set_write_observer(WriteObserver observer, void* context) {
  g_observer = observer;
  g_observer_context = context;
}

Result<> write_value(const std::string& dir, const std::string& name, std::string_view value) {
  std::string path = dir + "/" + name;
  if (g_observer) g_observer(g_observer_context, path, value);
  return write_knob(path, value);
}

// Knob files are tiny and served by seq_file, which fills the caller's
// buffer until it has everything: a short read is the end, so the common
// case is open + one read + close.
Result<std::string> read_value(const std::string& dir, const std::string& name) {
  std::string path = dir + "/" + name;
  auto fd = TRY(open_file(path, O_RDONLY));
  char buf[4096];
  ssize_t n;
  do {
    n = ::read(fd.get(), buf, sizeof buf);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return sys_error("read " + path);
  std::string text(buf, static_cast<size_t>(n));
  if (static_cast<size_t>(n) == sizeof buf) text += TRY_CTX(read_fd(fd.get(), 1u << 20), "read " + path);
  return std::string(trim(text));
}

Result<uint64_t> read_u64(const std::string& dir, const std::string& name) {
  auto text = TRY(read_value(dir, name));
  if (text == "max") return UINT64_MAX;
  return TRY_CTX(parse_int<uint64_t>(text), "read " + dir + "/" + name);
}

bool has_file(const std::string& dir, const std::string& name) {
  return ::access((dir + "/" + name).c_str(), F_OK) == 0;
}

std::map<std::string, uint64_t> parse_flat_keyed(std::string_view text) {
  std::map<std::string, uint64_t> out;
  for (const auto& line : split(text, '\n')) {
    auto [key, value, found] = split_once(trim(line), ' ');
    if (!found || key.empty()) continue;
    if (auto v = parse_int<uint64_t>(trim(value))) out[std::string(key)] = *v;
  }
  return out;
}

std::vector<NestedKeyed> parse_nested_keyed(std::string_view text) {
  std::vector<NestedKeyed> out;
  for (const auto& line : split(text, '\n')) {
    auto fields = split(trim(line), ' ');
    if (fields.empty() || fields[0].empty()) continue;
    NestedKeyed entry{fields[0], {}};
    for (size_t i = 1; i < fields.size(); ++i) {
      auto [k, v, found] = split_once(fields[i], '=');
      if (!found) continue;
      if (auto n = parse_int<uint64_t>(v)) entry.values[std::string(k)] = *n;
    }
    out.push_back(std::move(entry));
  }
  return out;
}

std::vector<pid_t> parse_pid_list(std::string_view text) {
  std::vector<pid_t> out;
  for (const auto& line : split(text, '\n')) {
    if (auto pid = parse_int<pid_t>(trim(line)); pid && *pid > 0) out.push_back(*pid);
  }
  return out;
}

std::vector<std::string> hugepage_sizes(const std::string& dir, std::string_view suffix) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  constexpr std::string_view kPrefix = "hugetlb.";
  while (auto* ent = ::readdir(d)) {
    std::string_view name = ent->d_name;
    if (!name.starts_with(kPrefix) || !name.ends_with(suffix)) continue;
    auto size = name.substr(kPrefix.size(), name.size() - kPrefix.size() - suffix.size());
    // "hugetlb.2MB.rsvd.usage_in_bytes" is not a size of its own.
    if (!size.empty() && size.find('.') == std::string_view::npos) out.emplace_back(size);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

uint64_t parse_page_size(std::string_view size) {
  static const std::pair<std::string_view, uint64_t> kUnits[] = {
      {"KB", 1ull << 10}, {"MB", 1ull << 20}, {"GB", 1ull << 30}, {"TB", 1ull << 40}};
  for (const auto& [suffix, mult] : kUnits) {
    if (size.size() <= suffix.size() || !size.ends_with(suffix)) continue;
    auto n = parse_int<uint64_t>(size.substr(0, size.size() - suffix.size()));
    if (!n || *n > (UINT64_MAX / mult)) return 0;
    return *n * mult;
  }
  return 0;
}

Result<std::vector<std::string>> make_dirs_tracked(const std::string& path) {
  std::vector<std::string> created;
  // The common case (parent exists) is one mkdir.
  if (::mkdir(path.c_str(), 0755) == 0) return std::vector<std::string>{path};
  if (errno == EEXIST) return created;
  if (errno != ENOENT) return sys_error("mkdir " + path);
  std::string parent = parent_path(path);
  if (parent.empty() || parent == path) return sys_error("mkdir " + path, ENOENT);
  created = TRY(make_dirs_tracked(parent));
  if (::mkdir(path.c_str(), 0755) < 0 && errno != EEXIST) {
    auto err = sys_error("mkdir " + path);
    for (auto it = created.rbegin(); it != created.rend(); ++it) ::rmdir(it->c_str());
    return err;
  }
  created.push_back(path);
  return created;
}

namespace {

Result<std::vector<std::string>> subdirs(const std::string& path) {
  std::vector<std::string> out;
  DIR* dir = ::opendir(path.c_str());
  if (!dir) {
    if (errno == ENOENT) return out;
    return sys_error("open " + path);
  }
  while (auto* ent = ::readdir(dir)) {
    std::string_view name = ent->d_name;
    if (ent->d_type == DT_DIR && name != "." && name != "..") out.emplace_back(name);
  }
  ::closedir(dir);
  return out;
}

}  // namespace

Result<> remove_tree(const std::string& path, std::chrono::microseconds budget) {
  for (const auto& child : TRY(subdirs(path))) TRY(remove_tree(path + "/" + child, budget));
  Backoff backoff(budget);
  while (::rmdir(path.c_str()) < 0) {
    if (errno == ENOENT) return ok();
    if (errno != EBUSY) return sys_error("rmdir " + path);
    if (!backoff.wait())
      return make_error(ErrorCategory::Conflict, "rmdir " + path + ": group still has processes");
  }
  return ok();
}

Result<std::vector<pid_t>> collect_pids(const std::string& dir) {
  auto text = read_file(dir + "/cgroup.procs", 64u << 20);
  if (!text) return tl::unexpected(std::move(text.error()));
  auto pids = parse_pid_list(*text);
  for (const auto& child : TRY(subdirs(dir))) {
    auto more = TRY(collect_pids(dir + "/" + child));
    pids.insert(pids.end(), more.begin(), more.end());
  }
  return pids;
}

Backoff::Backoff(std::chrono::microseconds budget)
    : deadline_(std::chrono::steady_clock::now() + budget) {}

bool Backoff::wait() {
  auto now = std::chrono::steady_clock::now();
  if (now >= deadline_) return false;
  auto step = std::min<std::chrono::steady_clock::duration>(step_, deadline_ - now);
  std::this_thread::sleep_for(step);
  step_ = std::min(step_ * 2, std::chrono::microseconds(5000));
  return true;
}

}  // namespace berth::cgroups
