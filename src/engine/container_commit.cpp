// HostContainerService: POST /commit. The container's snapshot is diffed
// into a new layer on its image (image::commit_snapshot through the image
// service), with the container's Config, overridden by the request's, as
// the image's config, as dockerd commits. A running container is frozen
// meanwhile unless pause=0; the events are dockerd's: pause, (image tag),
// commit, unpause.
#include <boost/json.hpp>

#include "base/scope_guard.hpp"
#include "base/strings.hpp"
#include "engine/container_entry.hpp"
#include "engine/container_service.hpp"
#include "engine/image_service.hpp"
#include "oci/image_reference.hpp"

namespace berth::engine {
namespace {

namespace json = boost::json;

std::string env_key(std::string_view kv) { return std::string(kv.substr(0, kv.find('='))); }

bool empty_value(const json::value& v) {
  return v.is_null() || (v.is_string() && v.as_string().empty()) || (v.is_array() && v.as_array().empty()) ||
         (v.is_object() && v.as_object().empty()) || (v.is_bool() && !v.as_bool());
}

// dockerd's merge: set fields of the request win; Env entries replace the
// container's of the same name; Labels, ExposedPorts and Volumes add up.
Result<std::string> commit_config(const std::string& container_config, const std::string& body) {
  boost::system::error_code ec;
  auto base = json::parse(container_config, ec);
  if (ec || !base.is_object()) return make_error(ErrorCategory::Internal, "corrupt container config");
  auto& out = base.as_object();
  std::string_view text = trim(body);
  if (text.empty() || text == "null") return json::serialize(out);
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return make_error(ErrorCategory::InvalidArgument, "invalid JSON: commit config must be a JSON object");
  for (const auto& [key, value] : v.as_object()) {
    if (empty_value(value)) continue;
    auto* mine = out.if_contains(key);
    if (key == "Env" && value.is_array() && mine && mine->is_array()) {
      auto env = mine->as_array();
      for (const auto& e : value.as_array()) {
        if (!e.is_string()) continue;
        auto k = env_key(e.as_string());
        auto it = std::find_if(env.begin(), env.end(),
                               [&](const json::value& x) { return x.is_string() && env_key(x.as_string()) == k; });
        if (it != env.end()) *it = e; else env.push_back(e);
      }
      out["Env"] = std::move(env);
    } else if ((key == "Labels" || key == "ExposedPorts" || key == "Volumes") && value.is_object() && mine &&
               mine->is_object()) {
      auto merged = mine->as_object();
      for (const auto& [k, x] : value.as_object()) merged[k] = x;
      out[key] = std::move(merged);
    } else {
      out[key] = value;
    }
  }
  return json::serialize(out);
}

}  // namespace

Result<std::string> HostContainerService::commit(const std::string& ref, const CommitParams& p, ImageService& images) {
  auto e = TRY(find(ref));
  Container c;
  {
    std::lock_guard lock(mu_);
    c = e->c;
  }
  ImageCommitRequest request;
  request.snapshot_key = snapshot_key(c.id);
  request.parent_image = c.image_id;
  request.author = p.author;
  request.message = p.comment;
  request.created_by = c.path + (c.args.empty() ? "" : " " + join(c.args, " "));
  request.changes = p.changes;
  request.reference = p.repo.empty() || p.tag.empty() ? p.repo : p.repo + ":" + p.tag;
  request.container_config = TRY(commit_config(c.config, p.config));
  request.container_id = c.id;
  request.own_config = c.config;
  request.docker_version = BERTH_VERSION;
  bool paused_here = false;
  if (p.pause && c.state.running() && !c.state.paused) {
    TRY(pause(c.id));
    paused_here = true;
  }
  auto thaw = ScopeGuard([&] {
    if (paused_here) (void)unpause(c.id);
  });
  auto id = TRY(images.commit(request));
  std::string familiar = request.reference;  // dockerd's imageRef: "snap:1", not docker.io/library/snap:1
  if (auto r = oci::parse_reference(request.reference); r && !request.reference.empty()) familiar = r->familiar();
  publish(c, "commit", {{"comment", p.comment}, {"imageID", id}, {"imageRef", familiar}});
  return id;
}

}  // namespace berth::engine
