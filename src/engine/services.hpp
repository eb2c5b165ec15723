// The boundary between the API layer and the engine: abstract services the
// HTTP routes call. api/ binds routes to these interfaces only, so unit
// tests can serve fakes and new services (containers, images, networks,
// volumes) plug in beside the system ones without touching the server.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace berth::engine {

struct VersionInfo {
  std::string version;
  std::string api_version;
  std::string min_api_version;
  std::string git_commit;
  std::string compiler;  // reported as GoVersion: what built the daemon
  std::string os;        // "linux"
  std::string arch;      // Go spelling: amd64, arm64, ...
  std::string kernel_version;
  std::string build_time;
  struct Component {
    std::string name;
    std::string version;
    std::map<std::string, std::string> details;
  };
  std::vector<Component> components;
};

struct ContainerCounts {
  int64_t total = 0, running = 0, paused = 0, stopped = 0;
};

struct SystemInfo {
  std::string id, name;
  ContainerCounts containers;
  int64_t images = 0;
  std::string driver;
  std::vector<std::pair<std::string, std::string>> driver_status;
  std::string root_dir;
  std::string kernel_version, operating_system, os_version, os_type, architecture;
  int64_t ncpu = 0, mem_total = 0;
  std::string cgroup_driver, cgroup_version;
  bool memory_limit = false, swap_limit = false, cpu_cfs_period = false, cpu_cfs_quota = false,
       cpu_shares = false, cpuset = false, pids_limit = false, oom_kill_disable = false,
       kernel_memory_tcp = false;
  bool ipv4_forwarding = false, bridge_nf_iptables = false, bridge_nf_ip6tables = false;
  bool debug = false, live_restore = true;
  int64_t fds = 0, threads = 0, event_listeners = 0;
  std::string system_time;  // RFC 3339 with nanoseconds
  std::string logging_driver;
  std::string server_version;
  std::string default_runtime;
  std::map<std::string, std::string> runtimes;  // name -> path
  std::vector<std::string> registry_mirrors, insecure_registries;
  std::vector<std::string> security_options;
  std::vector<std::string> warnings;
  std::string http_proxy, https_proxy, no_proxy;
  std::vector<std::string> labels;
};

// What `GET /system/df` reports. Entries carry what the engine knows about
// its objects; the API layer renders Docker's shapes.
struct DiskUsage {
  struct Image {
    std::string id;
    std::vector<std::string> repo_tags;
    int64_t created = 0, size = 0, shared_size = 0, containers = 0;
  };
  struct Container {
    std::string id, name, image, state, status;
    int64_t created = 0, size_rw = 0, size_root_fs = 0;
  };
  struct Volume {
    std::string name, driver, mountpoint;
    int64_t size = 0, ref_count = 0;
  };
  int64_t layers_size = 0;
  std::vector<Image> images;
  std::vector<Container> containers;
  std::vector<Volume> volumes;
};

// Tiny inventory interfaces that the container, image and volume services
// implement; the system service asks them for counts and usage.
class ContainerInventory {
 public:
  virtual ~ContainerInventory() = default;
  virtual ContainerCounts container_counts() const = 0;
  virtual std::vector<DiskUsage::Container> container_usage() const = 0;
};

class ImageInventory {
 public:
  virtual ~ImageInventory() = default;
  virtual int64_t image_count() const = 0;
  virtual int64_t layers_size() const = 0;
  virtual std::vector<DiskUsage::Image> image_usage() const = 0;
};

class VolumeInventory {
 public:
  virtual ~VolumeInventory() = default;
  virtual std::vector<DiskUsage::Volume> volume_usage() const = 0;
};

// /version, /info, /system/df.
class SystemService {
 public:
  virtual ~SystemService() = default;
  virtual VersionInfo version() const = 0;
  virtual Result<SystemInfo> info() const = 0;
  virtual Result<DiskUsage> disk_usage() const = 0;
};

}  // namespace berth::engine
