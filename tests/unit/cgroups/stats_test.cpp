// Stats parsing from fixture files in the kernel's formats.
#include <gtest/gtest.h>

#include "fixture.hpp"
#include "runtime/cgroups/util.hpp"
#include "runtime/cgroups/v1_manager.hpp"
#include "runtime/cgroups/v2_manager.hpp"

namespace berth::cgroups::testing {
namespace {

TEST(KeyedFiles, FlatNestedAndPids) {
  auto flat = parse_flat_keyed("cache 4096\nrss 8192\nbroken\nneg -1\n\n");
  EXPECT_EQ(flat, (std::map<std::string, uint64_t>{{"cache", 4096}, {"rss", 8192}}));
  auto nested = parse_nested_keyed("8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0\n253:1 rbytes=5\n");
  ASSERT_EQ(nested.size(), 2u);
  EXPECT_EQ(nested[0].key, "8:0");
  EXPECT_EQ(nested[0].values.at("wbytes"), 20u);
  EXPECT_EQ(parse_pid_list("1\n22\n\nx\n-3\n"), (std::vector<pid_t>{1, 22}));
  EXPECT_EQ(parse_page_size("2MB"), 2u << 20);
  EXPECT_EQ(parse_page_size("1GB"), 1u << 30);
  EXPECT_EQ(parse_page_size("64KB"), 64u << 10);
  EXPECT_EQ(parse_page_size("MB"), 0u);
  EXPECT_EQ(parse_page_size("2XB"), 0u);
}

TEST(Stats, V1FromKernelFiles) {
  FixtureTree t;
  t.make_hybrid();
  t.add_v1_group("/c");
  t.write("memory/c/memory.stat", "cache 100\nrss 200\ntotal_cache 300\ntotal_rss 400\n");
  t.write("memory/c/memory.usage_in_bytes", "1000\n");
  t.write("memory/c/memory.max_usage_in_bytes", "2000\n");
  t.write("memory/c/memory.limit_in_bytes", "4096\n");
  t.write("memory/c/memory.failcnt", "3\n");
  t.write("memory/c/memory.memsw.usage_in_bytes", "1500\n");
  t.write("memory/c/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
  t.write("cpuacct/c/cpuacct.usage", "3000000\n");
  t.write("cpuacct/c/cpuacct.usage_percpu", "1000000 2000000 \n");
  t.write("cpuacct/c/cpuacct.stat", "user 10\nsystem 5\n");
  t.write("cpu/c/cpu.stat", "nr_periods 7\nnr_throttled 2\nthrottled_time 12345\n");
  t.write("pids/c/pids.current", "3\n");
  t.write("pids/c/pids.max", "max\n");
  t.write("blkio/c/blkio.bfq.io_service_bytes_recursive", "8:0 Read 4096\n8:0 Write 512\nTotal 4608\n");
  t.write("blkio/c/blkio.bfq.io_serviced_recursive", "8:0 Read 4\n8:0 Write 1\nTotal 5\n");
  ManagerOptions o;
  o.mount_root = t.root();
  o.proc_self = t.proc_self();
  o.cgroups_path = "/c";
  auto m = make_manager(o);
  ASSERT_TRUE(m);
  auto s = (*m)->stats();
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->memory.usage, 1000u);
  EXPECT_EQ(s->memory.max_usage, 2000u);
  EXPECT_EQ(s->memory.limit, 4096u);
  EXPECT_EQ(s->memory.failcnt, 3u);
  EXPECT_EQ(s->memory.cache, 300u);
  EXPECT_EQ(s->memory.swap_usage, 1500u);
  EXPECT_EQ(s->memory.oom_kill, 2u);
  EXPECT_EQ(s->memory.raw.at("rss"), 200u);
  EXPECT_EQ(s->cpu.total_ns, 3000000u);
  EXPECT_EQ(s->cpu.percpu_ns, (std::vector<uint64_t>{1000000, 2000000}));
  EXPECT_EQ(s->cpu.user_ns, 10u * (1000000000u / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK))));
  EXPECT_EQ(s->cpu.periods, 7u);
  EXPECT_EQ(s->cpu.throttled_periods, 2u);
  EXPECT_EQ(s->cpu.throttled_time_ns, 12345u);
  EXPECT_EQ(s->pids.current, 3u);
  EXPECT_EQ(s->pids.limit, 0u);
  ASSERT_EQ(s->blkio_bytes.size(), 2u);
  EXPECT_EQ(s->blkio_bytes[0].op, "Read");
  EXPECT_EQ(s->blkio_bytes[0].value, 4096u);
  EXPECT_EQ(s->blkio_ios[1].value, 1u);
}

TEST(Stats, V2FromKernelFiles) {
  FixtureTree t;
  t.make_v2();
  t.add_v2_group("c");
  t.write("c/memory.stat", "anon 100\nfile 300\n");
  t.write("c/memory.current", "1000\n");
  t.write("c/memory.peak", "2000\n");
  t.write("c/memory.max", "max\n");
  t.write("c/memory.swap.current", "50\n");
  t.write("c/memory.events", "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n");
  t.write("c/cpu.stat", "usage_usec 3000\nuser_usec 2000\nsystem_usec 1000\nnr_periods 7\n"
                        "nr_throttled 2\nthrottled_usec 5\n");
  t.write("c/pids.current", "3\n");
  t.write("c/pids.max", "64\n");
  t.write("c/io.stat", "8:0 rbytes=4096 wbytes=512 rios=4 wios=1 dbytes=0 dios=0\n");
  t.write("c/hugetlb.2MB.current", "2097152\n");
  ManagerOptions o;
  o.mount_root = t.root();
  o.proc_self = t.proc_self();
  o.cgroups_path = "/c";
  auto m = make_manager(o);
  ASSERT_TRUE(m);
  auto s = (*m)->stats();
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->memory.usage, 1000u);
  EXPECT_EQ(s->memory.max_usage, 2000u);
  EXPECT_EQ(s->memory.limit, UINT64_MAX);
  EXPECT_EQ(s->memory.cache, 300u);
  EXPECT_EQ(s->memory.swap_usage, 50u);
  EXPECT_EQ(s->memory.failcnt, 4u);
  EXPECT_EQ(s->memory.oom_kill, 1u);
  EXPECT_EQ(s->cpu.total_ns, 3000000u);
  EXPECT_EQ(s->cpu.user_ns, 2000000u);
  EXPECT_EQ(s->cpu.throttled_time_ns, 5000u);
  EXPECT_EQ(s->pids.current, 3u);
  EXPECT_EQ(s->pids.limit, 64u);
  ASSERT_EQ(s->blkio_bytes.size(), 2u);
  EXPECT_EQ(s->blkio_bytes[1].op, "Write");
  EXPECT_EQ(s->blkio_bytes[1].value, 512u);
  EXPECT_EQ(s->blkio_ios[0].value, 4u);
  EXPECT_EQ(s->hugetlb_usage.at("2MB"), 2097152u);
  EXPECT_EQ(s->hugetlb_usage.count("1GB"), 0u);  // no .current file for it
}

TEST(Stats, MissingGroupIsNotFound) {
  FixtureTree t;
  t.make_v2();
  auto m = load_manager({{"", t.root() + "/gone"}}, t.root());
  ASSERT_TRUE(m);
  auto s = (*m)->stats();
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().is(ErrorCategory::NotFound)) << s.error().to_string();
}

}  // namespace
}  // namespace berth::cgroups::testing
