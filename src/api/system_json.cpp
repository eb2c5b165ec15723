#include "api/system_json.hpp"

#include <boost/json.hpp>

#include "api/errors.hpp"

namespace berth::api {
namespace json = boost::json;
namespace {

json::array strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& s : items) out.emplace_back(valid_utf8(s));
  return out;
}

json::object registry_config(const engine::SystemInfo& i) {
  json::object index{{"Name", "docker.io"},
                     {"Mirrors", strings(i.registry_mirrors)},
                     {"Secure", true},
                     {"Official", true}};
  json::object cidrs;
  json::array insecure_cidrs;
  json::object index_configs{{"docker.io", std::move(index)}};
  for (const auto& host : i.insecure_registries) {
    if (host.find('/') != std::string::npos) {
      insecure_cidrs.emplace_back(host);  // a CIDR
    } else {
      index_configs[host] = json::object{
          {"Name", host}, {"Mirrors", json::array()}, {"Secure", false}, {"Official", false}};
    }
  }
  return {{"AllowNondistributableArtifactsCIDRs", json::array()},
          {"AllowNondistributableArtifactsHostnames", json::array()},
          {"InsecureRegistryCIDRs", std::move(insecure_cidrs)},
          {"IndexConfigs", std::move(index_configs)},
          {"Mirrors", strings(i.registry_mirrors)}};
}

json::object commit(std::string_view id) { return {{"ID", id}, {"Expected", id}}; }

}  // namespace

json::value version_json(const engine::VersionInfo& v) {
  json::array components;
  for (const auto& c : v.components) {
    json::object details;
    for (const auto& [k, val] : c.details) details[k] = val;
    components.push_back(json::object{{"Name", c.name}, {"Version", c.version}, {"Details", details}});
  }
  return json::object{{"Platform", json::object{{"Name", "berth"}}},
                      {"Components", std::move(components)},
                      {"Version", v.version},
                      {"ApiVersion", v.api_version},
                      {"MinAPIVersion", v.min_api_version},
                      {"GitCommit", v.git_commit},
                      {"GoVersion", v.compiler},
                      {"Os", v.os},
                      {"Arch", v.arch},
                      {"KernelVersion", v.kernel_version},
                      {"BuildTime", v.build_time}};
}

json::value info_json(const engine::SystemInfo& i) {
  json::array driver_status;
  for (const auto& [k, v] : i.driver_status) driver_status.push_back(json::array{json::string(k), json::string(v)});
  json::object runtimes;
  for (const auto& [name, path] : i.runtimes) runtimes[name] = json::object{{"path", path}};
  json::object o{
      {"ID", i.id}, {"Containers", i.containers.total}, {"ContainersRunning", i.containers.running},
      {"ContainersPaused", i.containers.paused}, {"ContainersStopped", i.containers.stopped},
      {"Images", i.images}, {"Driver", i.driver}, {"DriverStatus", std::move(driver_status)},
      {"Plugins", json::object{{"Volume", json::array{"local"}},
                               {"Network", json::array{"bridge", "host", "null"}},
                               {"Authorization", nullptr},
                               {"Log", json::array{"json-file"}}}},
      {"MemoryLimit", i.memory_limit}, {"SwapLimit", i.swap_limit},
      // Kernel memory limits are gone (cgroup v2, and no-ops since Linux 5.16).
      {"KernelMemory", false}, {"KernelMemoryTCP", i.kernel_memory_tcp},
      {"CpuCfsPeriod", i.cpu_cfs_period}, {"CpuCfsQuota", i.cpu_cfs_quota},
      {"CPUShares", i.cpu_shares}, {"CPUSet", i.cpuset}, {"PidsLimit", i.pids_limit},
      {"IPv4Forwarding", i.ipv4_forwarding}, {"BridgeNfIptables", i.bridge_nf_iptables},
      {"BridgeNfIp6tables", i.bridge_nf_ip6tables}, {"Debug", i.debug}, {"NFd", i.fds},
      {"OomKillDisable", i.oom_kill_disable}, {"NGoroutines", i.threads},
      {"SystemTime", i.system_time}, {"LoggingDriver", i.logging_driver},
      {"CgroupDriver", i.cgroup_driver}, {"CgroupVersion", i.cgroup_version},
      {"NEventsListener", i.event_listeners}, {"KernelVersion", i.kernel_version},
      {"OperatingSystem", i.operating_system}, {"OSVersion", i.os_version},
      {"OSType", i.os_type}, {"Architecture", i.architecture},
      {"IndexServerAddress", "https://index.docker.io/v1/"},
      {"RegistryConfig", registry_config(i)}, {"NCPU", i.ncpu}, {"MemTotal", i.mem_total},
      {"GenericResources", nullptr}, {"DockerRootDir", i.root_dir},
      {"HttpProxy", i.http_proxy}, {"HttpsProxy", i.https_proxy}, {"NoProxy", i.no_proxy},
      {"Name", i.name}, {"Labels", strings(i.labels)}, {"ExperimentalBuild", false},
      {"ServerVersion", i.server_version}, {"Runtimes", std::move(runtimes)},
      {"DefaultRuntime", i.default_runtime},
      {"Swarm", json::object{{"NodeID", ""}, {"NodeAddr", ""}, {"LocalNodeState", "inactive"},
                             {"ControlAvailable", false}, {"Error", ""},
                             {"RemoteManagers", nullptr}}},
      {"LiveRestoreEnabled", i.live_restore}, {"Isolation", ""},
      {"InitBinary", "berth-init"}, {"ContainerdCommit", commit("")},
      {"RuncCommit", commit("")}, {"InitCommit", commit("")},
      {"SecurityOptions", strings(i.security_options)}, {"CDISpecDirs", json::array()},
      {"Warnings", strings(i.warnings)}};
  return o;
}

json::value disk_usage_json(const engine::DiskUsage& du) {
  json::array images, containers, volumes;
  for (const auto& im : du.images)
    images.push_back(json::object{{"Id", im.id}, {"ParentId", ""}, {"RepoTags", strings(im.repo_tags)},
                                  {"RepoDigests", json::array()}, {"Created", im.created},
                                  {"Size", im.size}, {"SharedSize", im.shared_size},
                                  {"VirtualSize", im.size}, {"Labels", json::object()},
                                  {"Containers", im.containers}});
  for (const auto& c : du.containers)
    containers.push_back(json::object{{"Id", c.id}, {"Names", json::array{json::string("/" + c.name)}},
                                      {"Image", c.image}, {"Created", c.created},
                                      {"State", c.state}, {"Status", c.status},
                                      {"SizeRw", c.size_rw}, {"SizeRootFs", c.size_root_fs}});
  for (const auto& v : du.volumes)
    volumes.push_back(json::object{{"Name", v.name}, {"Driver", v.driver},
                                   {"Mountpoint", v.mountpoint}, {"Scope", "local"},
                                   {"Labels", json::object()}, {"Options", json::object()},
                                   {"UsageData", json::object{{"Size", v.size},
                                                              {"RefCount", v.ref_count}}}});
  return json::object{{"LayersSize", du.layers_size}, {"BuilderSize", 0}, {"Images", std::move(images)},
                      {"Containers", std::move(containers)}, {"Volumes", std::move(volumes)},
                      {"BuildCache", json::array()}};
}

json::value event_json(const engine::Event& e) {
  json::object attributes;
  for (const auto& [k, v] : e.attributes) attributes[valid_utf8(k)] = valid_utf8(v);
  json::object o;
  if (e.type == "container" || e.type == "image") {
    o["status"] = valid_utf8(e.action);
    o["id"] = valid_utf8(e.actor_id);
    if (e.type == "container" && e.attributes.count("image"))
      o["from"] = valid_utf8(e.attributes.at("image"));
  }
  o["Type"] = e.type;
  o["Action"] = valid_utf8(e.action);
  o["Actor"] = json::object{{"ID", valid_utf8(e.actor_id)}, {"Attributes", std::move(attributes)}};
  o["scope"] = e.scope;
  o["time"] = e.time_nano / 1000000000;
  o["timeNano"] = e.time_nano;
  return o;
}

}  // namespace berth::api
