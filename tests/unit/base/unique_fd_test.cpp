#include "base/unique_fd.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace berth {
namespace {

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) >= 0; }

TEST(UniqueFd, ClosesOnDestruction) {
  int raw;
  {
    auto p = make_pipe();
    ASSERT_TRUE(p);
    raw = p->read.get();
    EXPECT_TRUE(is_open(raw));
  }
  EXPECT_FALSE(is_open(raw));
}

TEST(UniqueFd, MoveTransfersOwnershipExactlyOnce) {
  auto p = make_pipe();
  ASSERT_TRUE(p);
  int raw = p->read.get();
  UniqueFd a = std::move(p->read);
  EXPECT_FALSE(p->read.valid());
  EXPECT_EQ(a.get(), raw);
  UniqueFd b;
  b = std::move(a);
  EXPECT_FALSE(a.valid());
  EXPECT_EQ(b.get(), raw);
  EXPECT_TRUE(is_open(raw));
  b.reset();
  EXPECT_FALSE(is_open(raw));
}

TEST(UniqueFd, MoveAssignClosesPrevious) {
  auto p = make_pipe();
  ASSERT_TRUE(p);
  int old_read = p->read.get();
  int old_write = p->write.get();
  p->read = std::move(p->write);
  EXPECT_FALSE(is_open(old_read));
  EXPECT_EQ(p->read.get(), old_write);
}

TEST(UniqueFd, SelfMoveAssignKeepsFd) {
  auto p = make_pipe();
  ASSERT_TRUE(p);
  int raw = p->read.get();
  UniqueFd& ref = p->read;
  p->read = std::move(ref);
  EXPECT_EQ(p->read.get(), raw);
  EXPECT_TRUE(is_open(raw));
}

TEST(UniqueFd, ReleaseGivesUpOwnership) {
  auto p = make_pipe();
  ASSERT_TRUE(p);
  int raw = p->read.release();
  EXPECT_FALSE(p->read.valid());
  EXPECT_TRUE(is_open(raw));
  ::close(raw);
}

TEST(UniqueFd, EverythingIsCloexec) {
  auto p = make_pipe();
  ASSERT_TRUE(p);
  EXPECT_TRUE(::fcntl(p->read.get(), F_GETFD) & FD_CLOEXEC);
  EXPECT_TRUE(::fcntl(p->write.get(), F_GETFD) & FD_CLOEXEC);
  auto d = p->read.dup();
  ASSERT_TRUE(d);
  EXPECT_NE(d->get(), p->read.get());
  EXPECT_TRUE(::fcntl(d->get(), F_GETFD) & FD_CLOEXEC);
  auto sp = make_socketpair();
  ASSERT_TRUE(sp);
  EXPECT_TRUE(::fcntl(sp->first.get(), F_GETFD) & FD_CLOEXEC);
}

TEST(UniqueFd, DupOfInvalidFails) {
  UniqueFd none;
  auto d = none.dup();
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().sys_errno(), EBADF);
}

}  // namespace
}  // namespace berth
