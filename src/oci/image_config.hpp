// The image configuration (OCI image-spec config.json; Docker's image JSON
// is a superset). Typed fields are what berth reads and edits; `raw` keeps
// the whole document, so fields berth does not model (Healthcheck, Shell,
// docker_version, ...) survive an edit. The image ID is the digest of the
// exact bytes, so loaders store those bytes, never a re-serialisation.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "oci/json.hpp"

namespace berth::oci {

struct ContainerConfig {
  std::string user;
  std::vector<std::string> exposed_ports;  // "80/tcp"
  std::vector<std::string> env;            // "K=V"
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::vector<std::string> volumes;
  std::string working_dir;
  std::map<std::string, std::string> labels;
  std::string stop_signal;
  std::vector<std::string> on_build;
};

struct HistoryEntry {
  std::string created;
  std::string created_by;
  std::string author;
  std::string comment;
  bool empty_layer = false;
};

struct ImageConfig {
  std::string created;  // RFC 3339
  std::string author;
  std::string architecture;
  std::string os;
  std::string variant;
  ContainerConfig config;
  std::string rootfs_type = "layers";
  std::vector<std::string> diff_ids;
  std::vector<HistoryEntry> history;
  json::object raw;  // the parsed document, unknown fields included
};

Result<ImageConfig> parse_image_config(std::string_view bytes);
// Serialises the typed fields over `raw` (unknown fields kept).
std::string to_json(const ImageConfig& config);

// Sets `key=value` in an env list, replacing an existing `key`.
void set_env(std::vector<std::string>& env, std::string_view key, std::string_view value);

// Now as RFC 3339 with nanoseconds, the form Docker writes.
std::string rfc3339_now();

}  // namespace berth::oci
