#include "base/error.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace berth {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return make_error(ErrorCategory::InvalidArgument, "not positive");
  return v;
}

Result<int> doubled(int v) {
  int x = TRY(parse_positive(v));
  return x * 2;
}

Result<int> with_context(int v) {
  int x = TRY_CTX(doubled(v), "doubling " + std::to_string(v));
  return x;
}

Result<int> outer(int v) { return TRY_CTX(with_context(v), "outer"); }

TEST(Error, TryPropagatesValue) {
  auto r = doubled(21);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 42);
}

TEST(Error, TryPropagatesErrorUnchanged) {
  auto r = doubled(-1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category(), ErrorCategory::InvalidArgument);
  EXPECT_EQ(r.error().to_string(), "not positive");
}

TEST(Error, ContextChainsOutermostFirst) {
  auto r = outer(-3);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().to_string(), "outer: doubling -3: not positive");
  EXPECT_EQ(r.error().message(), "not positive");
  EXPECT_EQ(r.error().context(), "outer: doubling -3");
  EXPECT_TRUE(r.error().is(ErrorCategory::InvalidArgument));
}

TEST(Error, SysErrorCapturesErrnoAndCategory) {
  errno = ENOENT;
  Error e = sys_error("open /nope").value();
  EXPECT_EQ(e.sys_errno(), ENOENT);
  EXPECT_EQ(e.category(), ErrorCategory::NotFound);
  EXPECT_EQ(e.to_string(), "open /nope: No such file or directory");
}

TEST(Error, CategoriesFromErrno) {
  EXPECT_EQ(category_for_errno(EEXIST), ErrorCategory::Conflict);
  EXPECT_EQ(category_for_errno(EPERM), ErrorCategory::PermissionDenied);
  EXPECT_EQ(category_for_errno(EINVAL), ErrorCategory::InvalidArgument);
  EXPECT_EQ(category_for_errno(EAGAIN), ErrorCategory::Unavailable);
  EXPECT_EQ(category_for_errno(EIO), ErrorCategory::Internal);
}

TEST(Error, WrapOnEmptyContextIsIgnored) {
  Error e(ErrorCategory::Internal, "boom");
  e.wrap("");
  EXPECT_EQ(e.to_string(), "boom");
}

Result<> void_step(bool fail) {
  if (fail) return make_error(ErrorCategory::Conflict, "busy");
  return ok();
}

Result<int> uses_void(bool fail) {
  TRY(void_step(fail));
  return 1;
}

TEST(Error, TryWorksOnVoidResults) {
  EXPECT_EQ(*uses_void(false), 1);
  EXPECT_EQ(uses_void(true).error().category(), ErrorCategory::Conflict);
}

TEST(Error, TryMovesMoveOnlyValues) {
  auto make = []() -> Result<std::unique_ptr<int>> { return std::make_unique<int>(7); };
  auto use = [&]() -> Result<int> {
    auto p = TRY(make());
    return *p;
  };
  EXPECT_EQ(*use(), 7);
}

TEST(Error, CategoryNames) {
  EXPECT_EQ(category_name(ErrorCategory::NotFound), "not found");
  EXPECT_EQ(category_name(ErrorCategory::Unavailable), "unavailable");
}

}  // namespace
}  // namespace berth
