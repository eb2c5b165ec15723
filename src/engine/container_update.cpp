// HostContainerService: update (HostConfig resources and restart policy;
// a running container's cgroup is changed live through the runtime) and
// prune (every stopped container the filters select).
#include <ftw.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <mutex>

#include "base/log.hpp"
#include "base/strings.hpp"
#include "engine/container_config.hpp"
#include "engine/container_entry.hpp"
#include "engine/container_service.hpp"
#include "engine/container_spec.hpp"
#include "engine/container_store.hpp"
#include "engine/local_image_service.hpp"
#include "runtime/runtime.hpp"

namespace berth::engine {
namespace {

namespace json = boost::json;

// The HostConfig members `docker update` may change; a zero (or empty)
// value leaves the current setting, as in dockerd.
const char* const kUpdatable[] = {"Memory",     "MemorySwap", "MemoryReservation", "NanoCpus",
                                  "CpuShares",  "CpuQuota",   "CpuPeriod",         "CpusetCpus",
                                  "CpusetMems", "PidsLimit",  "BlkioWeight",       "KernelMemory"};

Unexpected bad(const std::string& msg) { return make_error(ErrorCategory::InvalidArgument, msg); }

bool is_zero(const json::value& v) {
  if (v.is_null()) return true;
  if (v.is_int64()) return v.as_int64() == 0;
  if (v.is_uint64()) return v.as_uint64() == 0;
  if (v.is_string()) return v.as_string().empty();
  return false;
}

// Merges the update body into the HostConfig document.
Result<std::string> merged_host_config(const std::string& host_config, std::string_view body) {
  boost::system::error_code ec;
  auto update = json::parse(body, ec);
  if (ec || !update.is_object()) return bad("invalid JSON: update body must be a JSON object");
  auto current = json::parse(host_config, ec);
  if (ec || !current.is_object()) current = json::object();
  auto& hc = current.as_object();
  const auto& u = update.as_object();
  for (const char* key : kUpdatable) {
    auto* v = u.if_contains(key);
    if (!v || is_zero(*v)) continue;
    if (!v->is_number() && !v->is_string()) return bad(std::string("json: cannot unmarshal into field ") + key);
    if (v->is_number() && std::string_view(key) != "PidsLimit" && v->to_number<double>() < 0)
      return bad(std::string("invalid value for ") + key + ": must be positive");
    hc[key] = *v;
  }
  if (auto* n = hc.if_contains("NanoCpus"); n && !is_zero(*n) && u.contains("CpuQuota") && !is_zero(u.at("CpuQuota")))
    return make_error(ErrorCategory::Conflict, "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set");
  if (auto* rp = u.if_contains("RestartPolicy"); rp && rp->is_object()) {
    auto* name = rp->as_object().if_contains("Name");
    std::string policy = name && name->is_string() ? std::string(name->as_string()) : "";
    if (!policy.empty()) {
      if (policy != "no" && policy != "always" && policy != "on-failure" && policy != "unless-stopped")
        return bad("invalid restart policy: unknown policy '" + policy + "'");
      if (auto* ar = hc.if_contains("AutoRemove"); ar && ar->is_bool() && ar->as_bool() && policy != "no")
        return bad("Restart policy cannot be updated because AutoRemove is enabled for the container");
      hc["RestartPolicy"] = *rp;
    }
  }
  return json::serialize(current);
}

uint64_t tree_bytes = 0;
int add_size(const char*, const struct stat* st, int type, struct FTW*) {
  if (type == FTW_F) tree_bytes += static_cast<uint64_t>(st->st_size);
  return 0;
}

// The bytes of a container's writable layer (what prune reclaims).
uint64_t rw_size(const std::string& upper) {
  static std::mutex mu;  // nftw's callback has no context argument
  std::lock_guard lock(mu);
  tree_bytes = 0;
  if (!upper.empty()) (void)::nftw(upper.c_str(), add_size, 16, FTW_PHYS | FTW_MOUNT);
  return tree_bytes;
}

}  // namespace

Result<std::vector<std::string>> HostContainerService::update(const std::string& ref, std::string_view body) {
  auto e = TRY(find(ref));
  Container c;
  {
    std::lock_guard lock(mu_);
    c = e->c;
  }
  c.host_config = TRY(merged_host_config(c.host_config, body));
  auto settings = TRY(run_settings(c));
  if (c.state.running()) {
    runtime::Context ctx;
    ctx.root = runtime_root_;
    auto resources = container_resources(settings);
    resources.devices.clear();  // device rules are not `docker update`'s business
    TRY_CTX(runtime::update(ctx, c.id, resources), "Cannot update container " + c.id);
  }
  {
    std::lock_guard lock(mu_);
    e->c.host_config = c.host_config;
    std::lock_guard db_lock(db_mu_);
    TRY(save_container_host_config(*o_.stores->db, e->c));
  }
  publish(c, "update");
  return std::vector<std::string>{};
}

Result<PruneResult> HostContainerService::prune(const Filters& filters) {
  TRY(filters.validate({"label", "label!", "until"}));
  int64_t until = 0;
  for (const auto& v : filters.values("until")) {
    auto t = parse_rfc3339_seconds(v);
    if (t <= 0) t = parse_int<int64_t>(v).value_or(0);
    if (t <= 0) return bad("invalid filter 'until=" + v + "'");
    until = t;
  }
  std::vector<std::string> victims;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, e] : entries_) {
      const auto& c = e->c;
      if (c.state.running() || e->starting || e->removing) continue;
      if (filters.contains("label") && !filters.match_labels("label", c.labels)) continue;
      if (filters.contains("label!") && filters.match_labels("label!", c.labels)) continue;
      if (until && parse_rfc3339_seconds(c.created) >= until) continue;
      victims.push_back(id);
    }
  }
  PruneResult r;
  for (const auto& id : victims) {
    std::unique_lock db_lock(db_mu_);
    auto source = o_.stores->snapshots->diff_source(snapshot_key(id));
    db_lock.unlock();
    uint64_t size = source ? rw_size(source->upper) : 0;
    if (auto removed = remove(id, false); !removed) {
      log::warn("prune: remove container", {{"id", id}, {"error", removed.error()}});
      continue;
    }
    r.deleted.push_back(id);
    r.space_reclaimed += size;
  }
  o_.events->publish({"container", "prune", "", {{"reclaimed", std::to_string(r.space_reclaimed)}}, "local", 0});
  return r;
}

}  // namespace berth::engine
