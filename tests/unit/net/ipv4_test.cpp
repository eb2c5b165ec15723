#include "net/ipv4.hpp"

#include <gtest/gtest.h>

namespace berth::net {
namespace {

TEST(Ipv4, ParsesAndFormats) {
  auto ip = Ipv4::parse("172.17.0.2");
  ASSERT_TRUE(ip);
  EXPECT_EQ(ip->value, 0xac110002u);
  EXPECT_EQ(ip->str(), "172.17.0.2");
  EXPECT_EQ(Ipv4::from_be(ip->to_be()), *ip);
}

TEST(Ipv4, RejectsAmbiguousForms) {
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "a.b.c.d",
                          "1.2.3.4 ", "-1.2.3.4"})
    EXPECT_FALSE(Ipv4::parse(bad)) << bad;
}

TEST(Subnet, MasksAndContains) {
  auto s = Subnet::parse("10.88.3.7/16");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->str(), "10.88.0.0/16");
  EXPECT_TRUE(s->contains(*Ipv4::parse("10.88.255.254")));
  EXPECT_FALSE(s->contains(*Ipv4::parse("10.89.0.1")));
  EXPECT_EQ(s->last().str(), "10.88.255.255");
  EXPECT_EQ(s->size(), 65536u);
  EXPECT_TRUE(s->overlaps(*Subnet::parse("10.88.4.0/24")));
  EXPECT_TRUE(Subnet::parse("10.0.0.0/8")->overlaps(*s));
  EXPECT_FALSE(s->overlaps(*Subnet::parse("10.89.0.0/16")));
  EXPECT_TRUE(Subnet::parse("0.0.0.0/0")->contains(*s));
  EXPECT_FALSE(Subnet::parse("10.0.0.0/33"));
  EXPECT_FALSE(Subnet::parse("10.0.0.0"));
}

TEST(Mac, ParsesDockerStyleAndDerivesFromIp) {
  EXPECT_EQ(Mac::from_ipv4(*Ipv4::parse("172.17.0.2")).str(), "02:42:ac:11:00:02");
  auto m = Mac::parse("02:42:AC:11:00:03");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->str(), "02:42:ac:11:00:03");
  EXPECT_FALSE(Mac::parse("01:00:5e:00:00:01"));  // multicast
  EXPECT_FALSE(Mac::parse("02:42:ac:11:00"));
  EXPECT_FALSE(Mac::parse("02:42:ac:11:00:0g"));
}

}  // namespace
}  // namespace berth::net
