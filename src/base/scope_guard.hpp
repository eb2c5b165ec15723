// ScopeGuard: runs a rollback action when a scope exits, unless dismissed.
// The pattern for multi-step setup:
//   auto undo_mount = ScopeGuard([&] { umount2(target, MNT_DETACH); });
//   TRY(next_step());
//   undo_mount.dismiss();   // success: keep the mount
#pragma once

#include <utility>

namespace berth {

template <typename F>
class [[nodiscard]] ScopeGuard {
 public:
  explicit ScopeGuard(F action) : action_(std::move(action)) {}
  ~ScopeGuard() {
    if (active_) action_();
  }
  ScopeGuard(ScopeGuard&& other) noexcept
      : action_(std::move(other.action_)), active_(std::exchange(other.active_, false)) {}
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;
  ScopeGuard& operator=(ScopeGuard&&) = delete;

  void dismiss() { active_ = false; }

 private:
  F action_;
  bool active_ = true;
};

}  // namespace berth
