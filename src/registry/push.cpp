#include "registry/push.hpp"

#include <fmt/format.h>

#include <chrono>

#include "oci/image_reference.hpp"

namespace berth::registry {

namespace {

using Clock = std::chrono::steady_clock;

struct Pusher {
  image::Context& ctx;
  Client& client;
  std::string repo;
  std::vector<std::string> mount_sources;  // other repos of this registry holding the image
  ProgressFn progress;
  PushResult result;

  void emit(const std::string& id, const std::string& status, int64_t cur = -1, int64_t total = -1) {
    if (progress) progress({id, status, cur, total, true, "", ""});
  }

  Result<> blob(const std::string& digest, bool show) {
    std::string id = show ? short_id(digest) : "";
    if (TRY(client.blob_exists(repo, digest))) {
      ++result.existing;
      if (show) emit(id, "Layer already exists");
      return ok();
    }
    std::string location;
    for (const auto& from : mount_sources) {
      auto m = TRY(client.mount_blob(repo, digest, from));
      if (m.mounted) {
        ++result.mounted;
        if (show) emit(id, "Mounted from " + from);
        return ok();
      }
      location = m.upload_location;
      break;  // the registry started an upload instead: use it
    }
    auto fd = TRY(ctx.content.open_blob(digest));
    auto size = TRY(ctx.content.size(digest));
    Clock::time_point last{};
    auto on_progress = [&](int64_t cur) {
      auto now = Clock::now();
      if (!show || (cur < size && now - last < std::chrono::milliseconds(100))) return;
      last = now;
      emit(id, "Pushing", cur, size);
    };
    if (show) emit(id, "Pushing", 0, size);
    TRY_CTX(client.upload_blob(repo, digest, fd.get(), size, on_progress, location), "upload " + digest);
    ++result.uploaded;
    if (show) emit(id, "Pushed");
    return ok();
  }
};

}  // namespace

Result<PushResult> push(image::Context& ctx, const std::string& source, const std::string& target,
                        const PushOptions& options, const ProgressFn& progress) {
  auto image = TRY(ctx.images.resolve(source));
  auto ref = TRY(oci::parse_reference(target.empty() ? source : target));
  if (!ref.digest.empty()) return make_error(ErrorCategory::InvalidArgument, "cannot push to a digest reference");
  auto client = TRY(Client::connect(ref.domain, options.client));
  Pusher p{ctx, *client, ref.path, {}, progress, {}};
  for (const auto& names : {image.repo_tags, image.repo_digests})
    for (const auto& n : names) {
      auto other = oci::parse_reference(n);
      if (other && other->domain == ref.domain && other->path != ref.path &&
          std::find(p.mount_sources.begin(), p.mount_sources.end(), other->path) == p.mount_sources.end())
        p.mount_sources.push_back(other->path);
    }
  if (progress) progress({"", "The push refers to repository [" + ref.familiar_name() + "]", -1, -1, false, "", ""});
  // Docker lists layers top first.
  for (auto it = image.layers.rbegin(); it != image.layers.rend(); ++it) p.emit(short_id(it->digest), "Preparing");
  for (auto it = image.layers.rbegin(); it != image.layers.rend(); ++it) TRY(p.blob(it->digest, true));
  TRY(p.blob(image.id, false));
  auto bytes = TRY(ctx.content.read(image.manifest_digest));
  p.result.digest = TRY(client->put_manifest(ref.path, ref.tag, bytes, image.manifest_media_type));
  p.result.size = static_cast<int64_t>(bytes.size());
  if (p.result.digest != image.manifest_digest)
    return make_error(ErrorCategory::Internal, "stored manifest digest changed: " + p.result.digest);
  TRY(ctx.images.add_digest_ref(image.id, ref.name() + "@" + p.result.digest));
  if (progress) {
    progress({"", fmt::format("{}: digest: {} size: {}", ref.tag, p.result.digest, p.result.size), -1, -1,
              false, "", ""});
    progress({"", "", -1, -1, false, "",
              fmt::format(R"({{"Tag":"{}","Digest":"{}","Size":{}}})", ref.tag, p.result.digest, p.result.size)});
  }
  return p.result;
}

}  // namespace berth::registry
