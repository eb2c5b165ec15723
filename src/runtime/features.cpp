// `features`: what this runtime implements, in the runtime-spec's
// features document shape (as `runc features` prints it).
#include "base/version.hpp"
#include "oci/json.hpp"
#include "oci/runtime_codec.hpp"
#include "oci/runtime_spec.hpp"
#include "runtime/runtime.hpp"

namespace berth::runtime {

std::string features_json() {
  namespace json = oci::json;
  auto arr = [](std::initializer_list<const char*> items) {
    json::array a;
    for (const char* i : items) a.push_back(json::string(i));
    return a;
  };
  json::object linux{
      {"namespaces", arr({"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"})},
      {"capabilities",
       arr({"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
            "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
            "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
            "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
            "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
            "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"})},
      {"cgroup", json::object{{"v1", true}, {"v2", true}, {"systemd", false}, {"systemdUser", false}}},
      {"seccomp",
       json::object{{"enabled", true},
                    {"actions", arr({"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
                                     "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"})},
                    {"operators", arr({"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
                                       "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"})},
                    {"archs", arr({"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64",
                                   "SCMP_ARCH_ARM"})}}},
      {"apparmor", json::object{{"enabled", false}}},
      {"selinux", json::object{{"enabled", false}}}};
  json::object doc{
      {"ociVersionMin", "1.0.0"},
      {"ociVersionMax", oci::kRuntimeSpecVersion},
      {"hooks", arr({"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"})},
      {"mountOptions",
       arr({"async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "mand", "noatime", "nodev",
            "nodiratime", "noexec", "nomand", "norelatime", "nostrictatime", "nosuid", "private", "rbind", "relatime",
            "remount", "ro", "rprivate", "rro", "rrw", "rshared", "rslave", "runbindable", "rw", "shared", "slave",
            "strictatime", "suid", "sync", "unbindable"})},
      {"linux", linux},
      {"annotations", json::object{{"org.berth.runtime.version", BERTH_VERSION},
                                   {"org.berth.runtime.commit", git_commit()}}}};
  return oci::to_pretty_json(doc, "    ");
}

}  // namespace berth::runtime
