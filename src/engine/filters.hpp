// Filters: Docker's `filters` query argument as data, independent of its
// JSON spelling (the API layer parses both the map and the list form into
// this). Services use it to select containers, images, events, ...
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace berth::engine {

class Filters {
 public:
  void add(std::string key, std::string value);

  bool empty() const { return terms_.empty(); }
  bool contains(std::string_view key) const;
  // The values given for `key` (empty when the key is absent).
  std::vector<std::string> values(std::string_view key) const;
  const std::map<std::string, std::set<std::string>, std::less<>>& terms() const { return terms_; }

  // True when `key` is absent or one of its values equals `source`.
  bool exact_match(std::string_view key, std::string_view source) const;
  // As exact_match, but a value also matches when it is a prefix of
  // `source` (Docker's FuzzyMatch, used for ids).
  bool fuzzy_match(std::string_view key, std::string_view source) const;
  // Label filters: each value is "k" (label present) or "k=v" (label equal);
  // all of them must hold. True when `key` is absent.
  bool match_labels(std::string_view key, const std::map<std::string, std::string>& labels) const;

  // InvalidArgument "invalid filter 'x'" for the first key not accepted.
  Result<> validate(const std::set<std::string, std::less<>>& accepted) const;

 private:
  std::map<std::string, std::set<std::string>, std::less<>> terms_;
};

}  // namespace berth::engine
