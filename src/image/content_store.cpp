#include "image/content_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.hpp"
#include "sys/dir.hpp"
#include "oci/image_manifest.hpp"

namespace berth::image {

namespace {

// A blob name is exactly 64 lowercase hex characters.
bool is_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

Result<> BlobWriter::write(const void* data, size_t size) {
  hash_.update(data, size);
  TRY_CTX(write_all(fd_.get(), std::string_view(static_cast<const char*>(data), size)),
          "write blob");
  size_ += static_cast<int64_t>(size);
  return ok();
}

Result<BlobInfo> BlobWriter::commit(std::string_view expected,
                                    const std::function<Result<>(const BlobInfo&)>& before_link) {
  BlobInfo info{hash_.digest(), size_};
  if (!expected.empty() && expected != info.digest)
    return make_error(ErrorCategory::InvalidArgument,
                      "digest mismatch: expected " + std::string(expected) + ", got " + info.digest);
  if (::fsync(fd_.get()) < 0) return sys_error("fsync blob");
  if (::fchmod(fd_.get(), 0444) < 0) return sys_error("chmod blob");
  auto lock = TRY(store_->lock(false));
  if (before_link) TRY(before_link(info));
  std::string name(oci::digest_hex(info.digest));
  // Link the anonymous file in through /proc (linkat AT_EMPTY_PATH would
  // need CAP_DAC_READ_SEARCH). EEXIST: an identical blob is already there.
  std::string proc = "/proc/self/fd/" + std::to_string(fd_.get());
  if (::linkat(AT_FDCWD, proc.c_str(), store_->dir_.get(), name.c_str(), AT_SYMLINK_FOLLOW) < 0 &&
      errno != EEXIST)
    return sys_error("link blob " + info.digest);
  if (::fsync(store_->dir_.get()) < 0) return sys_error("fsync blob directory");
  fd_.reset();
  return info;
}

Result<std::unique_ptr<ContentStore>> ContentStore::open(const std::string& root) {
  TRY(make_dirs(root + "/sha256", 0700));
  TRY(make_dirs(root + "/ingest", 0700));
  auto dir = TRY(open_file(root + "/sha256", O_RDONLY | O_DIRECTORY));
  auto ingest = TRY(open_file(root + "/ingest", O_RDONLY | O_DIRECTORY));
  return std::unique_ptr<ContentStore>(new ContentStore(root, std::move(dir), std::move(ingest)));
}

Result<BlobWriter> ContentStore::writer() {
  int fd = ::openat(ingest_.get(), ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) return sys_error("create blob in " + root_ + "/ingest");
  return Result<BlobWriter>(tl::in_place, this, UniqueFd(fd));
}

Result<BlobInfo> ContentStore::put(std::string_view data, std::string_view expected,
                                   const std::function<Result<>(const BlobInfo&)>& before_link) {
  auto w = TRY(writer());
  TRY(w.write(data));
  return w.commit(expected, before_link);
}

std::string ContentStore::path(std::string_view digest) const {
  return root_ + "/sha256/" + std::string(oci::digest_hex(digest));
}

bool ContentStore::exists(std::string_view digest) const {
  if (!oci::validate_digest(digest)) return false;
  struct stat st{};
  return ::fstatat(dir_.get(), std::string(oci::digest_hex(digest)).c_str(), &st, 0) == 0;
}

Result<int64_t> ContentStore::size(std::string_view digest) const {
  TRY(oci::validate_digest(digest));
  struct stat st{};
  if (::fstatat(dir_.get(), std::string(oci::digest_hex(digest)).c_str(), &st, 0) < 0)
    return sys_error("blob " + std::string(digest));
  return static_cast<int64_t>(st.st_size);
}

Result<UniqueFd> ContentStore::open_blob(std::string_view digest) const {
  TRY(oci::validate_digest(digest));
  return TRY_CTX(open_at(dir_.get(), std::string(oci::digest_hex(digest)), O_RDONLY | O_NOFOLLOW),
                 "blob " + std::string(digest));
}

Result<std::string> ContentStore::read(std::string_view digest, size_t limit) const {
  auto fd = TRY(open_blob(digest));
  return TRY_CTX(read_fd(fd.get(), limit), "read blob " + std::string(digest));
}

Result<std::vector<std::string>> ContentStore::list() const {
  std::vector<std::string> out;
  for (const auto& n : TRY_CTX(sys::list_dir(dir_.get()), "list blobs"))
    if (is_hex64(n)) out.push_back("sha256:" + n);
  return out;
}

Result<UniqueFd> ContentStore::lock(bool exclusive) const {
  auto fd = TRY(open_file(root_ + "/gc.lock", O_RDWR | O_CREAT, 0600));
  int rc;
  do {
    rc = ::flock(fd.get(), exclusive ? LOCK_EX : LOCK_SH);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return sys_error("lock " + root_ + "/gc.lock");
  return fd;
}

Result<std::vector<std::string>> ContentStore::sweep(
    const std::function<Result<std::set<std::string>>()>& mark) {
  auto lock_fd = TRY(lock(true));
  auto keep = TRY(mark());
  std::vector<std::string> removed;
  for (const auto& digest : TRY(list())) {
    if (keep.count(digest)) continue;
    if (::unlinkat(dir_.get(), std::string(oci::digest_hex(digest)).c_str(), 0) < 0 &&
        errno != ENOENT)
      return sys_error("remove blob " + digest);
    removed.push_back(digest);
  }
  if (!removed.empty()) ::fsync(dir_.get());
  return removed;
}

}  // namespace berth::image
