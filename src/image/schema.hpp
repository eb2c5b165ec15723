// The image component's tables in berth.db, as versioned migrations.
#pragma once

#include <memory>

#include "store/db.hpp"

namespace berth::image {

// Applies the image schema (images, layers, blob references, refs,
// leases) to `db`; idempotent.
Result<> migrate_schema(store::Db& db);

}  // namespace berth::image
