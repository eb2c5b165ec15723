#include "engine/system_service.hpp"

#include <sys/random.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "base/version.hpp"

namespace berth::engine {
namespace {

constexpr const char* kApiVersion = "1.44";
constexpr const char* kMinApiVersion = "1.24";

std::string compiler() {
#if defined(__clang__)
  return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("g++ ") + __VERSION__;
#else
  return "c++";
#endif
}

std::string env_or_empty(const char* upper, const char* lower) {
  if (const char* v = std::getenv(upper)) return v;
  if (const char* v = std::getenv(lower)) return v;
  return {};
}

Result<std::string> load_or_create_id(const std::string& data_root) {
  std::string path = data_root + "/engine-id";
  auto existing = read_file(path, 256);
  if (existing && !trim(*existing).empty()) return std::string(trim(*existing));
  if (!existing && !existing.error().is(ErrorCategory::NotFound))
    return tl::unexpected(std::move(existing).error().wrap("read " + path));
  TRY(make_dirs(data_root, 0711));
  auto id = TRY(random_uuid());
  TRY_CTX(write_file_atomic(path, id + "\n", 0600), "write " + path);
  return id;
}

std::vector<std::string> host_warnings(const HostFacts& h) {
  std::vector<std::string> w;
  if (!h.cgroup.memory) w.emplace_back("WARNING: No memory limit support");
  if (h.cgroup.memory && !h.cgroup.swap) w.emplace_back("WARNING: No swap limit support");
  if (!h.cgroup.cpu_cfs) w.emplace_back("WARNING: No cpu cfs quota support");
  if (!h.cgroup.pids) w.emplace_back("WARNING: No pids limit support");
  if (!h.ipv4_forwarding) w.emplace_back("WARNING: IPv4 forwarding is disabled");
  return w;
}

// OCI runtimes installed beside berth's own (what `docker info` lists).
std::optional<std::string> find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  for (const auto& dir : split(path ? path : "/usr/local/bin:/usr/bin:/bin", ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

}  // namespace

Result<std::string> random_uuid() {
  unsigned char b[16];
  if (::getrandom(b, sizeof b, 0) != static_cast<ssize_t>(sizeof b)) return sys_error("getrandom");
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return std::string(out);
}

std::string rfc3339_nano(int64_t unix_nanos) {
  std::time_t secs = static_cast<std::time_t>(unix_nanos / 1000000000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  char date[32], zone[8];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  std::strftime(zone, sizeof zone, "%z", &tm);  // +0100
  std::string z = zone;
  z = (z == "+0000") ? "Z" : z.substr(0, 3) + ":" + z.substr(3);
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%09lld", static_cast<long long>(unix_nanos % 1000000000));
  return std::string(date) + frac + z;
}

Result<std::unique_ptr<HostSystemService>> HostSystemService::create(const DaemonConfig& config,
                                                                     const EventBus& events,
                                                                     HostPaths paths) {
  auto id = TRY_CTX(load_or_create_id(config.data_root), "daemon id");
  return std::unique_ptr<HostSystemService>(
      new HostSystemService(config, events, std::move(paths), std::move(id)));
}

VersionInfo HostSystemService::version() const {
  VersionInfo v;
  v.version = BERTH_VERSION;
  v.api_version = kApiVersion;
  v.min_api_version = kMinApiVersion;
  v.git_commit = git_commit();
  v.compiler = compiler();
  v.os = "linux";
  v.build_time = build_time();
  if (auto host = probe_host(paths_)) {
    v.arch = go_arch(host->architecture);
    v.kernel_version = host->kernel_version;
  }
  v.components.push_back({"Engine", v.version,
                          {{"ApiVersion", v.api_version},
                           {"MinAPIVersion", v.min_api_version},
                           {"GitCommit", v.git_commit},
                           {"GoVersion", v.compiler},
                           {"Os", v.os},
                           {"Arch", v.arch},
                           {"KernelVersion", v.kernel_version},
                           {"BuildTime", v.build_time},
                           {"Experimental", "false"}}});
  return v;
}

void HostSystemService::fill_host(SystemInfo& i, const HostFacts& h) const {
  i.name = h.hostname;
  i.kernel_version = h.kernel_version;
  i.operating_system = h.operating_system;
  i.os_version = h.os_version;
  i.os_type = "linux";
  i.architecture = h.architecture;
  i.ncpu = h.ncpu;
  i.mem_total = h.mem_total;
  i.cgroup_version = h.cgroup.version;
  i.memory_limit = h.cgroup.memory;
  i.swap_limit = h.cgroup.swap;
  i.cpu_cfs_period = i.cpu_cfs_quota = h.cgroup.cpu_cfs;
  i.cpu_shares = h.cgroup.cpu_shares;
  i.cpuset = h.cgroup.cpuset;
  i.pids_limit = h.cgroup.pids;
  i.oom_kill_disable = h.cgroup.oom_kill_disable;
  i.kernel_memory_tcp = h.cgroup.kernel_memory_tcp;
  i.ipv4_forwarding = h.ipv4_forwarding;
  i.bridge_nf_iptables = h.bridge_nf_iptables;
  i.bridge_nf_ip6tables = h.bridge_nf_ip6tables;
  i.warnings = host_warnings(h);
  i.security_options = {"name=seccomp,profile=builtin"};
  if (h.cgroup.version == "2") i.security_options.emplace_back("name=cgroupns");
}

Result<SystemInfo> HostSystemService::info() const {
  auto host = TRY_CTX(probe_host(paths_), "probe host");
  SystemInfo i;
  i.id = id_;
  fill_host(i, host);
  if (containers_) i.containers = containers_->container_counts();
  if (images_) i.images = images_->image_count();
  i.driver = config_.storage_driver;
  i.root_dir = config_.data_root;
  i.cgroup_driver = config_.cgroup_driver;
  i.debug = config_.debug;
  i.fds = count_open_fds(paths_.proc);
  i.threads = count_threads(paths_.proc);
  i.event_listeners = static_cast<int64_t>(events_.subscriber_count());
  i.system_time = rfc3339_nano(now_nanos());
  i.logging_driver = "json-file";
  i.server_version = BERTH_VERSION;
  i.default_runtime = config_.default_runtime;
  i.runtimes = {{"berth", "berth-runtime"}};
  for (const char* other : {"runc", "crun"})
    if (auto path = find_in_path(other)) i.runtimes[other] = *path;
  i.registry_mirrors = config_.registry_mirrors;
  i.insecure_registries = config_.insecure_registries;
  i.http_proxy = env_or_empty("HTTP_PROXY", "http_proxy");
  i.https_proxy = env_or_empty("HTTPS_PROXY", "https_proxy");
  i.no_proxy = env_or_empty("NO_PROXY", "no_proxy");
  i.labels = config_.labels;
  return i;
}

Result<DiskUsage> HostSystemService::disk_usage() const {
  DiskUsage du;
  if (images_) {
    du.layers_size = images_->layers_size();
    du.images = images_->image_usage();
  }
  if (containers_) du.containers = containers_->container_usage();
  if (volumes_) du.volumes = volumes_->volume_usage();
  return du;
}

}  // namespace berth::engine
