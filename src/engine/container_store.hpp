// Container rows in the data root's SQLite database (component
// "containers"). The state is one JSON column, rewritten whole on every
// change, so a crash leaves either the old or the new state.
#pragma once

#include <string>
#include <vector>

#include "base/error.hpp"
#include "engine/container.hpp"
#include "store/db.hpp"

namespace berth::engine {

Result<> migrate_containers(store::Db& db);
Result<> insert_container(store::Db& db, const Container& c);
Result<> save_container_state(store::Db& db, const Container& c);
Result<> delete_container(store::Db& db, const std::string& id);
// After `docker update`: the HostConfig document.
Result<> save_container_host_config(store::Db& db, const Container& c);
// Rows only: dir, log_path and the flags derived from the JSON are left
// for the caller to fill.
Result<std::vector<Container>> load_containers(store::Db& db);

std::string state_to_json(const ContainerState& s);
Result<ContainerState> state_from_json(std::string_view text);

}  // namespace berth::engine
