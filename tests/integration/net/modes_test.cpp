// Network modes against the kernel: none gets a working loopback only;
// container:<id> shares the target's namespace (same interfaces, same
// address); host uses the host's files.
#include <gtest/gtest.h>

#include "net/manager.hpp"
#include "net/mode.hpp"
#include "support/root.hpp"
#include "world.hpp"

namespace berth::net {
namespace {

using testing::sh_in;
using testing::TestNetns;
using testing::World;

TEST(Modes, NoneContainerAndHost) {
  BERTH_REQUIRE_ROOT();
  World w;
  ASSERT_TRUE(w.ok());
  w.build();
  auto m = Manager::open(w.options()).value();

  TestNetns none("none");
  ASSERT_TRUE(m->setup_loopback(none.path()));
  EXPECT_EQ(sh_in(none, "ip -o link show | wc -l"), "1\n");
  int rc = -1;
  sh_in(none, "busybox ping -c1 -W1 127.0.0.1", &rc);
  EXPECT_EQ(rc, 0);

  TestNetns web("web");
  AttachRequest r;
  r.container_id = "webwebwebweb0000";
  r.name = "web";
  r.netns_path = web.path();
  auto ep = m->connect("bridge", r).value();
  // container:web -> the plan joins web's namespace; a process there sees
  // web's eth0 and address.
  auto plan = plan_netns(NetworkMode::parse("container:web").value(),
                         [&](const std::string&) -> Result<std::string> { return web.path(); })
                  .value();
  ASSERT_EQ(plan.kind, NetnsPlan::Kind::Join);
  auto out = sh_in(w.host, "nsenter --net=" + plan.join_path + " ip -o addr show eth0");
  EXPECT_NE(out.find(ep.ip.str()), std::string::npos) << out;

  HostsSpec hs;
  hs.hostname = "vm";
  auto files = m->container_files("", hs, {}, true).value();
  EXPECT_EQ(files.resolv_conf,
            "nameserver 127.0.0.53\nnameserver 198.51.100.2\nsearch corp.test\n");
  EXPECT_EQ(files.hostname, "vm\n");
  ASSERT_TRUE(m->release_container("webwebwebweb0000"));
}

}  // namespace
}  // namespace berth::net
