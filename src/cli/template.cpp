// The --format Go-template subset: literal text, {{.A.B}}, {{.}},
// {{json X}}, {{upper X}}, {{lower X}}, {{index X "key"}}, `{{-`/`-}}`
// trimming and the docker CLI's `table` prefix and \t \n escapes.
#include <cctype>

#include "base/strings.hpp"
#include "cli/format.hpp"

namespace berth::cli {
namespace json = boost::json;
namespace {

std::string unescape(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == 't' || text[i + 1] == 'n')) {
      out += text[++i] == 't' ? '\t' : '\n';
    } else {
      out += text[i];
    }
  }
  return out;
}

Unexpected template_error(const std::string& what) {
  return make_error(ErrorCategory::InvalidArgument, "template parsing error: " + what);
}

Result<std::vector<std::string>> parse_path(std::string_view word) {
  if (word.empty() || word[0] != '.') return template_error("unsupported argument \"" + std::string(word) + "\"");
  std::vector<std::string> path;
  if (word == ".") return path;
  for (auto& part : split(word.substr(1), '.')) path.push_back(part);
  return path;
}

const json::value* lookup(const json::value& root, const std::vector<std::string>& path) {
  const json::value* v = &root;
  for (const auto& key : path) {
    if (!v->is_object()) return nullptr;
    auto it = v->get_object().find(key);
    if (it == v->get_object().end()) return nullptr;
    v = &it->value();
  }
  return v;
}

}  // namespace

Result<Template> Template::parse(const std::string& input) {
  Template t;
  std::string text = input;
  if (text.rfind("table", 0) == 0 && (text.size() == 5 || std::isspace(static_cast<unsigned char>(text[5])))) {
    t.table_ = true;
    text = std::string(trim(text.substr(5)));
  }
  text = unescape(text);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    std::string literal = text.substr(pos, open == std::string::npos ? std::string::npos : open - pos);
    if (open == std::string::npos) {
      t.pieces_.push_back({true, literal, {}, {}, {}});
      break;
    }
    size_t close = text.find("}}", open);
    if (close == std::string::npos) return template_error("unclosed action");
    std::string action = text.substr(open + 2, close - open - 2);
    if (!action.empty() && action[0] == '-') {
      action.erase(0, 1);
      while (!literal.empty() && std::isspace(static_cast<unsigned char>(literal.back()))) literal.pop_back();
    }
    pos = close + 2;
    if (!action.empty() && action.back() == '-') {
      action.pop_back();
      while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
    }
    if (!literal.empty()) t.pieces_.push_back({true, literal, {}, {}, {}});
    std::vector<std::string> words;
    for (auto& w : split(std::string(trim(action)), ' '))
      if (!w.empty()) words.push_back(w);
    Piece p;
    p.literal = false;
    if (words.size() == 1) {
      p.path = TRY(parse_path(words[0]));
    } else if (words.size() == 2 && (words[0] == "json" || words[0] == "upper" || words[0] == "lower")) {
      p.func = words[0];
      p.path = TRY(parse_path(words[1]));
    } else if (words.size() == 3 && words[0] == "index" && words[2].size() >= 2 && words[2][0] == '"') {
      p.func = "index";
      p.path = TRY(parse_path(words[1]));
      p.arg = words[2].substr(1, words[2].size() - 2);
    } else {
      return template_error("unsupported action {{" + action + "}}");
    }
    t.pieces_.push_back(std::move(p));
  }
  return t;
}

Result<std::string> Template::render(const json::value& row) const {
  std::string out;
  for (const auto& p : pieces_) {
    if (p.literal) {
      out += p.text;
      continue;
    }
    const json::value* v = lookup(row, p.path);
    if (p.func == "index" && v && v->is_object()) {
      auto it = v->get_object().find(p.arg);
      v = it == v->get_object().end() ? nullptr : &it->value();
    }
    if (!v) {
      out += p.func == "json" ? "null" : "<no value>";
      continue;
    }
    if (p.func == "json") out += go_json(*v, sort_keys_);
    else if (p.func == "upper") for (char c : go_print(*v)) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    else if (p.func == "lower") out += to_lower(go_print(*v));
    else out += go_print(*v);
  }
  return out + "\n";
}

std::string Template::header(const std::map<std::string, std::string>& names) const {
  std::string out;
  for (const auto& p : pieces_) {
    if (p.literal) {
      out += p.text;
    } else if (!p.path.empty()) {
      auto it = names.find(p.path[0]);
      std::string name = it != names.end() ? it->second : p.path[0];
      for (char c : name) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return out + "\n";
}

Result<std::string> render_rows(const std::string& format, const std::string& default_format,
                                const std::vector<json::value>& rows,
                                const std::map<std::string, std::string>& headers) {
  auto tmpl = TRY(Template::parse(format.empty() ? default_format : format));
  std::string body;
  if (tmpl.is_table()) body = tmpl.header(headers);
  for (const auto& row : rows) body += TRY(tmpl.render(row));
  return tmpl.is_table() ? tabwrite(body, 10, 3) : body;
}

}  // namespace berth::cli
