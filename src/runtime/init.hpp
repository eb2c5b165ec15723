// The container's init: the child that create clones. It runs in the new
// namespaces, builds the rootfs, reports "ready", blocks on exec.fifo and,
// once `start` opens the fifo, execs the user process.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "oci/runtime_spec.hpp"
#include "runtime/sync.hpp"

namespace berth::runtime {

struct NamespaceJoin {
  int nstype;  // CLONE_NEW*
  UniqueFd fd;
  std::string path;
};

struct InitConfig {
  const oci::Spec* spec = nullptr;
  std::string id;
  std::string bundle;
  std::string rootfs;
  const SyncChannel* sync = nullptr;
  int fifo_fd = -1;                  // O_PATH exec.fifo
  std::vector<NamespaceJoin>* joins = nullptr;  // user first
  int late_unshare = 0;              // CLONE_NEWCGROUP / CLONE_NEWTIME
  bool new_userns = false;
  bool parent_hooks = false;         // prestart/createRuntime to wait for
  bool no_pivot = false;
  bool no_new_keyring = false;
  int preserve_fds = 0;
  const std::vector<int>* bind_fds = nullptr;  // see open_bind_sources
  int log_fd = -1;                   // write end of the log pipe (log_forward.hpp)
  // The container's groups (controller -> absolute path). The init may
  // build its rootfs before the parent has moved it into them (see
  // setup in init.cpp), so the cgroup binds name them rather than reading
  // /proc/self/cgroup.
  const std::map<std::string, std::string>* cgroup_paths = nullptr;
};

[[noreturn]] void init_main(const InitConfig& config);

}  // namespace berth::runtime
