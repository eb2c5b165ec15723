// The hostile-layer corpus: one tar per attack class, built here, applied
// with both whiteout styles. Each case proves the host canaries beside the
// layer root are untouched and, where the entry is refused, that the
// error names it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <functional>
#include <optional>

#include "base/file.hpp"
#include "image/apply.hpp"
#include "support/root.hpp"
#include "support/tar_builder.hpp"
#include "support/temp_dir.hpp"

namespace berth::image {
namespace {

using berth::test::TarBuilder;
using snapshot::WhiteoutStyle;

struct Case {
  std::string name;
  // Builds the layers; `host` is the absolute path of the canary dir.
  std::function<std::vector<std::string>(const std::string& host)> layers;
  std::string error;  // substring of the expected error ("" = must succeed)
  std::function<void(const std::string& root)> check = nullptr;
  bool allow_devices = false;
  // Where the overlay style differs (it creates parents in the upper dir).
  std::optional<std::string> overlay_error = std::nullopt;
  // Tighter limits for the bomb cases (else 16 MiB of stream, defaults).
  std::optional<ApplyLimits> limits = std::nullopt;
};

ApplyLimits limits_with(uint64_t max_entries, uint64_t max_file_size) {
  ApplyLimits l;
  l.max_bytes = 16 << 20;
  l.max_entries = max_entries;
  l.max_file_size = max_file_size;
  return l;
}

// Names the case in failure messages instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

struct Snapshot {
  std::string content, dir_listing;
  mode_t mode;
  uid_t uid;
  nlink_t nlink;
  timespec mtime;
};

std::string listing(const std::string& dir) {
  std::string out;
  // The directory itself (mode, owner, mtime) and every entry in it.
  std::string cmd = "stat -c '%A %U %y' " + dir + " && ls -lA --time-style=full-iso " + dir;
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[512];
  while (p && fgets(buf, sizeof buf, p)) out += buf;
  if (p) ::pclose(p);
  return out;
}

Snapshot observe(const std::string& host) {
  Snapshot s{};
  auto c = read_file(host + "/canary");
  s.content = c ? *c : "<gone>";
  struct stat st{};
  ::lstat((host + "/canary").c_str(), &st);
  s.mode = st.st_mode;
  s.uid = st.st_uid;
  s.nlink = st.st_nlink;
  s.mtime = st.st_mtim;
  s.dir_listing = listing(host) + listing(host + "/dir");
  return s;
}

std::vector<std::string> split_path(const std::string& abs) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start < abs.size()) {
    size_t end = abs.find('/', start);
    if (end == std::string::npos) end = abs.size();
    out.push_back(abs.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::vector<Case> corpus() {
  return {
      {"absolute-path", [](const std::string& host) {
         return std::vector<std::string>{TarBuilder().file(host + "/canary", "pwned").finish()};
       }, "", [](const std::string& root) {
         // Neutralised: the absolute name landed inside the root.
         EXPECT_EQ(::access((root + "/tmp").c_str(), F_OK), 0);
       }},
      {"dot-dot", [](const std::string&) {
         return std::vector<std::string>{TarBuilder().file("../host/canary", "pwned").finish()};
       }, "layer entry \"../host/canary\": refused"},
      {"dot-dot-deep", [](const std::string&) {
         return std::vector<std::string>{TarBuilder().file("a/../../host/canary", "pwned").finish()};
       }, "refused"},
      // An escaping symlink used as a parent is resolved inside the root:
      // refused when the in-root target is missing ...
      {"symlink-out-this-layer", [](const std::string& host) {
         return std::vector<std::string>{
             TarBuilder().symlink("esc", host).file("esc/canary", "pwned").finish()};
       }, "layer entry \"esc/canary\": refused \"esc\""},
      {"relative-symlink-out-this-layer", [](const std::string&) {
         return std::vector<std::string>{
             TarBuilder().symlink("esc", "../../../../../../host").file("esc/canary", "pwned").finish()};
       }, "layer entry \"esc/canary\": refused \"esc\""},
      {"symlink-out-earlier-layer", [](const std::string& host) {
         return std::vector<std::string>{TarBuilder().symlink("esc", host).finish(),
                                         TarBuilder().file("esc/canary", "pwned").dir("esc/dir").finish()};
       }, "layer entry \"esc/canary\": refused \"esc\""},
      // ... and followed to the in-root path when it exists.
      {"symlink-out-clamped-inside", [](const std::string& host) {
         TarBuilder t;
         std::string path;
         for (const auto& part : split_path(host)) t.dir(path += (path.empty() ? "" : "/") + part);
         return std::vector<std::string>{t.symlink("esc", host).finish(),
                                         TarBuilder().file("esc/canary", "pwned").finish()};
       }, "", [](const std::string& root) {
         // The write landed under <root><host>, the in-root meaning of the link.
         EXPECT_EQ(::access((root + root.substr(0, root.rfind('/')) + "/host/canary").c_str(), F_OK), 0);
       }},
      {"hardlink-dot-dot", [](const std::string&) {
         return std::vector<std::string>{TarBuilder().hardlink("hl", "../host/canary").finish()};
       }, "layer entry \"hl\": refused \"../host/canary\""},
      {"hardlink-absolute", [](const std::string& host) {
         return std::vector<std::string>{TarBuilder().hardlink("hl", host + "/canary").finish()};
       }, "layer entry \"hl\""},
      {"hardlink-through-symlink", [](const std::string& host) {
         return std::vector<std::string>{
             TarBuilder().symlink("d", host).hardlink("hl", "d/canary").finish()};
       }, "layer entry \"hl\""},
      {"hardlink-to-escaping-symlink", [](const std::string& host) {
         return std::vector<std::string>{
             TarBuilder().symlink("s", host + "/canary").hardlink("h", "s").file("h", "pwned").finish()};
       }, ""},
      {"whiteout-under-symlink", [](const std::string& host) {
         return std::vector<std::string>{TarBuilder().symlink("wl", host).finish(),
                                         TarBuilder().file("wl/.wh.canary", "").file("wl/.wh.dir", "").finish()};
       }, "", nullptr, false, "layer entry \"wl/.wh.canary\": refused \"wl\""},
      {"opaque-under-symlink", [](const std::string& host) {
         return std::vector<std::string>{TarBuilder().symlink("wl", host).finish(),
                                         TarBuilder().file("wl/.wh..wh..opq", "").finish()};
       }, "", nullptr, false, "layer entry \"wl/.wh..wh..opq\": refused \"wl\""},
      {"chmod-through-swapped-symlink", [](const std::string& host) {
         TarBuilder::Opts o;
         o.mode = 06777;
         o.uid = 4321;
         return std::vector<std::string>{
             TarBuilder().symlink("x", host + "/canary").file("x", "mine", o).symlink("y", host).dir("y", o).finish()};
       }, "", [](const std::string& root) {
         struct stat st{};
         ASSERT_EQ(::lstat((root + "/x").c_str(), &st), 0);
         EXPECT_TRUE(S_ISREG(st.st_mode));
         EXPECT_EQ(st.st_mode & 07777, 06777u);  // set-id kept, inside the root
         ASSERT_EQ(::lstat((root + "/y").c_str(), &st), 0);
         EXPECT_TRUE(S_ISDIR(st.st_mode));
       }},
      {"device-node-refused", [](const std::string&) {
         return std::vector<std::string>{TarBuilder().device("dev/sda", AE_IFBLK, 8, 0).finish()};
       }, "layer entry \"dev/sda\": refused \"dev/sda\": device nodes are not allowed"},
      {"device-node-allowed", [](const std::string&) {
         return std::vector<std::string>{TarBuilder().device("dev/null", AE_IFCHR, 1, 3).finish()};
       }, "", [](const std::string& root) {
         struct stat st{};
         ASSERT_EQ(::lstat((root + "/dev/null").c_str(), &st), 0);
         EXPECT_TRUE(S_ISCHR(st.st_mode));
       }, true},
      {"forged-overlay-xattr", [](const std::string&) {
         TarBuilder::Opts o;
         o.xattrs = {{"trusted.overlay.redirect", "/host"}, {"trusted.overlay.opaque", "y"}};
         return std::vector<std::string>{TarBuilder().dir("d", o).finish()};
       }, "", [](const std::string& root) {
         char v[16];
         EXPECT_LT(::getxattr((root + "/d").c_str(), "trusted.overlay.redirect", v, sizeof v), 0);
       }},
      {"decompression-bomb", [](const std::string&) {
         return std::vector<std::string>{TarBuilder("gzip").zeros("bomb", 32 << 20).finish()};
       }, "decompression bomb"},
      {"decompression-bomb-zstd", [](const std::string&) {
         return std::vector<std::string>{TarBuilder("zstd").zeros("bomb", 32 << 20).finish()};
       }, "decompression bomb"},
      // Many tiny entries: bounded by count, not bytes.
      {"entry-count-bomb", [](const std::string&) {
         TarBuilder t("gzip");
         for (int i = 0; i < 3000; ++i) t.file("f/" + std::to_string(i), "");
         return std::vector<std::string>{t.finish()};
       }, "layer has more than 2000 entries", nullptr, false, std::nullopt, limits_with(2000, 1 << 20)},
      // One file past the per-file limit is refused by its header, before
      // a byte of it is written.
      {"oversized-file", [](const std::string&) {
         return std::vector<std::string>{TarBuilder("gzip").zeros("big", 9 << 20).finish()};
       }, "refused \"big\": file larger than the limit", nullptr, false,
       std::nullopt, limits_with(100000, 8 << 20)},
      {"parent-is-escaping-dangling-symlink", [](const std::string&) {
         return std::vector<std::string>{
             TarBuilder().symlink("p", "/nonexistent-in-root").file("p/f", "x").finish()};
       }, "layer entry \"p/f\": refused \"p\""},
  };
}

class HostileLayer : public ::testing::TestWithParam<std::tuple<Case, WhiteoutStyle>> {};

TEST_P(HostileLayer, TouchesNothingOutsideTheRoot) {
  BERTH_REQUIRE_ROOT();
  const auto& [c, style] = GetParam();
  berth::test::TempDir dir("berth-hostile");
  std::string host = dir / "host", root = dir / "root";
  ASSERT_EQ(::mkdir(host.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((host + "/dir").c_str(), 0755), 0);
  ASSERT_TRUE(write_file_atomic(host + "/canary", "canary", 0644));
  ASSERT_TRUE(write_file_atomic(host + "/dir/inner", "inner", 0600));
  ASSERT_EQ(::mkdir(root.c_str(), 0755), 0);
  auto before = observe(host);

  ApplyOptions opt;
  opt.whiteouts = style;
  opt.allow_devices = c.allow_devices;
  opt.limits.max_bytes = 16 << 20;
  if (c.limits) opt.limits = *c.limits;
  std::string error;
  int i = 0;
  for (const auto& tar : c.layers(host)) {
    std::string path = dir / ("layer" + std::to_string(i++));
    ASSERT_TRUE(write_file_atomic(path, tar));
    auto layer = open_file(path, O_RDONLY);
    auto rootfd = open_file(root, O_RDONLY | O_DIRECTORY);
    ASSERT_TRUE(layer && rootfd);
    auto r = apply_layer(rootfd->get(), layer->get(), opt);
    if (!r) {
      error = r.error().to_string();
      break;
    }
  }
  auto after = observe(host);
  EXPECT_EQ(after.content, before.content);
  EXPECT_EQ(after.mode, before.mode);
  EXPECT_EQ(after.uid, before.uid);
  EXPECT_EQ(after.nlink, before.nlink);
  EXPECT_EQ(after.mtime.tv_sec, before.mtime.tv_sec);
  EXPECT_EQ(after.dir_listing, before.dir_listing);
  std::string want = (style == WhiteoutStyle::Overlay && c.overlay_error) ? *c.overlay_error : c.error;
  if (want.empty()) {
    EXPECT_EQ(error, "");
  } else {
    EXPECT_NE(error.find(want), std::string::npos) << "error was: " << error;
  }
  if (c.check && error.empty()) c.check(root);
}

INSTANTIATE_TEST_SUITE_P(
    Corpus, HostileLayer,
    ::testing::Combine(::testing::ValuesIn(corpus()),
                       ::testing::Values(WhiteoutStyle::Delete, WhiteoutStyle::Overlay)),
    [](const auto& info) {
      std::string n = std::get<0>(info.param).name + (std::get<1>(info.param) == WhiteoutStyle::Delete ? "_delete" : "_overlay");
      for (auto& ch : n)
        if (ch == '-') ch = '_';
      return n;
    });

}  // namespace
}  // namespace berth::image
