// The host's container service: containers in SQLite, one berth-monitor
// process per running container, rootfs from the snapshotter.
//
// berthd never forks a container: start() spawns berth-monitor (new
// session, double fork) which creates the container through the runtime
// library and tells us "ok <monitor pid> <init pid>". A reaper thread
// polls a pidfd per monitor; a monitor exits only after it recorded the
// container's exit in <dir>/exit. On open() every container that was
// running is re-adopted: its exit file if the container ended meanwhile,
// else its live monitor.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/container.hpp"
#include "engine/container_ops.hpp"
#include "engine/events.hpp"
#include "engine/image_stores.hpp"
#include "engine/janitor.hpp"
#include "engine/services.hpp"

namespace berth::engine {

class ContainerNetworking;
class LocalVolumeService;

struct ContainerServiceOptions {
  std::string data_root;     // containers live in <data_root>/containers/<id>
  std::string exec_root;     // runtime state in <exec_root>/runtime
  std::string monitor_path;  // the berth-monitor binary
  ImageStores* stores = nullptr;  // needs images, content and snapshots
  EventBus* events = nullptr;
  ContainerNetworking* network = nullptr;  // null: containers get loopback only
  LocalVolumeService* volumes = nullptr;   // null: Binds/Mounts/Tmpfs are not mounted
};

class HostContainerService final : public ContainerService,
                                   public ContainerOperations,
                                   public ContainerInventory {
 public:
  static Result<std::unique_ptr<HostContainerService>> open(const ContainerServiceOptions& options);
  ~HostContainerService() override;

  Result<CreateResult> create(const std::string& name, std::string_view body) override;
  Result<Container> get(const std::string& ref) override;
  Result<std::vector<Container>> list(const ListOptions& options) override;
  Result<bool> start(const std::string& ref) override;
  Result<bool> stop(const std::string& ref, std::optional<int> timeout, const std::string& signal) override;
  Result<> restart(const std::string& ref, std::optional<int> timeout, const std::string& signal) override;
  Result<> kill(const std::string& ref, const std::string& signal) override;
  Result<> remove(const std::string& ref, bool force) override;
  Result<> remove_with_volumes(const std::string& ref, bool force, bool volumes) override;
  Result<> resize(const std::string& ref, int height, int width) override;
  Result<Handle> wait(const std::string& ref, WaitCondition condition,
                      std::function<void(WaitResult)> done) override;
  Handle watch(const std::string& id, std::function<void()> changed) override;
  Result<Handle> reserve_attach(const std::string& ref) override;
  Result<UniqueFd> attach(const std::string& id, const AttachStreams& streams) override;

  // container_exec.cpp, container_ops.cpp
  Result<std::string> exec_create(const std::string& ref, std::string_view body) override;
  Result<ExecInfo> exec_inspect(const std::string& exec_id) override;
  Result<UniqueFd> exec_start(const std::string& exec_id, const ExecStart& start) override;
  Result<> exec_resize(const std::string& exec_id, int height, int width) override;
  Result<TopResult> top(const std::string& ref, const std::string& ps_args) override;
  Result<StatsSample> stats(const std::string& ref) override;
  Result<> pause(const std::string& ref) override;
  Result<> unpause(const std::string& ref) override;
  Result<> rename(const std::string& ref, const std::string& new_name) override;
  Result<PathStat> archive_stat(const std::string& ref, const std::string& path) override;
  Result<> archive_get(const std::string& ref, const std::string& path, int out_fd) override;
  Result<> archive_put(const std::string& ref, const std::string& path, int in_fd,
                       bool no_overwrite_dir_non_dir) override;
  Result<> export_rootfs(const std::string& ref, int out_fd) override;
  Result<std::vector<ChangeItem>> changes(const std::string& ref) override;
  Result<std::vector<std::string>> update(const std::string& ref, std::string_view body) override;
  Result<PruneResult> prune(const Filters& filters) override;
  Result<std::string> commit(const std::string& ref, const CommitParams& params, ImageService& images) override;

  ContainerCounts container_counts() const override;
  std::vector<DiskUsage::Container> container_usage() const override;

  // For image removal: whether a (running) container uses the image.
  // `first`, when given, receives the id of one container using the image.
  bool image_used(const std::string& image_id, bool* running, std::string* first = nullptr) const;

  struct Entry;
  struct ExecEntry;

 private:
  // container_exec.cpp: exec_die once a session's monitor is gone; a
  // health probe's session is dropped (entry and directory) after use.
  void exec_ended(const std::shared_ptr<ExecEntry>& x);
  Result<> exec_kill(const std::string& exec_id, int sig);
  void forget_exec(const std::string& exec_id);
  void kill_execs(const std::string& container_id);
  // Sessions a previous berthd left on disk whose monitors are gone.
  void prune_exec_dirs(const Container& c);
  // container_health_run.cpp: probes on a timer while a container runs.
  void arm_health(const std::shared_ptr<Entry>& e, bool fresh_start);
  void health_stopped(Entry& e);  // under mu_
  void health_loop();
  void run_probe(const std::shared_ptr<Entry>& e, uint64_t gen);
  HealthResult probe(const std::string& id, int64_t timeout_ns, const std::vector<std::string>& cmd);
  void start_health();
  void stop_health();
  std::multimap<std::chrono::steady_clock::time_point, std::pair<std::string, uint64_t>> health_due_;  // under mu_
  std::condition_variable health_cv_;
  std::thread health_thread_;
  int probes_running_ = 0;  // under mu_
  std::atomic<bool> health_stopping_{false};

  void thaw_killed(Entry& e);  // container_ops.cpp
  Result<UniqueFd> open_rootfs(const std::shared_ptr<Entry>& e);  // container_archive.cpp
  // container_restart.cpp
  void schedule_restart(const std::shared_ptr<Entry>& e, bool at_boot);
  void restarter();
  void start_restarter();
  void stop_restarter();
  std::multimap<std::chrono::steady_clock::time_point, std::string> restarts_;  // under mu_
  std::condition_variable restart_cv_;
  std::thread restarter_;

 private:
  explicit HostContainerService(const ContainerServiceOptions& options);
  Result<> adopt_all();
  void adopt(const std::shared_ptr<Entry>& e);
  // container_reconcile.cpp
  Result<> reconcile_orphans();
  void stop_stale_monitor(const std::string& id, int dirfd);
  std::shared_ptr<Entry> find_locked(const std::string& ref, Result<>* error) const;
  Result<std::shared_ptr<Entry>> find(const std::string& ref) const;
  Result<> prepare_start(Entry& e);
  Result<std::pair<int64_t, int64_t>> spawn_monitor(Entry& e, UniqueFd* done);
  // Every way a run ends (an exit, a failed or aborted start): `mark` sets
  // the state under mu_ (false: nothing to do), which is persisted and
  // signalled; the rootfs is released, `ended` runs, and an --rm
  // container is removed with its anonymous volumes (`exited`: after a
  // run, not a failed start: see remove_entry). nullopt: not marked; else
  // whether it was auto-removed.
  std::optional<bool> end_run(const std::shared_ptr<Entry>& e, const std::function<bool(Entry&)>& mark,
                              const std::function<void(const Container&)>& ended = {}, bool exited = false);
  void start_failed(const std::shared_ptr<Entry>& e, const Error& error);
  // The network could not be attached to the created container.
  Error abort_start(const std::shared_ptr<Entry>& e, const Error& error);
  Result<> signal(Entry& e, int sig);
  bool wait_exit(const std::shared_ptr<Entry>& e, int64_t exits_before, int seconds);
  // late_cleanup: the rootfs unmount and the tree deletion run on the
  // janitor after the `removed` waiters are answered (an auto-remove after
  // an exit); else before (the caller answers after we return anyway).
  Result<> remove_entry(const std::shared_ptr<Entry>& e, bool volumes = false, bool late_cleanup = false);
  void on_monitor_exit(const std::shared_ptr<Entry>& e);
  void notify(Entry& e, std::unique_lock<std::mutex>& lock);
  void persist(const Entry& e);
  void publish(const Container& c, const std::string& action, std::map<std::string, std::string> extra = {});
  void reaper();
  void wake_reaper();
  void unmount_rootfs(const Container& c);

  ContainerServiceOptions o_;
  std::string containers_dir_, runtime_root_;
  mutable std::mutex mu_;
  // store::Db is one SQLite connection whose transactions must not
  // interleave across threads: every database/snapshotter call of this
  // service holds db_mu_ (taken after mu_ when both are held).
  std::mutex db_mu_;
  std::condition_variable cv_;  // exits, attach reservations
  std::map<std::string, std::shared_ptr<Entry>> entries_;  // by id
  std::map<std::string, std::string> names_;                // name -> id
  std::map<std::string, std::shared_ptr<ExecEntry>> execs_;  // by exec id, under mu_
  UniqueFd wake_fd_;  // eventfd: the reaper re-reads its pidfd set
  bool stopping_ = false;
  std::thread reaper_;
  Janitor janitor_;
};

}  // namespace berth::engine
