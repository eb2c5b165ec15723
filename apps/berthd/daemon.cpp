#include "daemon.hpp"

#include <unistd.h>

#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <set>

#include "api/docker_api.hpp"
#include "api/server.hpp"
#include "base/file.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "engine/container_network.hpp"
#include "engine/container_service.hpp"
#include "engine/image_stores.hpp"
#include "engine/local_image_service.hpp"
#include "engine/system_service.hpp"
#include "engine/volume_service.hpp"
#include "pidfile.hpp"

namespace berth::berthd {
namespace {

std::string home_dir() {
  const char* home = std::getenv("HOME");
  return home ? home : "";
}

Result<> configure_logging(const engine::DaemonConfig& config) {
  auto level = config.debug ? log::Level::Debug : TRY(log::parse_level(config.log_level));
  auto format = TRY(log::parse_format(config.log_format));
  log::configure(level, format);
  return ok();
}

// SIGHUP: re-read the config files, apply what can change at run time (the
// log level), and tell `docker events` watchers, as dockerd does.
void reload(const CommandLine& cl, engine::EventBus& events, const std::string& daemon_id) {
  auto config = engine::load_daemon_config(cl.flags, cl.config_file, home_dir(), engine::process_env());
  if (!config) {
    log::error("reload failed; keeping the running configuration", {{"error", config.error()}});
    return;
  }
  if (auto r = configure_logging(*config); !r) log::error("reload: logging", {{"error", r.error()}});
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  events.publish({"daemon", "reload", daemon_id,
                  {{"name", host},
                   {"debug", config->debug ? "true" : "false"},
                   {"log-level", config->log_level},
                   {"labels", "[" + join(config->labels, ",") + "]"},
                   {"registry-mirrors", "[" + join(config->registry_mirrors, ",") + "]"},
                   {"insecure-registries", "[" + join(config->insecure_registries, ",") + "]"}},
                  "local", 0});
  log::info("configuration reloaded");
}

api::ServerOptions server_options(const engine::DaemonConfig& config) {
  api::ServerOptions options;
  options.threads = static_cast<size_t>(config.api_threads);
  options.socket_group = config.group;
  options.shutdown_grace = std::chrono::seconds(config.shutdown_timeout);
  return options;
}

}  // namespace

Result<> run_daemon(const engine::DaemonConfig& config, const CommandLine& cl) {
  TRY(configure_logging(config));
  log::info("berthd starting", {{"version", BERTH_VERSION},
                                {"config", config.sources.empty() ? "defaults" : join(config.sources, ",")},
                                {"data-root", config.data_root}});
  std::signal(SIGPIPE, SIG_IGN);
  TRY(make_dirs(config.data_root, 0711));
  TRY(make_dirs(config.exec_root, 0700));
  auto pidfile = TRY(PidFile::create(config.pidfile));

  engine::EventBus events;
  auto system = TRY(engine::HostSystemService::create(config, events));
  // One set of image stores for the data root, shared by every service.
  auto stores = TRY_CTX(engine::open_image_stores(config.data_root, config.storage_driver),
                        "open image stores");
  engine::LocalImageService images(stores, events, config.storage_driver);
  engine::RegistrySettings registry_settings;
  registry_settings.mirrors = config.registry_mirrors;
  registry_settings.insecure_registries = config.insecure_registries;
  images.set_registry_settings(std::move(registry_settings));
  system->attach(static_cast<const engine::ImageInventory*>(&images));
  api::Services services{system.get(), &events};
  services.images = &images;
  // Containers: re-adopts the ones that kept running while we were down.
  auto networking = TRY(engine::open_container_networking(config.data_root, config.bridge, config.bip));
  engine::ContainerServiceOptions container_options{config.data_root, config.exec_root, "", &stores, &events};
  container_options.network = networking.get();
  auto volumes = TRY_CTX(engine::LocalVolumeService::open(stores.db, config.data_root), "open volumes");
  volumes->set_events(&events);
  container_options.volumes = volumes.get();
  services.volumes = volumes.get();
  system->attach(static_cast<const engine::VolumeInventory*>(volumes.get()));
  auto containers = TRY_CTX(engine::HostContainerService::open(container_options), "open containers");
  if (networking) {
    networking->set_containers(containers.get());
    networking->set_events(&events);
  }
  services.networks = networking.get();
  if (!networking) {  // --bridge none: host and none still answer /networks
    TRY(make_dirs(config.data_root + "/network", 0700));
    services.predefined_networks =
        TRY(engine::load_predefined_networks(config.data_root + "/network/predefined.json"));
  }
  system->attach(static_cast<const engine::ContainerInventory*>(containers.get()));
  services.containers = containers.get();
  services.container_ops = containers.get();
  // Images used by containers cannot be deleted (running: not even forced).
  images.set_use_checker([c = containers.get()](const std::string& image_id) {
    bool running = false;
    std::string first;
    bool used = c->image_used(image_id, &running, &first);
    return image::ImageUse{running, used && !running, first};
  });
  services.storage_driver = config.storage_driver;
  api::Server server(TRY(api::docker_router(services)), server_options(config));
  std::set<std::string> listening;
  for (const auto& host : config.hosts)
    if (listening.insert(host).second) TRY(server.listen(host));

  boost::asio::signal_set signals(server.context(), SIGTERM, SIGINT, SIGHUP);
  std::function<void()> arm = [&] {
    signals.async_wait([&](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      if (signo == SIGHUP) {
        reload(cl, events, system->id());
        arm();
        return;
      }
      log::info("berthd: shutting down", {{"signal", signo}});
      server.shutdown();
    });
  };
  arm();
  server.start();
  log::info("berthd ready", {{"pid", static_cast<int64_t>(::getpid())}});
  server.wait();
  log::info("berthd stopped");
  return ok();
}

}  // namespace berth::berthd
