#include "oci/image_reference.hpp"

#include "oci/image_manifest.hpp"

namespace berth::oci {

namespace {

bool is_alnum_lower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component: [a-z0-9]+ joined by ".", "_", "__" or "-"+.
bool valid_component(std::string_view c) {
  if (c.empty() || !is_alnum_lower(c.front()) || !is_alnum_lower(c.back())) return false;
  for (size_t i = 0; i < c.size(); ++i) {
    char ch = c[i];
    if (is_alnum_lower(ch)) continue;
    if (ch == '.' || ch == '_' || ch == '-') {
      if (ch == '.' && !is_alnum_lower(c[i + 1])) return false;
      continue;
    }
    return false;
  }
  return c.find("___") == std::string_view::npos;
}

bool valid_tag(std::string_view t) {
  if (t.empty() || t.size() > 128) return false;
  auto word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  if (!word(t[0])) return false;
  for (char c : t)
    if (!word(c) && c != '.' && c != '-') return false;
  return true;
}

bool valid_domain(std::string_view d) {
  if (d.empty()) return false;
  for (char c : d) {
    bool good = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
    if (!good) return false;
  }
  return true;
}

Unexpected invalid(std::string_view text, std::string_view why) {
  return make_error(ErrorCategory::InvalidArgument,
                    "invalid reference format \"" + std::string(text.substr(0, 256)) + "\": " +
                        std::string(why));
}

}  // namespace

Result<Reference> parse_reference(std::string_view text) {
  if (text.empty() || text.size() > 512) return invalid(text, "empty or too long");
  Reference ref;
  std::string_view rest = text;
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    ref.digest = std::string(rest.substr(at + 1));
    if (!validate_digest(ref.digest)) return invalid(text, "bad digest");
    rest = rest.substr(0, at);
  }
  // A ':' after the last '/' separates the tag (one before is a port).
  auto slash = rest.rfind('/');
  auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    ref.tag = std::string(rest.substr(colon + 1));
    if (!valid_tag(ref.tag)) return invalid(text, "bad tag");
    rest = rest.substr(0, colon);
  }
  // distribution/reference's NameTotalLengthMax, on the name as written.
  if (rest.size() > 255) return invalid(text, "repository name must not be more than 255 characters");
  auto first_slash = rest.find('/');
  std::string_view first = rest.substr(0, first_slash);
  if (first_slash != std::string_view::npos &&
      (first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
       first == "localhost" || first.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string_view::npos)) {
    if (!valid_domain(first)) return invalid(text, "bad domain");
    ref.domain = std::string(first);
    rest = rest.substr(first_slash + 1);
  } else {
    ref.domain = "docker.io";
  }
  if (ref.domain == "index.docker.io") ref.domain = "docker.io";
  size_t start = 0;
  while (true) {
    auto end = rest.find('/', start);
    if (!valid_component(rest.substr(start, end - start))) return invalid(text, "bad name");
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  ref.path = std::string(rest);
  if (ref.domain == "docker.io" && ref.path.find('/') == std::string::npos)
    ref.path = "library/" + ref.path;
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

std::string Reference::familiar_name() const {
  if (domain != "docker.io") return domain + "/" + path;
  if (path.rfind("library/", 0) == 0 && path.find('/', 8) == std::string::npos)
    return path.substr(8);
  return path;
}

std::string Reference::familiar() const {
  std::string out = familiar_name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

std::string Reference::full() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

}  // namespace berth::oci
