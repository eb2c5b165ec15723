// stats: one sample per container (--no-stream), or docker's live table:
// a stats stream per container on its own connection and the table redrawn
// every 500 ms from the latest sample of each, until interrupted.
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include "base/strings.hpp"
#include "cli/command.hpp"
#include "cli/format.hpp"

namespace berth::cli {
namespace json = boost::json;
namespace {

double number(const json::value& v, std::initializer_list<const char*> path) {
  const json::value* cur = &v;
  for (const char* k : path) {
    if (!cur->is_object()) return 0;
    cur = cur->get_object().if_contains(k);
    if (!cur) return 0;
  }
  return cur->is_number() ? cur->to_number<double>() : 0;
}

json::object stats_row(const std::string& name, const json::value& s, bool trunc) {
  double cpu_delta = number(s, {"cpu_stats", "cpu_usage", "total_usage"}) -
                     number(s, {"precpu_stats", "cpu_usage", "total_usage"});
  double sys_delta = number(s, {"cpu_stats", "system_cpu_usage"}) - number(s, {"precpu_stats", "system_cpu_usage"});
  double cpus = number(s, {"cpu_stats", "online_cpus"});
  double cpu = sys_delta > 0 && cpu_delta > 0 ? cpu_delta / sys_delta * (cpus > 0 ? cpus : 1) * 100 : 0;
  double usage = number(s, {"memory_stats", "usage"});
  double cache = number(s, {"memory_stats", "stats", "total_inactive_file"});
  if (cache == 0) cache = number(s, {"memory_stats", "stats", "inactive_file"});
  double mem = usage - cache, limit = number(s, {"memory_stats", "limit"});
  double rx = 0, tx = 0;
  if (auto* nets = s.get_object().if_contains("networks"); nets && nets->is_object())
    for (const auto& kv : nets->get_object()) {
      rx += number(kv.value(), {"rx_bytes"});
      tx += number(kv.value(), {"tx_bytes"});
    }
  double rd = 0, wr = 0;
  if (auto* blk = s.get_object().if_contains("blkio_stats"); blk && blk->is_object())
    if (auto* io = blk->get_object().if_contains("io_service_bytes_recursive"); io && io->is_array())
      for (const auto& e : io->get_array()) {
        std::string op = to_lower(str_field(e, "op"));
        if (op == "read") rd += number(e, {"value"});
        if (op == "write") wr += number(e, {"value"});
      }
  char pct[32], mpct[32];
  std::snprintf(pct, sizeof pct, "%.2f%%", cpu);
  std::snprintf(mpct, sizeof mpct, "%.2f%%", limit > 0 ? mem / limit * 100 : 0);
  std::string id = str_field(s, "id");
  std::string n = str_field(s, "name");
  if (!n.empty() && n[0] == '/') n.erase(0, 1);
  return json::object{{"BlockIO", human_size(rd) + " / " + human_size(wr)},
                      {"CPUPerc", pct},
                      {"Container", name},
                      {"ID", trunc ? short_id(id) : id},
                      {"MemPerc", mpct},
                      {"MemUsage", bytes_size(mem) + " / " + bytes_size(limit)},
                      {"Name", n},
                      {"NetIO", human_size(rx) + " / " + human_size(tx)},
                      {"PIDs", std::to_string(static_cast<int64_t>(number(s, {"pids_stats", "current"})))}};
}

const char* const kDefaultFormat =
    "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

Result<std::string> render(const Args& args, const std::vector<json::value>& rows) {
  return render_rows(args.get("format"), kDefaultFormat, rows,
                     {{"ID", "CONTAINER ID"}, {"Name", "NAME"}, {"CPUPerc", "CPU %"}, {"MemUsage", "MEM USAGE / LIMIT"},
                      {"MemPerc", "MEM %"}, {"NetIO", "NET I/O"}, {"BlockIO", "BLOCK I/O"}, {"PIDs", "PIDS"},
                      {"Container", "CONTAINER"}});
}

// The containers to show when none are named: running ones (or all).
Result<std::vector<std::string>> listed(Context& ctx, bool all) {
  auto list = TRY(ctx.get_json(all ? "/containers/json?all=1" : "/containers/json"));
  std::vector<std::string> ids;
  for (const auto& c : list.get_array()) ids.push_back(short_id(str_field(c, "Id")));
  return ids;
}

// One container's latest sample, written by its stream thread.
struct Entry {
  std::string name;
  json::object row;
  bool sampled = false;
  bool done = false;
};

struct Board {
  std::mutex mu;
  std::vector<std::shared_ptr<Entry>> entries;  // in the order they were added
};

// Reads the container's stats stream (one JSON document per line) on a new
// connection until it ends; the thread is detached, the process exit ends it.
void follow(std::shared_ptr<Board> board, std::shared_ptr<Entry> entry, Context& ctx, bool trunc) {
  auto client = ctx.connect_again();
  std::string path = ctx.versioned("/containers/" + entry->name + "/stats?stream=1");
  std::thread([board, entry, trunc, path, client = std::make_shared<Result<api::Client>>(std::move(client))] {
    std::string pending;
    if (*client)
      (void)(*client)->stream("GET", path, [&](std::string_view piece) {
        pending.append(piece);
        for (size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1)) {
          boost::system::error_code ec;
          auto v = json::parse(std::string_view(pending).substr(0, nl), ec);
          if (ec || !v.is_object()) continue;
          std::lock_guard lock(board->mu);
          entry->row = stats_row(entry->name, v, trunc);
          entry->sampled = true;
        }
        return true;
      });
    std::lock_guard lock(board->mu);
    entry->done = true;
  }).detach();
}

Result<int> stream_stats(Context& ctx, const Args& args) {
  bool all = flag_true(args, "all"), trunc = !flag_true(args, "no-trunc");
  bool named = !args.positional.empty();
  for (const auto& n : args.positional) TRY(ctx.get_json("/containers/" + n + "/json"));
  auto board = std::make_shared<Board>();
  auto add_new = [&](const std::vector<std::string>& names) {
    for (const auto& n : names) {
      std::lock_guard lock(board->mu);
      bool known = false;
      for (const auto& e : board->entries) known = known || (e->name == n && !e->done);
      if (known) continue;
      auto e = std::make_shared<Entry>();
      e->name = n;
      board->entries.push_back(e);
      follow(board, e, ctx, trunc);
    }
  };
  add_new(named ? args.positional : TRY(listed(ctx, all)));
  // Like docker, wait (briefly) for a first sample of each before drawing.
  auto ready = [&] {
    std::lock_guard lock(board->mu);
    return std::all_of(board->entries.begin(), board->entries.end(),
                       [](const auto& e) { return e->sampled || e->done; });
  };
  for (int i = 0; i < 60 && !ready(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  for (int tick = 0;; ++tick) {
    std::vector<json::value> rows;
    {
      std::lock_guard lock(board->mu);
      // Unnamed: a container whose stream ended (it stopped) leaves the table.
      if (!named && !all)
        std::erase_if(board->entries, [](const auto& e) { return e->done; });
      for (const auto& e : board->entries)
        if (e->sampled) rows.push_back(e->row);
    }
    // Redrawn in place: home, each line cleared to its end, the rest of
    // the screen cleared (the table may have shrunk); one write per frame.
    std::string frame = "\033[H";
    for (const auto& line : split(TRY(render(args, rows)), '\n')) frame += line + " \033[K\n";
    out(frame + "\033[J");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    if (!named && tick % 4 == 3) add_new(TRY(listed(ctx, all)));  // new containers, every 2 s
  }
  return 0;
}

Result<int> stats_cmd(Context& ctx, const Args& args) {
  if (!flag_true(args, "no-stream")) return stream_stats(ctx, args);
  std::vector<std::string> names = args.positional;
  if (names.empty()) names = TRY(listed(ctx, flag_true(args, "all")));
  std::vector<json::value> rows;
  for (const auto& n : names) {
    auto s = TRY(ctx.get_json("/containers/" + n + "/stats?stream=0"));
    rows.push_back(stats_row(n, s, !flag_true(args, "no-trunc")));
  }
  out(TRY(render(args, rows)));
  return 0;
}

}  // namespace

Command stats_command() {
  return {"stats", {"container stats"}, "[OPTIONS] [CONTAINER...]",
          "Display a live stream of container(s) resource usage statistics",
          {bool_flag('a', "all", "Show all containers (default shows just running)"),
           value_flag(0, "format", "string", "Format output using a custom template"),
           bool_flag(0, "no-stream", "Disable streaming stats and only pull the first result"),
           bool_flag(0, "no-trunc", "Do not truncate output")},
          0, -1, false, 1, stats_cmd};
}

}  // namespace berth::cli
