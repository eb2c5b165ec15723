// Registry routes (pull, push, login); see registry_routes.cpp.
#pragma once

#include "api/exchange.hpp"
#include "api/router.hpp"
#include "engine/image_service.hpp"

namespace berth::api {

// POST /images/create?fromImage=&tag=[&platform=] with X-Registry-Auth.
Task<Result<>> pull_image(Exchange& ex, engine::ImageService& images);
// POST /images/{name}/push, POST /auth and POST /berth/images/bootstrap.
Result<> add_registry_routes(Router& router, engine::ImageService& images);

}  // namespace berth::api
