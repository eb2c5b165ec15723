#include "runtime/mount_options.hpp"

#include <sys/mount.h>

#include <map>

namespace berth::runtime {
namespace {

struct FlagSpec {
  bool clear;
  unsigned long flag;
};

const std::map<std::string, FlagSpec>& flag_table() {
  static const std::map<std::string, FlagSpec> table = {
      {"async", {true, MS_SYNCHRONOUS}},     {"atime", {true, MS_NOATIME}},
      {"bind", {false, MS_BIND}},            {"defaults", {false, 0}},
      {"dev", {true, MS_NODEV}},             {"diratime", {true, MS_NODIRATIME}},
      {"dirsync", {false, MS_DIRSYNC}},      {"exec", {true, MS_NOEXEC}},
      {"mand", {false, MS_MANDLOCK}},        {"noatime", {false, MS_NOATIME}},
      {"nodev", {false, MS_NODEV}},          {"nodiratime", {false, MS_NODIRATIME}},
      {"noexec", {false, MS_NOEXEC}},        {"nomand", {true, MS_MANDLOCK}},
      {"norelatime", {true, MS_RELATIME}},   {"nostrictatime", {true, MS_STRICTATIME}},
      {"nosuid", {false, MS_NOSUID}},        {"rbind", {false, MS_BIND | MS_REC}},
      {"relatime", {false, MS_RELATIME}},    {"remount", {false, MS_REMOUNT}},
      {"ro", {false, MS_RDONLY}},            {"rw", {true, MS_RDONLY}},
      {"strictatime", {false, MS_STRICTATIME}}, {"suid", {true, MS_NOSUID}},
      {"sync", {false, MS_SYNCHRONOUS}},
  };
  return table;
}

const std::map<std::string, unsigned long>& propagation_table() {
  static const std::map<std::string, unsigned long> table = {
      {"private", MS_PRIVATE},         {"rprivate", MS_PRIVATE | MS_REC},
      {"shared", MS_SHARED},           {"rshared", MS_SHARED | MS_REC},
      {"slave", MS_SLAVE},             {"rslave", MS_SLAVE | MS_REC},
      {"unbindable", MS_UNBINDABLE},   {"runbindable", MS_UNBINDABLE | MS_REC},
  };
  return table;
}

// Recursive attributes (runtime-spec 1.1 "rro" and friends).
const std::map<std::string, FlagSpec>& attr_table() {
  static const std::map<std::string, FlagSpec> table = {
      {"rro", {false, MOUNT_ATTR_RDONLY}},     {"rrw", {true, MOUNT_ATTR_RDONLY}},
      {"rnosuid", {false, MOUNT_ATTR_NOSUID}}, {"rsuid", {true, MOUNT_ATTR_NOSUID}},
      {"rnodev", {false, MOUNT_ATTR_NODEV}},   {"rdev", {true, MOUNT_ATTR_NODEV}},
      {"rnoexec", {false, MOUNT_ATTR_NOEXEC}}, {"rexec", {true, MOUNT_ATTR_NOEXEC}},
      {"rnoatime", {false, MOUNT_ATTR_NOATIME}},
  };
  return table;
}

}  // namespace

bool MountOptions::is_bind() const { return (flags & MS_BIND) != 0; }
bool MountOptions::is_recursive_bind() const { return (flags & (MS_BIND | MS_REC)) == (MS_BIND | MS_REC); }

MountOptions parse_mount_options(const std::vector<std::string>& options) {
  MountOptions out;
  for (const auto& opt : options) {
    if (auto f = flag_table().find(opt); f != flag_table().end()) {
      if (f->second.clear) {
        out.flags &= ~f->second.flag;
        out.clear |= f->second.flag;
      } else {
        out.flags |= f->second.flag;
        out.clear &= ~f->second.flag;
      }
    } else if (auto p = propagation_table().find(opt); p != propagation_table().end()) {
      out.propagation.push_back(p->second);
    } else if (auto a = attr_table().find(opt); a != attr_table().end()) {
      (a->second.clear ? out.attr_clear : out.attr_set) |= a->second.flag;
    } else if (opt == "tmpcopyup" || opt == "idmap" || opt == "ridmap") {
      // Not supported yet; runc ignores unknown extensions the same way.
    } else {
      if (!out.data.empty()) out.data += ',';
      out.data += opt;
    }
  }
  return out;
}

}  // namespace berth::runtime
