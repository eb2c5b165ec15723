#include "monitor/monitor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "base/file.hpp"
#include "base/owned_pid.hpp"
#include "base/strings.hpp"
#include "monitor/json_log.hpp"
#include "monitor/protocol.hpp"
#include "oci/image_config.hpp"
#include "oci/runtime_codec.hpp"
#include "runtime/runtime.hpp"
#include "sys/process.hpp"

namespace berth::monitor {
namespace {

struct Client {
  UniqueFd fd;
  std::string line;  // the command, until its newline
  bool attached = false, in = false, out = false, err = false, read_closed = false;
};

std::string now() { return oci::rfc3339_now(); }

void diag(const std::string& msg) {
  std::string line = "berth-monitor: " + msg + "\n";
  (void)!::write(2, line.data(), line.size());
}

class Monitor {
 public:
  explicit Monitor(const Options& o) : o_(o), log_(-1) { ctx_.root = o.runtime_root; }

  Result<pid_t> setup();
  void loop();
  void finish();
  // berthd died before reading the readiness line: nobody will ever send
  // "start", so the created container is killed and cleaned up as if it
  // had run (loop() reaps it, finish() deletes its runtime state).
  void abandon() {
    if (!exec_mode()) (void)runtime::kill(ctx_, o_.id, SIGKILL, false);
  }
  void keep_ready_fd(int fd) { done_ = UniqueFd(fd); }

 private:
  bool exec_mode() const { return !o_.exec_id.empty(); }
  Result<> create_container();
  Result<pid_t> start_exec();
  Result<> listen();
  void accept_client();
  void read_client(Client& c);
  void handle_command(Client& c, std::string_view cmd);
  void read_output(UniqueFd& fd, int stream);
  void broadcast(int stream, std::string_view data);
  void reap();

  Options o_;
  runtime::Context ctx_;
  UniqueFd dir_, log_fd_, listen_, out_, err_, in_;
  UniqueFd done_;  // berthd's readiness pipe: closed once the exit is recorded
  OwnedPid init_;
  LogWriter log_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::optional<ExitStatus> exit_;
};

Result<std::pair<UniqueFd, UniqueFd>> make_pipe() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return sys_error("pipe");
  return std::pair{UniqueFd(p[0]), UniqueFd(p[1])};
}

Result<> Monitor::create_container() {
  runtime::CreateOptions opts;
  opts.id = o_.id;
  opts.bundle = o_.dir;
  opts.detached = false;  // we keep the PTY master
  if (o_.tty) {
    auto created = TRY(runtime::create(ctx_, opts));
    out_ = std::move(created.pty_master);
    if (o_.open_stdin) in_ = UniqueFd(::fcntl(out_.get(), F_DUPFD_CLOEXEC, 3));
    init_ = std::move(created.init);
    return ok();
  }
  // The init inherits fds 0-2: point them at the container's pipes for the
  // clone, then back at /dev/null. Our diagnostics keep the real stderr.
  auto [out_r, out_w] = TRY(make_pipe());
  auto [err_r, err_w] = TRY(make_pipe());
  UniqueFd in_r, in_w;
  if (o_.open_stdin) std::tie(in_r, in_w) = TRY(make_pipe());
  auto devnull = TRY(open_file("/dev/null", O_RDWR | O_CLOEXEC));
  UniqueFd saved_err(::fcntl(2, F_DUPFD_CLOEXEC, 3));
  ::dup2(in_r ? in_r.get() : devnull.get(), 0);
  ::dup2(out_w.get(), 1);
  ::dup2(err_w.get(), 2);
  auto created = runtime::create(ctx_, opts);
  ::dup2(devnull.get(), 0);
  ::dup2(devnull.get(), 1);
  ::dup2(saved_err.get(), 2);
  if (!created) return tl::unexpected(created.error());
  init_ = std::move(created->init);
  out_ = std::move(out_r);
  err_ = std::move(err_r);
  in_ = std::move(in_w);
  return ok();
}

// Runs the exec process detached (it stays our child): its stdio are our
// pipes, or its PTY master arrives on a console socket of our own.
Result<pid_t> Monitor::start_exec() {
  auto text = TRY(read_file_at(dir_.get(), kProcessFile, 1u << 20));
  runtime::ExecOptions opts;
  opts.id = o_.id;
  opts.process = TRY(oci::parse_process(text));
  opts.detach = true;
  opts.pid_file = o_.dir + "/pid";
  UniqueFd console;
  if (opts.process.terminal) {
    console = UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!console) return sys_error("console socket");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    opts.console_socket = "/proc/self/fd/" + std::to_string(dir_.get()) + "/console.sock";
    std::memcpy(addr.sun_path, opts.console_socket.c_str(), opts.console_socket.size() + 1);
    ::unlinkat(dir_.get(), "console.sock", 0);
    if (::bind(console.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(console.get(), 1) != 0)
      return sys_error("console socket");
  }
  auto [out_r, out_w] = TRY(make_pipe());
  auto [err_r, err_w] = TRY(make_pipe());
  UniqueFd in_r, in_w;
  if (o_.open_stdin && !opts.process.terminal) std::tie(in_r, in_w) = TRY(make_pipe());
  auto devnull = TRY(open_file("/dev/null", O_RDWR | O_CLOEXEC));
  UniqueFd saved_err(::fcntl(2, F_DUPFD_CLOEXEC, 3));
  ::dup2(in_r ? in_r.get() : devnull.get(), 0);
  ::dup2(opts.process.terminal ? devnull.get() : out_w.get(), 1);
  ::dup2(opts.process.terminal ? devnull.get() : err_w.get(), 2);
  auto ran = runtime::exec(ctx_, opts);
  ::dup2(devnull.get(), 0);
  ::dup2(devnull.get(), 1);
  ::dup2(saved_err.get(), 2);
  ::unlinkat(dir_.get(), "console.sock", 0);
  if (!ran) return tl::unexpected(ran.error());
  auto pid_text = TRY(read_file(opts.pid_file, 64));
  init_ = TRY(OwnedPid::adopt(TRY(parse_int<pid_t>(trim(pid_text)))));
  if (console) {
    UniqueFd conn(::accept4(console.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn) return sys_error("accept console");
    out_ = TRY(sys::recv_fd(conn.get()));
    if (o_.open_stdin) in_ = UniqueFd(::fcntl(out_.get(), F_DUPFD_CLOEXEC, 3));
  } else {
    out_ = std::move(out_r);
    err_ = std::move(err_r);
    in_ = std::move(in_w);
  }
  return init_.pid();
}

Result<> Monitor::listen() {
  listen_ = UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!listen_) return sys_error("socket");
  ::unlinkat(dir_.get(), kSocketName, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string path = "/proc/self/fd/" + std::to_string(dir_.get()) + "/" + kSocketName;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::bind(listen_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return sys_error("bind monitor socket");
  if (::fchmodat(dir_.get(), kSocketName, 0600, 0) != 0) return sys_error("chmod monitor socket");
  if (::listen(listen_.get(), 16) != 0) return sys_error("listen");
  return ok();
}

Result<pid_t> Monitor::setup() {
  dir_ = TRY(open_file(o_.dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (exec_mode()) {
    ::unlinkat(dir_.get(), kExitFile, 0);
    TRY(listen());
    return 0;
  }
  log_fd_ = TRY(
      open_at(dir_.get(), log_file_name(o_.id), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
  log_ = LogWriter(log_fd_.get());
  ::unlinkat(dir_.get(), kExitFile, 0);
  TRY(listen());
  TRY_CTX(create_container(), "create container");
  return init_.pid();
}

void Monitor::accept_client() {
  for (;;) {
    UniqueFd fd(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!fd) return;
    auto c = std::make_unique<Client>();
    c->fd = std::move(fd);
    clients_.push_back(std::move(c));
  }
}

void reply(Client& c, const Result<std::string>& r) {
  std::string line =
      r ? (r->empty() ? "ok\n" : "ok " + *r + "\n") : "error " + r.error().to_string() + "\n";
  for (char& ch : line.substr(0, line.size() - 1))
    if (ch == '\n') ch = ' ';
  (void)write_all(c.fd.get(), line);
}

Result<std::string> resize(int fd, std::string_view h, std::string_view w) {
  if (fd < 0) return make_error(ErrorCategory::InvalidArgument, "container has no terminal");
  winsize ws{};
  ws.ws_row = TRY(parse_int<unsigned short>(h));
  ws.ws_col = TRY(parse_int<unsigned short>(w));
  if (::ioctl(fd, TIOCSWINSZ, &ws) != 0) return sys_error("resize");
  return std::string();
}

void Monitor::handle_command(Client& c, std::string_view cmd) {
  auto words = split(cmd, ' ');
  const std::string verb = words.empty() ? "" : words[0];
  if (verb == "exec" && words.size() == 4 && exec_mode() && !init_.valid() && !exit_) {
    auto pid = start_exec();
    if (!pid) {
      // dockerd's convention: 127 not found, 126 not runnable.
      exit_ = ExitStatus{exit_code_for_start_error(pid.error().to_string()), 0};
      out_.reset(), err_.reset(), in_.reset();
      reply(c, tl::unexpected(pid.error()));
      c.fd.reset();
      return;
    }
    c.attached = true;
    c.in = words[1] == "1", c.out = words[2] == "1", c.err = words[3] == "1";
    reply(c, std::to_string(*pid));
    return;
  }
  if (verb == "attach" && words.size() == 4) {
    c.attached = true;
    c.in = words[1] == "1", c.out = words[2] == "1", c.err = words[3] == "1";
    reply(c, std::string());
    return;
  }
  Result<std::string> r = make_error(ErrorCategory::InvalidArgument, "unknown command: " + verb);
  if (verb == "start") {
    r = runtime::start(ctx_, o_.id).map([] { return std::string(); });
  } else if (verb == "kill" && words.size() == 2 && exec_mode()) {
    auto sig = parse_int<int>(words[1]);
    r = !sig            ? Result<std::string>(tl::unexpected(sig.error()))
        : init_.valid() ? init_.signal(*sig).map([] { return std::string(); })
                        : Result<std::string>(
                              make_error(ErrorCategory::Conflict, "exec process is not running"));
  } else if (verb == "kill" && words.size() == 2) {
    auto sig = parse_int<int>(words[1]);
    r = sig ? runtime::kill(ctx_, o_.id, *sig, false).map([] { return std::string(); })
            : Result<std::string>(tl::unexpected(sig.error()));
  } else if (verb == "resize" && words.size() == 3) {
    r = resize(o_.tty && out_ ? out_.get() : -1, words[1], words[2]);
  } else if (verb == "ping") {
    r = std::to_string(init_.valid() ? init_.pid() : 0);
  }
  reply(c, r);
  c.fd.reset();  // one command per connection
}

void Monitor::read_client(Client& c) {
  char buf[8192];
  ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
  if (n < 0 && errno == EINTR) return;
  if (n <= 0) {
    c.read_closed = true;
    if (!c.attached) c.fd.reset();
    // stdin EOF from the client: the container sees EOF when it attached
    // with StdinOnce (docker run -i); output keeps flowing either way.
    if (c.attached && c.in && o_.stdin_once) in_.reset();
    return;
  }
  std::string_view data(buf, static_cast<size_t>(n));
  if (c.attached) {
    if (c.in && in_ && !write_all(in_.get(), data)) in_.reset();
    return;
  }
  c.line.append(data);
  size_t nl = c.line.find('\n');
  if (nl == std::string::npos) {
    if (c.line.size() > 4096) c.fd.reset();
    return;
  }
  std::string cmd = c.line.substr(0, nl);
  std::string rest = c.line.substr(nl + 1);
  c.line.clear();
  handle_command(c, cmd);
  if (c.attached && !rest.empty() && c.in && in_ && !write_all(in_.get(), rest)) in_.reset();
}

void Monitor::broadcast(int stream, std::string_view data) {
  for (auto& c : clients_) {
    if (!c->attached || !c->fd || !(stream == 2 ? c->err : c->out)) continue;
    bool sent;
    if (o_.tty) {
      sent = write_all(c->fd.get(), data).has_value();
    } else {
      char header[8] = {static_cast<char>(stream), 0, 0, 0};
      uint32_t size = static_cast<uint32_t>(data.size());
      for (int i = 0; i < 4; ++i) header[4 + i] = static_cast<char>((size >> (24 - 8 * i)) & 0xff);
      sent = write_all(c->fd.get(), std::string(header, 8) + std::string(data)).has_value();
    }
    if (!sent) c->fd.reset();
  }
}

void Monitor::read_output(UniqueFd& fd, int stream) {
  char buf[32768];
  ssize_t n = ::read(fd.get(), buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {  // EOF, or EIO from a PTY master whose last slave closed
    if (&fd == &out_ && in_ && o_.tty) in_.reset();
    fd.reset();
    return;
  }
  std::string_view data(buf, static_cast<size_t>(n));
  if (!exec_mode()) log_.add(stream, data, now());  // exec output is not logged, as in dockerd
  broadcast(stream, data);
}

void Monitor::reap() {
  auto status = init_.wait();
  exit_ = status ? *status : ExitStatus{255, 0};
}

void Monitor::loop() {
  std::vector<pollfd> fds;
  while (!(exit_ && !out_ && !err_)) {
    fds.clear();
    fds.push_back({listen_.get(), POLLIN, 0});
    fds.push_back({out_ ? out_.get() : -1, POLLIN, 0});
    fds.push_back({err_ ? err_.get() : -1, POLLIN, 0});
    fds.push_back({exit_ || !init_.valid() ? -1 : init_.pidfd(), POLLIN, 0});
    std::erase_if(clients_, [](const auto& c) { return !c->fd; });
    for (auto& c : clients_) fds.push_back({c->read_closed ? -1 : c->fd.get(), POLLIN, 0});
    // An exec session nobody starts (berthd died after spawning us) ends.
    bool idle = exec_mode() && !init_.valid() && !exit_;
    int ready = ::poll(fds.data(), fds.size(), idle ? 120000 : -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      diag("poll: " + std::string(std::strerror(errno)));
      return;
    }
    if (ready == 0 && idle) {
      exit_ = ExitStatus{126, 0};
      return;
    }
    if (fds[1].revents) read_output(out_, 1);
    if (fds[2].revents) read_output(err_, 2);
    if (fds[3].revents) reap();
    for (size_t i = 0; i < clients_.size(); ++i)
      if (fds[4 + i].revents && clients_[i]->fd) read_client(*clients_[i]);
    if (fds[0].revents) accept_client();
  }
}

// The exit is recorded, the attach streams end and berthd is told (the
// readiness pipe closes) before the runtime's cleanup (cgroup rmdirs, state
// dir), which is a few milliseconds `docker run --rm` need not wait for:
// berthd goes on early only for a container it removes right away, one
// whose id is never created again; for any other it waits for our exit.
void Monitor::finish() {
  if (!exec_mode()) log_.flush(now());
  ExitRecord rec{exit_ ? exit_->shell_code() : 255, now()};
  // Temp file + rename, so berthd reads the old record or the new one, but
  // no fsync: a crash of berthd or of this monitor loses nothing (the page
  // cache keeps it), and after a power loss the container is gone anyway
  // (berthd then records exit 255, as for a monitor that died). The fsync
  // was 2-7 ms of the exit path that `docker run --rm` waits for.
  if (auto r =
          write_file_atomic_at(dir_.get(), kExitFile, format_exit(rec), 0644, Durability::unsynced);
      !r)
    diag("exit file: " + r.error().to_string());
  ::unlinkat(dir_.get(), kSocketName, 0);
  clients_.clear();
  done_.reset();
  if (!exec_mode())
    if (auto r = runtime::remove(ctx_, o_.id, true); !r) diag("remove: " + r.error().to_string());
}

// The monitor outlives a hangup or ctrl-c of whoever started it, but with a
// handler, not SIG_IGN: ignored signals survive execve, so the container
// would start with SIGHUP/SIGINT/SIGPIPE ignored (and a shell cannot even
// trap a signal ignored on entry); a handler is reset to the default there.
void ignore_here(int) {}

}  // namespace

int run(const Options& options) {
  for (int s : {SIGPIPE, SIGHUP, SIGINT}) {
    struct sigaction sa {};
    sa.sa_handler = ignore_here;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(s, &sa, nullptr);
  }
  Monitor m(options);
  auto pid = m.setup();
  std::string ready = pid ? "ok " + std::to_string(::getpid()) + " " + std::to_string(*pid) + "\n"
                          : "error " + pid.error().to_string() + "\n";
  bool told = true;
  if (options.ready_fd >= 0) {
    told = write_all(options.ready_fd, ready).has_value();  // EPIPE: berthd is gone
    m.keep_ready_fd(options.ready_fd);
  }
  if (!pid) {
    diag(pid.error().to_string());
    return 1;
  }
  if (!told) {
    diag("berthd went away before the container started; removing it");
    m.abandon();
  }
  m.loop();
  m.finish();
  return 0;
}

}  // namespace berth::monitor
