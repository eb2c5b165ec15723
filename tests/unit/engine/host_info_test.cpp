#include "engine/host_info.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/system_service.hpp"

namespace berth::engine {
namespace {

namespace fs = std::filesystem;

struct TempTree {
  TempTree() : root(fs::temp_directory_path() / ("berth-host-" + std::to_string(::getpid()))) {
    fs::remove_all(root);
    fs::create_directories(root);
  }
  ~TempTree() { fs::remove_all(root); }
  void file(const std::string& rel, const std::string& text = "") {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel) << text;
  }
  fs::path root;
};

TEST(HostInfo, ParsesOsRelease) {
  auto os = parse_os_release("# c\nNAME=\"Debian GNU/Linux\"\nVERSION_ID='12'\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nBAD\n");
  EXPECT_EQ(os["PRETTY_NAME"], "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(os["VERSION_ID"], "12");
  EXPECT_FALSE(os.count("BAD"));
}

TEST(HostInfo, ParsesMeminfo) {
  EXPECT_EQ(*parse_meminfo_total("MemFree: 1 kB\nMemTotal:       24684040 kB\n"), 24684040LL * 1024);
  EXPECT_FALSE(parse_meminfo_total("MemFree: 1 kB\n"));
  EXPECT_FALSE(parse_meminfo_total("MemTotal: lots kB\n"));
}

TEST(HostInfo, DetectsCgroupV2Controllers) {
  TempTree t;
  t.file("cgroup.controllers", "cpuset cpu io memory pids\n");
  auto f = probe_cgroups(t.root.string());
  EXPECT_EQ(f.version, "2");
  EXPECT_TRUE(f.memory && f.cpu_cfs && f.cpuset && f.pids);
}

TEST(HostInfo, DetectsCgroupV1Hierarchies) {
  TempTree t;
  t.file("memory/memory.limit_in_bytes");
  t.file("cpu/cpu.shares");
  t.file("pids/cgroup.procs");
  auto f = probe_cgroups(t.root.string());
  EXPECT_EQ(f.version, "1");
  EXPECT_TRUE(f.memory);
  EXPECT_FALSE(f.swap);  // no memory.memsw.*
  EXPECT_TRUE(f.cpu_shares);
  EXPECT_FALSE(f.cpu_cfs);
  EXPECT_TRUE(f.pids);
  EXPECT_FALSE(f.cpuset);
}

TEST(HostInfo, ProbesThisHost) {
  auto h = probe_host();
  ASSERT_TRUE(h) << h.error().to_string();
  EXPECT_GT(h->ncpu, 0);
  EXPECT_GT(h->mem_total, 0);
  EXPECT_FALSE(h->kernel_version.empty());
  EXPECT_EQ(go_arch("x86_64"), "amd64");
  EXPECT_EQ(go_arch("aarch64"), "arm64");
  EXPECT_GT(count_open_fds(), 2);
  EXPECT_GE(count_threads(), 1);
}

TEST(SystemService, IdPersistsAcrossRestarts) {
  TempTree t;
  DaemonConfig config;
  config.data_root = (t.root / "data").string();
  EventBus bus;
  auto first = HostSystemService::create(config, bus);
  ASSERT_TRUE(first) << first.error().to_string();
  auto second = HostSystemService::create(config, bus);
  ASSERT_TRUE(second);
  EXPECT_EQ((*first)->id(), (*second)->id());
  EXPECT_EQ((*first)->id().size(), 36u);
  auto info = (*first)->info();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->root_dir, config.data_root);
  EXPECT_EQ(info->containers.total, 0);
  EXPECT_EQ((*first)->version().api_version, "1.44");
}

TEST(SystemService, CountsComeFromAttachedInventories) {
  struct Containers : ContainerInventory {
    ContainerCounts container_counts() const override { return {3, 1, 1, 1}; }
    std::vector<DiskUsage::Container> container_usage() const override { return {{"id1", "web", "busybox", "running", "Up", 1, 2, 3}}; }
  } containers;
  TempTree t;
  DaemonConfig config;
  config.data_root = (t.root / "data").string();
  EventBus bus;
  auto svc = *HostSystemService::create(config, bus);
  svc->attach(&containers);
  EXPECT_EQ(svc->info()->containers.running, 1);
  EXPECT_EQ(svc->disk_usage()->containers.at(0).name, "web");
}

TEST(SystemService, TimesAreRfc3339WithNanoseconds) {
  auto s = rfc3339_nano(1700000000123456789);
  EXPECT_EQ(s.size() >= 30u, true) << s;
  EXPECT_NE(s.find(".123456789"), std::string::npos);
}

}  // namespace
}  // namespace berth::engine
