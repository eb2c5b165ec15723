// A berthd-shaped API server on a temporary Unix socket: the real Docker
// routes over the real engine services, plus test routes that exercise
// the plumbing (streamed bodies, streams, hijack, slow and blocking calls).
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "api/client.hpp"
#include "api/docker_api.hpp"
#include "api/server.hpp"
#include "engine/events.hpp"
#include "engine/system_service.hpp"

namespace berth::api::testing {

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Test routes bound by SetUp.
  void add_test_routes(Router& router);
  Client connect();
  void stop_server();

  std::string dir_;
  std::string socket_;
  engine::EventBus events_;
  std::unique_ptr<engine::HostSystemService> system_;
  std::unique_ptr<Server> server_;
  std::atomic<int> body_reads_{0};
  std::shared_ptr<std::atomic<bool>> released_ = std::make_shared<std::atomic<bool>>(false);
};

// Sends raw bytes on a new connection and returns everything the server
// writes back until it closes the connection (or 5 s pass).
std::string raw_exchange(const std::string& socket, const std::string& bytes);

}  // namespace berth::api::testing
