// Docker's stats JSON (GET /containers/{id}/stats) from engine samples:
// the shape `docker stats` and docker-py read (cpu_stats and precpu_stats
// for the CPU %, memory_stats with memory.stat for the cache-less usage,
// pids_stats, blkio_stats).
#pragma once

#include <boost/json/fwd.hpp>
#include <string>

#include "engine/container_ops.hpp"

namespace berth::api {

// `pre` is the previous sample (all zero for the first of a stream).
boost::json::value stats_json(const engine::StatsSample& now, const engine::StatsSample& pre,
                              const std::string& name, const std::string& id);

}  // namespace berth::api
