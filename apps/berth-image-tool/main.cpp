// berth-image-tool --root DIR [--snapshotter NAME] COMMAND ...
// Parses the command line and calls into src/image and src/snapshot.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "engine/image_stores.hpp"
#include "image/apply.hpp"
#include "image/changes.hpp"
#include "image/create.hpp"
#include "image/docker_archive.hpp"
#include "image/gc.hpp"
#include "image/oci_layout.hpp"
#include "image/unpack.hpp"
#include "oci/image_reference.hpp"
#include "registry/pull.hpp"
#include "registry/push.hpp"
#include "snapshot/mount.hpp"
#include "snapshot/snapshotter.hpp"

using namespace berth;

namespace {

using Stores = engine::ImageStores;

Result<Stores> open_stores(const std::string& root, const std::string& driver, bool need_snapshots) {
  return engine::open_image_stores(root, need_snapshots ? driver : "");
}

Result<UniqueFd> input(const std::string& path) {
  if (path.empty() || path == "-") return UniqueFd(::dup(0));
  return open_file(path, O_RDONLY);
}

Result<UniqueFd> output(const std::string& path) {
  if (path.empty() || path == "-") return UniqueFd(::dup(1));
  return open_file(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
}

void print_load(const image::LoadResult& r) {
  for (const auto& t : r.tags) std::printf("Loaded image: %s\n", t.c_str());
  for (const auto& id : r.image_ids) std::printf("Loaded image ID: %s\n", id.c_str());
}

// Registry progress: JSON lines (dockerd's stream) or short text lines.
registry::ProgressFn printer(bool json) {
  return [json](const registry::ProgressEvent& e) {
    if (json) {
      std::printf("%s\n", registry::to_json_message(e).c_str());
    } else if (e.status != "Downloading" && e.status != "Pushing" && !e.status.empty()) {
      std::printf("%s%s%s\n", e.id.c_str(), e.id.empty() ? "" : ": ", e.status.c_str());
    }
    std::fflush(stdout);
  };
}

Result<registry::ClientOptions> client_options(const std::vector<std::string>& insecure, const std::string& user,
                                               int concurrency, int64_t chunk) {
  registry::ClientOptions o;
  o.insecure_registries = insecure;
  o.max_concurrent_downloads = concurrency;
  o.chunk_size = chunk;
  if (!user.empty()) {
    auto [u, p, found] = split_once(user, ':');
    o.credentials = registry::Credentials{std::string(u), std::string(p), ""};
  }
  return o;
}

int fail(const Error& e) {
  std::fprintf(stderr, "berth-image-tool: %s\n", e.to_string().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"berth image store tool"};
  app.require_subcommand(1);
  std::string root = "/var/lib/berth", driver = "overlayfs";
  app.add_option("--root", root, "data root");
  app.add_option("--snapshotter", driver, "overlayfs, btrfs or copy");

  std::string in, out, dir, name, key, parent, message, author, tag;
  std::vector<std::string> names, changes;
  bool force = false, allow_devices = false;

  auto* load = app.add_subcommand("load", "load a docker save archive");
  load->add_option("-i,--input", in);
  auto* save = app.add_subcommand("save", "write a docker save archive");
  save->add_option("-o,--output", out);
  save->add_option("names", names)->required();
  auto* load_oci = app.add_subcommand("load-oci", "load an OCI layout directory");
  load_oci->add_option("dir", dir)->required();
  load_oci->add_option("--name", name, "repository for bare-tag ref.name annotations");
  auto* save_oci = app.add_subcommand("save-oci", "write an OCI layout directory");
  save_oci->add_option("dir", dir)->required();
  save_oci->add_option("names", names)->required();
  auto* import = app.add_subcommand("import", "import a rootfs tarball");
  import->add_option("-c,--change", changes)->allow_extra_args(false);
  import->add_option("-m,--message", message);
  import->add_option("file", in)->required();
  import->add_option("tag", tag);
  auto* images = app.add_subcommand("images", "list images");
  auto* inspect = app.add_subcommand("inspect", "show an image");
  inspect->add_option("name", name)->required();
  auto* tag_cmd = app.add_subcommand("tag", "tag an image");
  tag_cmd->add_option("source", name)->required();
  tag_cmd->add_option("target", tag)->required();
  auto* rmi = app.add_subcommand("rmi", "remove images");
  rmi->add_flag("-f,--force", force);
  rmi->add_option("names", names)->required();
  auto* unpack = app.add_subcommand("unpack", "unpack an image into snapshots");
  unpack->add_option("name", name)->required();
  unpack->add_flag("--allow-devices", allow_devices);
  auto* prepare = app.add_subcommand("prepare", "create an active snapshot; prints its mounts");
  prepare->add_option("key", key)->required();
  prepare->add_option("parent", parent);
  int repeat = 1;
  prepare->add_option("--repeat", repeat, "prepare KEY-0..KEY-N-1 in one process (timing)");
  auto* mount = app.add_subcommand("mount", "mount a snapshot");
  mount->add_option("key", key)->required();
  mount->add_option("target", dir)->required();
  auto* diff = app.add_subcommand("diff", "list changes of an active snapshot");
  diff->add_option("key", key)->required();
  auto* commit = app.add_subcommand("commit", "commit an active snapshot as an image");
  commit->add_option("key", key)->required();
  commit->add_option("tag", tag);
  commit->add_option("--parent", parent);
  commit->add_option("-a,--author", author);
  commit->add_option("-m,--message", message);
  commit->add_option("-c,--change", changes)->allow_extra_args(false);
  auto* rm = app.add_subcommand("rm-snapshot", "remove a snapshot");
  rm->add_option("key", key)->required();
  auto* snapshots = app.add_subcommand("snapshots", "list snapshots");
  auto* gc = app.add_subcommand("gc", "remove unused blobs and snapshots");
  auto* apply = app.add_subcommand("apply", "apply a layer tar into a directory (no store)");
  apply->add_option("dir", dir)->required();
  apply->add_option("file", in)->required();
  apply->add_flag("--allow-devices", allow_devices);
  unsigned threads = 0;
  apply->add_option("--threads", threads, "file-writing threads (0: one per CPU, 1: inline)");
  std::vector<std::string> insecure;
  std::string user, platform, target;
  bool json = false, do_unpack = false;
  int concurrency = 3;
  int64_t chunk = 0;
  auto* pull = app.add_subcommand("pull", "pull an image from a registry");
  pull->add_option("name", name)->required();
  pull->add_option("--platform", platform, "os/arch[/variant]");
  pull->add_flag("--unpack", do_unpack, "also extract the layers into the snapshotter");
  pull->add_option("--max-concurrent-downloads", concurrency);
  pull->add_flag("--allow-devices", allow_devices, "create device nodes when unpacking");
  auto* push = app.add_subcommand("push", "push an image to a registry");
  push->add_option("name", name)->required();
  push->add_option("target", target, "push under this reference instead");
  push->add_option("--chunk-size", chunk, "upload in PATCH chunks of this many bytes");
  for (auto* c : {pull, push}) {
    c->add_option("--insecure-registry", insecure, "allow plain HTTP for this host");
    c->add_option("-u,--user", user, "user:password (else ~/.docker/config.json)");
    c->add_flag("--json", json, "print dockerd's JSON progress stream");
  }
  CLI11_PARSE(app, argc, argv);

  auto run = [&]() -> Result<> {
    if (apply->parsed()) {
      auto rootfd = TRY(open_file(dir, O_RDONLY | O_DIRECTORY));
      auto layer = TRY(input(in));
      image::ApplyOptions opt;
      opt.allow_devices = allow_devices;
      opt.threads = threads;
      auto t0 = std::chrono::steady_clock::now();
      auto r = TRY(image::apply_layer(rootfd.get(), layer.get(), opt));
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      std::printf("%s entries=%llu bytes=%llu ms=%.1f\n", r.diff_id.c_str(),
                  static_cast<unsigned long long>(r.entries), static_cast<unsigned long long>(r.size), ms);
      return ok();
    }
    bool snaps = (pull->parsed() && do_unpack) || unpack->parsed() || prepare->parsed() || mount->parsed() || diff->parsed() ||
                 commit->parsed() || rm->parsed() || snapshots->parsed() || gc->parsed();
    auto s = TRY(open_stores(root, driver, snaps));
    auto ctx = s.context();
    if (pull->parsed()) {
      registry::PullOptions opt;
      opt.client = TRY(client_options(insecure, user, concurrency, 0));
      if (!platform.empty()) opt.platform = TRY(registry::parse_platform(platform));
      opt.snapshots = s.snapshots.get();
      opt.unpack.allow_devices = allow_devices;
      auto r = TRY(registry::pull(ctx, name, opt, printer(json)));
      if (!json) std::printf("%s\n", r.image.id.c_str());
    } else if (push->parsed()) {
      registry::PushOptions opt;
      opt.client = TRY(client_options(insecure, user, concurrency, chunk));
      auto r = TRY(registry::push(ctx, name, target, opt, printer(json)));
      if (!json) std::printf("%s uploaded=%d mounted=%d existing=%d\n", r.digest.c_str(), r.uploaded, r.mounted, r.existing);
    } else if (load->parsed()) {
      auto fd = TRY(input(in));
      print_load(TRY(image::load_docker_archive(ctx, fd.get())));
    } else if (save->parsed()) {
      auto fd = TRY(output(out));
      TRY(image::save_docker_archive(ctx, names, fd.get()));
    } else if (load_oci->parsed()) {
      print_load(TRY(image::load_oci_layout(ctx, dir, name)));
    } else if (save_oci->parsed()) {
      TRY(image::save_oci_layout(ctx, names, dir));
    } else if (import->parsed()) {
      auto fd = TRY(input(in));
      image::ImportOptions opt{changes, message, in, tag};
      std::printf("%s\n", TRY(image::import_rootfs(ctx, fd.get(), opt)).id.c_str());
    } else if (images->parsed()) {
      for (const auto& img : TRY(s.images->list())) {
        std::string tags;
        for (const auto& t : img.repo_tags) tags += (tags.empty() ? "" : ",") + TRY(oci::parse_reference(t)).familiar();
        std::printf("%s %s %lld\n", img.id.c_str(), tags.empty() ? "<none>" : tags.c_str(),
                    static_cast<long long>(img.size));
      }
    } else if (inspect->parsed()) {
      auto img = TRY(s.images->resolve(name));
      std::printf("id %s\nmanifest %s %s\n", img.id.c_str(), img.manifest_digest.c_str(),
                  img.manifest_media_type.c_str());
      for (const auto& t : img.repo_tags) std::printf("tag %s\n", t.c_str());
      for (const auto& l : img.layers)
        std::printf("layer %s %s diff_id=%s chain_id=%s\n", l.digest.c_str(), l.media_type.c_str(),
                    l.diff_id.c_str(), l.chain_id.c_str());
    } else if (tag_cmd->parsed()) {
      TRY(s.images->tag(TRY(s.images->resolve(name)).id, tag));
    } else if (rmi->parsed()) {
      for (const auto& n : names)
        for (const auto& item : TRY(s.images->remove(n, force, {}))) {
          if (!item.untagged.empty()) std::printf("Untagged: %s\n", item.untagged.c_str());
          if (!item.deleted.empty()) std::printf("Deleted: %s\n", item.deleted.c_str());
        }
    } else if (unpack->parsed()) {
      image::UnpackOptions opt;
      opt.allow_devices = allow_devices;
      std::printf("%s\n", TRY(image::unpack(*s.images, *s.snapshots, TRY(s.images->resolve(name)), opt)).c_str());
    } else if (prepare->parsed()) {
      for (int i = 0; i < repeat; ++i) {
        std::string k = repeat > 1 ? key + "-" + std::to_string(i) : key;
        auto t0 = std::chrono::steady_clock::now();
        auto mounts = TRY(s.snapshots->prepare(k, parent));
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        for (const auto& m : mounts)
          std::printf("%s %s options=%zu\n", m.type.c_str(), m.source.c_str(), m.options.size());
        std::printf("dir %s\nprepare_ms %.3f\n", TRY(s.snapshots->apply_dir(k)).c_str(), ms);
      }
    } else if (mount->parsed()) {
      TRY(snapshot::mount_all(TRY(s.snapshots->mounts(key)), dir));
    } else if (diff->parsed()) {
      for (const auto& c : TRY(image::compute_changes(TRY(s.snapshots->diff_source(key)))))
        std::printf("%c %s\n", image::change_letter(c.kind), c.path.c_str());
    } else if (commit->parsed()) {
      image::CommitOptions opt{parent, author, message, "", changes, tag, "", "", "", ""};
      std::printf("%s\n", TRY(image::commit_snapshot(ctx, *s.snapshots, key, opt)).id.c_str());
    } else if (rm->parsed()) {
      TRY(s.snapshots->remove(key));
    } else if (snapshots->parsed()) {
      TRY(s.snapshots->walk([](const snapshot::Info& i) -> Result<> {
        std::printf("%s %s %s\n", i.key.c_str(), std::string(snapshot::kind_name(i.kind)).c_str(),
                    i.parent.empty() ? "-" : i.parent.c_str());
        return ok();
      }));
    } else if (gc->parsed()) {
      auto r = TRY(image::collect_garbage(*s.images, *s.leases, s.snapshots.get()));
      std::printf("removed %zu blobs, %zu snapshots\n", r.blobs.size(), r.snapshots.size());
    }
    return ok();
  };
  auto r = run();
  return r ? 0 : fail(r.error());
}
