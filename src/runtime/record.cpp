#include "runtime/record.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include <ctime>

#include "base/file.hpp"
#include "oci/runtime_codec.hpp"
#include "sys/process.hpp"

namespace berth::runtime {

Result<> validate_id(const std::string& id) {
  auto good = [](char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (!first && (c == '_' || c == '+' || c == '-' || c == '.'));
  };
  bool valid = !id.empty() && id.size() <= 1024;
  for (size_t i = 0; valid && i < id.size(); ++i) valid = good(id[i], i == 0);
  if (!valid) return make_error(ErrorCategory::InvalidArgument, "invalid id format: " + id);
  return ok();
}

std::string container_dir(const Context& ctx, const std::string& id) { return ctx.root + "/" + id; }

// Runtime state is meaningless after a reboot (it names processes), so it
// is written atomically (temp file + rename) but not fsync'd: an fsync
// here cost more than the rest of `create` when /run is on disk.
Result<> write_volatile_file(const std::string& path, std::string_view data, mode_t mode) {
  std::string tmp = path + ".tmp";
  {
    auto fd = TRY(open_file(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode));
    TRY(write_all(fd.get(), data));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return sys_error("rename " + tmp, err);
  }
  return ok();
}

Result<> save_record(const Context& ctx, const Record& r) {
  oci::json::object o;
  o["id"] = r.id;
  o["bundle"] = r.bundle;
  o["rootfs"] = r.rootfs;
  o["created"] = r.created;
  o["owner"] = r.owner;
  o["init_pid"] = r.init_pid;
  o["init_start"] = r.init_start;
  oci::json::object paths;
  for (const auto& [k, v] : r.cgroup_paths) paths[k] = v;
  o["cgroup_paths"] = std::move(paths);
  o["config"] = oci::spec_to_json(r.config);
  TRY_CTX(write_volatile_file(container_dir(ctx, r.id) + "/" + kStateFile, oci::to_json(o), 0600),
          "save state of " + r.id);
  return ok();
}

namespace {
std::string str(const oci::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
}  // namespace

Result<Record> load_record(const Context& ctx, const std::string& id) {
  TRY(validate_id(id));
  auto text = read_file(container_dir(ctx, id) + "/" + kStateFile);
  if (!text) {
    if (text.error().sys_errno() == ENOENT)
      return make_error(ErrorCategory::NotFound, "container does not exist");
    return tl::unexpected(std::move(text).error());
  }
  auto value = TRY_CTX(oci::parse_json(*text), "state of " + id);
  if (!value.is_object()) return make_error(ErrorCategory::Internal, "state of " + id + ": not an object");
  const auto& o = value.get_object();
  Record r;
  r.id = str(o, "id");
  r.bundle = str(o, "bundle");
  r.rootfs = str(o, "rootfs");
  r.created = str(o, "created");
  r.owner = str(o, "owner");
  if (const auto* p = o.if_contains("init_pid"); p && p->is_int64()) r.init_pid = static_cast<pid_t>(p->get_int64());
  if (const auto* p = o.if_contains("init_start"); p && p->is_number())
    r.init_start = p->is_uint64() ? p->get_uint64() : static_cast<uint64_t>(p->get_int64());
  if (const auto* p = o.if_contains("cgroup_paths"); p && p->is_object())
    for (const auto& kv : p->get_object())
      if (kv.value().is_string()) r.cgroup_paths[std::string(kv.key())] = std::string(kv.value().get_string());
  if (const auto* c = o.if_contains("config")) r.config = TRY_CTX(oci::spec_from_json(*c), "state of " + id);
  return r;
}

bool init_alive(const Record& r) {
  if (r.init_pid <= 0 || !sys::process_alive(r.init_pid)) return false;
  auto start = sys::process_start_time(r.init_pid);
  // A different start time means the pid was reused by another process.
  return start && *start == r.init_start;
}

oci::Status status(const Context& ctx, const Record& r) {
  if (!init_alive(r)) return oci::Status::Stopped;
  struct stat st;
  if (::stat((container_dir(ctx, r.id) + "/" + kExecFifo).c_str(), &st) == 0) return oci::Status::Created;
  if (!r.cgroup_paths.empty()) {
    auto manager = cgroups::load_manager(r.cgroup_paths);
    if (manager) {
      auto fs = (*manager)->freezer_state();
      if (fs && *fs != cgroups::FreezerState::Thawed) return oci::Status::Paused;
    }
  }
  return oci::Status::Running;
}

oci::State to_state(const Context& ctx, const Record& r) {
  oci::State s;
  s.oci_version = r.config.oci_version;
  s.id = r.id;
  s.status = status(ctx, r);
  s.pid = s.status == oci::Status::Stopped ? 0 : r.init_pid;
  s.bundle = r.bundle;
  s.rootfs = r.rootfs;
  s.created = r.created;
  s.owner = r.owner;
  s.annotations = r.config.annotations;
  return s;
}

std::string now_rfc3339() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  tm utc;
  ::gmtime_r(&ts.tv_sec, &utc);
  char buf[64];
  size_t n = ::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(buf + n, sizeof buf - n, ".%09ldZ", ts.tv_nsec);
  return buf;
}

}  // namespace berth::runtime
