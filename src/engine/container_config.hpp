// From the body of POST /containers/create to a Container: the Docker
// Config with the image's defaults merged as dockerd merges them, the
// HostConfig checked, and the typed settings a start needs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "engine/container.hpp"
#include "oci/image_config.hpp"

namespace berth::engine {

// The "Image" member of a create body (InvalidArgument when missing).
Result<std::string> create_body_image(std::string_view body);

// Fills config, host_config, path, args, tty, stdin flags, auto_remove and
// labels. Warnings go to `warnings`.
Result<> apply_create_body(Container& c, std::string_view body, const oci::ImageConfig& image,
                           std::vector<std::string>& warnings);

// What a start reads back from the stored JSON.
struct RunSettings {
  std::vector<std::string> env;
  std::string working_dir, user, hostname, domainname;
  std::string network_mode = "none";  // none | host (bridge is not wired yet)
  std::optional<int64_t> memory, memory_swap, pids_limit, cpu_shares, cpu_quota, cpu_period;
  std::string cpuset_cpus;
  bool privileged = false, readonly_rootfs = false;
  bool init = false;  // HostConfig.Init
  std::vector<std::string> cap_add, cap_drop;
  std::vector<std::string> group_add;  // HostConfig.GroupAdd
  std::string stop_signal;
  std::optional<int> stop_timeout;
  std::string restart_policy;  // "", no, always, on-failure, unless-stopped
  int64_t restart_max = 0;
};
Result<RunSettings> run_settings(const Container& c);

}  // namespace berth::engine

namespace berth::engine {
// tty, stdin flags, auto_remove and labels from the stored JSON (after a
// container is loaded from the database).
Result<> derive_flags(Container& c);
}  // namespace berth::engine
