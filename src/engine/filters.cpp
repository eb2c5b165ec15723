#include "engine/filters.hpp"

#include "base/strings.hpp"

namespace berth::engine {

void Filters::add(std::string key, std::string value) {
  terms_[std::move(key)].insert(std::move(value));
}

bool Filters::contains(std::string_view key) const { return terms_.find(key) != terms_.end(); }

std::vector<std::string> Filters::values(std::string_view key) const {
  auto it = terms_.find(key);
  if (it == terms_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

bool Filters::exact_match(std::string_view key, std::string_view source) const {
  auto it = terms_.find(key);
  if (it == terms_.end()) return true;
  return it->second.count(std::string(source)) > 0;
}

bool Filters::fuzzy_match(std::string_view key, std::string_view source) const {
  auto it = terms_.find(key);
  if (it == terms_.end()) return true;
  for (const auto& value : it->second)
    if (source.substr(0, value.size()) == value) return true;
  return false;
}

bool Filters::match_labels(std::string_view key,
                           const std::map<std::string, std::string>& labels) const {
  auto it = terms_.find(key);
  if (it == terms_.end()) return true;
  for (const auto& want : it->second) {
    auto [name, value, has_value] = split_once(want, '=');
    auto label = labels.find(std::string(name));
    if (label == labels.end()) return false;
    if (has_value && label->second != value) return false;
  }
  return true;
}

Result<> Filters::validate(const std::set<std::string, std::less<>>& accepted) const {
  for (const auto& [key, values] : terms_)
    if (!accepted.count(key))
      return make_error(ErrorCategory::InvalidArgument, "invalid filter '" + key + "'");
  return ok();
}

}  // namespace berth::engine
