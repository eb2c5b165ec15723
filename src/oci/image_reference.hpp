// Image references as Docker spells them: [domain/]path[:tag][@digest].
// "busybox" normalises to docker.io/library/busybox:latest; the familiar
// form drops docker.io/ and library/ again for display and for the
// RepoTags of `docker save` archives.
#pragma once

#include <string>
#include <string_view>

#include "base/error.hpp"

namespace berth::oci {

struct Reference {
  std::string domain;  // "docker.io"
  std::string path;    // "library/busybox"
  std::string tag;     // "latest" unless a digest was given alone
  std::string digest;  // "sha256:..." or empty

  // docker.io/library/busybox
  std::string name() const { return domain + "/" + path; }
  // busybox, or registry:5000/x/y
  std::string familiar_name() const;
  // busybox:latest (tag) or busybox@sha256:... (digest only)
  std::string familiar() const;
  // docker.io/library/busybox:latest (the stored key)
  std::string full() const;
};

// Parses and normalises; a missing tag becomes "latest" unless a digest
// is present. InvalidArgument for anything Docker would refuse.
Result<Reference> parse_reference(std::string_view text);

}  // namespace berth::oci
