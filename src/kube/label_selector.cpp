#include <mcm/kube/label_selector.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <tuple>

namespace mcm::kube {
namespace {

using Operator = LabelSelector::Operator;
using Requirement = LabelSelector::Requirement;

constexpr std::size_t kMaxNameLength = 63;
constexpr std::size_t kMaxPrefixLength = 253;
constexpr std::size_t kMaxValueLength = 63;

// ---- validation, shared by the string and the JSON forms ----

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], the alphabet of label names and values.
bool is_label_token(std::string_view s) {
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back())) {
    return false;
  }
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
}

// RFC 1123 subdomain: lowercase labels of [a-z0-9-], starting and ending alphanumeric, joined by
// '.'.
bool is_dns_subdomain(std::string_view s) {
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = s.find('.', start);
    const std::string_view label =
        s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty()) {
      return false;
    }
    auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!lower_alnum(label.front()) || !lower_alnum(label.back())) {
      return false;
    }
    if (!std::all_of(label.begin(), label.end(),
                     [&](char c) { return lower_alnum(c) || c == '-'; })) {
      return false;
    }
    if (dot == std::string_view::npos) {
      return true;
    }
    start = dot + 1;
  }
}

// Why `key` is not a valid label key, or nullopt when it is.
std::optional<std::string> key_problem(std::string_view key) {
  if (key.empty()) {
    return "must not be empty";
  }
  std::string_view name = key;
  if (const std::size_t slash = key.find('/'); slash != std::string_view::npos) {
    const std::string_view prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (name.find('/') != std::string_view::npos) {
      return "must be a name with an optional DNS subdomain prefix and '/', not more than one '/'";
    }
    if (prefix.empty()) {
      return "prefix part must not be empty";
    }
    if (prefix.size() > kMaxPrefixLength) {
      return "prefix part must be no more than 253 characters";
    }
    if (!is_dns_subdomain(prefix)) {
      return "prefix part must be a lowercase DNS subdomain (e.g. 'example.com')";
    }
  }
  if (name.empty()) {
    return "name part must not be empty";
  }
  if (name.size() > kMaxNameLength) {
    return "name part must be no more than 63 characters";
  }
  if (!is_label_token(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
           "and end with an alphanumeric character";
  }
  return std::nullopt;
}

std::optional<std::string> value_problem(std::string_view value) {
  if (value.empty()) {
    return std::nullopt;
  }
  if (value.size() > kMaxValueLength) {
    return "must be no more than 63 characters";
  }
  if (!is_label_token(value)) {
    return "must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start "
           "and end with an alphanumeric character";
  }
  return std::nullopt;
}

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

// ---- canonical form ----

void canonicalize(Requirement& r) {
  std::sort(r.values.begin(), r.values.end());
  r.values.erase(std::unique(r.values.begin(), r.values.end()), r.values.end());
}

bool requirement_less(const Requirement& a, const Requirement& b) {
  return std::tie(a.key, a.op, a.values) < std::tie(b.key, b.op, b.values);
}

// ---- the string form ----

enum class TokenKind {
  Identifier,
  In,
  NotIn,
  Not,           // !
  Equals,        // =
  DoubleEquals,  // ==
  NotEquals,     // !=
  OpenParen,
  CloseParen,
  Comma,
  Unsupported,  // < and >: Kubernetes uses them for numeric node selectors, not label selectors
  End,
};

struct Token {
  TokenKind kind = TokenKind::End;
  std::string_view text;
  std::size_t position = 0;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

bool is_special(char c) {
  return c == '!' || c == '=' || c == '(' || c == ')' || c == ',' || c == '<' || c == '>';
}

// Splits the input the way Kubernetes' lexer does: an identifier runs until whitespace or one
// of the operator characters, so "a|b" is one (invalid) identifier rather than three tokens.
std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (true) {
    while (i < text.size() && is_space(text[i])) {
      ++i;
    }
    if (i == text.size()) {
      tokens.push_back(Token{TokenKind::End, {}, i});
      return tokens;
    }
    const std::size_t start = i;
    const char c = text[i];
    const bool doubled = i + 1 < text.size() && text[i + 1] == '=';
    TokenKind kind = TokenKind::Identifier;
    if (c == '!' && doubled) {
      kind = TokenKind::NotEquals;
      i += 2;
    } else if (c == '=' && doubled) {
      kind = TokenKind::DoubleEquals;
      i += 2;
    } else if (is_special(c)) {
      switch (c) {
        case '!':
          kind = TokenKind::Not;
          break;
        case '=':
          kind = TokenKind::Equals;
          break;
        case '(':
          kind = TokenKind::OpenParen;
          break;
        case ')':
          kind = TokenKind::CloseParen;
          break;
        case ',':
          kind = TokenKind::Comma;
          break;
        default:
          kind = TokenKind::Unsupported;
          break;
      }
      ++i;
    } else {
      while (i < text.size() && !is_space(text[i]) && !is_special(text[i])) {
        ++i;
      }
    }
    const std::string_view word = text.substr(start, i - start);
    if (kind == TokenKind::Identifier && word == "in") {
      kind = TokenKind::In;
    } else if (kind == TokenKind::Identifier && word == "notin") {
      kind = TokenKind::NotIn;
    }
    tokens.push_back(Token{kind, word, start});
  }
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), tokens_(tokenize(text)) {}

  Result<std::vector<Requirement>> parse() {
    std::vector<Requirement> requirements;
    if (peek().kind == TokenKind::End) {
      return requirements;
    }
    while (true) {
      auto requirement = parse_requirement();
      if (!requirement) {
        return requirement.error();
      }
      requirements.push_back(std::move(*requirement));
      const Token& separator = next();
      if (separator.kind == TokenKind::End) {
        return requirements;
      }
      if (separator.kind != TokenKind::Comma) {
        return error(separator, "expected ',' or end of selector");
      }
    }
  }

 private:
  const Token& peek() const { return tokens_[index_]; }
  const Token& next() {
    const Token& token = tokens_[index_];
    if (token.kind != TokenKind::End) {
      ++index_;
    }
    return token;
  }

  static std::string describe(const Token& token) {
    return token.kind == TokenKind::End ? "end of selector" : in_quotes(token.text);
  }

  Error error(const Token& token, std::string_view what) const {
    return fail(Errc::Invalid, "label selector " + in_quotes(text_) + ": " + std::string(what) +
                                   ", found " + describe(token) + " at position " +
                                   std::to_string(token.position));
  }

  Error invalid(const Token& token, std::string_view what, const std::string& why) const {
    return fail(Errc::Invalid, "label selector " + in_quotes(text_) + ": invalid " +
                                   std::string(what) + " " + in_quotes(token.text) +
                                   " at position " + std::to_string(token.position) + ": " + why);
  }

  static bool ends_requirement(const Token& token) {
    return token.kind == TokenKind::Comma || token.kind == TokenKind::End;
  }

  // A value position accepts the keywords too: `env in (in)` is a value "in".
  static bool is_value(const Token& token) {
    return token.kind == TokenKind::Identifier || token.kind == TokenKind::In ||
           token.kind == TokenKind::NotIn;
  }

  Result<std::string> parse_key() {
    const Token& token = next();
    if (token.kind != TokenKind::Identifier) {
      return error(token, "expected a label key");
    }
    if (auto why = key_problem(token.text)) {
      return invalid(token, "label key", *why);
    }
    return std::string(token.text);
  }

  // An empty value is allowed when nothing follows the operator, as in Kubernetes (`key=`).
  Result<std::string> parse_value_or_empty() {
    if (!is_value(peek())) {
      return std::string();
    }
    const Token& token = next();
    if (auto why = value_problem(token.text)) {
      return invalid(token, "label value", *why);
    }
    return std::string(token.text);
  }

  Result<Requirement> parse_requirement() {
    Requirement requirement;
    const bool negated = peek().kind == TokenKind::Not;
    if (negated) {
      next();
    }
    auto key = parse_key();
    if (!key) {
      return key.error();
    }
    requirement.key = std::move(*key);
    if (negated) {
      if (!ends_requirement(peek())) {
        return error(peek(), "expected ',' or end of selector after '!" + requirement.key + "'");
      }
      requirement.op = Operator::DoesNotExist;
      return requirement;
    }
    if (ends_requirement(peek())) {
      requirement.op = Operator::Exists;
      return requirement;
    }
    const Token& op = next();
    switch (op.kind) {
      case TokenKind::Equals:
      case TokenKind::DoubleEquals:
      case TokenKind::NotEquals: {
        requirement.op = op.kind == TokenKind::NotEquals ? Operator::NotEquals : Operator::Equals;
        auto value = parse_value_or_empty();
        if (!value) {
          return value.error();
        }
        requirement.values.push_back(std::move(*value));
        if (!ends_requirement(peek())) {
          return error(peek(), "expected ',' or end of selector after the value of '" +
                                   requirement.key + "'");
        }
        return requirement;
      }
      case TokenKind::In:
      case TokenKind::NotIn: {
        requirement.op = op.kind == TokenKind::In ? Operator::In : Operator::NotIn;
        auto values = parse_value_list();
        if (!values) {
          return values.error();
        }
        requirement.values = std::move(*values);
        return requirement;
      }
      case TokenKind::Unsupported:
        return error(op, "unsupported operator (want =, ==, !=, in or notin)");
      default:
        return error(op, "expected an operator (=, ==, !=, in, notin), ',' or end of selector "
                         "after '" + requirement.key + "'");
    }
  }

  // "(" [value] {"," [value]} ")": an empty slot is the empty value, as in Kubernetes.
  Result<std::vector<std::string>> parse_value_list() {
    const Token& open = next();
    if (open.kind != TokenKind::OpenParen) {
      return error(open, "expected '(' after 'in' or 'notin'");
    }
    std::vector<std::string> values;
    while (true) {
      auto value = parse_value_or_empty();
      if (!value) {
        return value.error();
      }
      values.push_back(std::move(*value));
      const Token& separator = next();
      if (separator.kind == TokenKind::CloseParen) {
        return values;
      }
      if (separator.kind != TokenKind::Comma) {
        return error(separator, "expected ',' or ')' in a value list");
      }
    }
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  std::size_t index_ = 0;
};

// ---- the JSON form ----

Error json_error(const std::string& where, const std::string& why) {
  return fail(Errc::Invalid, "label selector: " + where + ": " + why);
}

Result<Operator> operator_from_json(const nlohmann::json& op, const std::string& where) {
  if (op.is_string()) {
    const auto& name = op.get_ref<const std::string&>();
    if (name == "In") {
      return Operator::In;
    }
    if (name == "NotIn") {
      return Operator::NotIn;
    }
    if (name == "Exists") {
      return Operator::Exists;
    }
    if (name == "DoesNotExist") {
      return Operator::DoesNotExist;
    }
  }
  return json_error(where, "unknown operator " + op.dump() +
                               " (want In, NotIn, Exists or DoesNotExist)");
}

Result<Requirement> expression_from_json(const nlohmann::json& expression,
                                         const std::string& where) {
  if (!expression.is_object()) {
    return json_error(where, "expected an object, found " + expression.dump());
  }
  Requirement requirement;
  const auto key = expression.find("key");
  if (key == expression.end() || !key->is_string()) {
    return json_error(where + ".key", "expected a string");
  }
  requirement.key = key->get<std::string>();
  if (auto why = key_problem(requirement.key)) {
    return json_error(where + ".key",
                      "invalid label key " + in_quotes(requirement.key) + ": " + *why);
  }
  const auto op = expression.find("operator");
  auto parsed_op = operator_from_json(op == expression.end() ? nlohmann::json() : *op,
                                      where + ".operator");
  if (!parsed_op) {
    return parsed_op.error();
  }
  requirement.op = *parsed_op;

  const auto values = expression.find("values");
  if (values != expression.end() && !values->is_null()) {
    if (!values->is_array()) {
      return json_error(where + ".values", "expected an array of strings");
    }
    for (std::size_t i = 0; i < values->size(); ++i) {
      const auto& value = (*values)[i];
      const std::string at = where + ".values[" + std::to_string(i) + "]";
      if (!value.is_string()) {
        return json_error(at, "expected a string, found " + value.dump());
      }
      if (auto why = value_problem(value.get_ref<const std::string&>())) {
        return json_error(at, "invalid label value " +
                                  in_quotes(value.get_ref<const std::string&>()) + ": " + *why);
      }
      requirement.values.push_back(value.get<std::string>());
    }
  }
  const bool set_based = requirement.op == Operator::In || requirement.op == Operator::NotIn;
  if (set_based && requirement.values.empty()) {
    return json_error(where + ".values", "must be non-empty for operator In or NotIn");
  }
  if (!set_based && !requirement.values.empty()) {
    return json_error(where + ".values", "must be empty for operator Exists or DoesNotExist");
  }
  return requirement;
}

// ---- matching ----

// `lookup(key)` returns the label's value or nullptr when the object has no such label.
template <class Lookup>
bool matches_all(const std::vector<Requirement>& requirements, const Lookup& lookup) {
  for (const auto& r : requirements) {
    const std::string* value = lookup(r.key);
    const bool in_values =
        value != nullptr && std::binary_search(r.values.begin(), r.values.end(), *value);
    bool ok = false;
    switch (r.op) {
      case Operator::Exists:
        ok = value != nullptr;
        break;
      case Operator::DoesNotExist:
        ok = value == nullptr;
        break;
      case Operator::Equals:
      case Operator::In:
        ok = in_values;
        break;
      case Operator::NotEquals:
      case Operator::NotIn:
        ok = !in_values;
        break;
    }
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace

LabelSelector::LabelSelector(std::vector<Requirement> requirements)
    : requirements_(std::move(requirements)) {
  for (auto& r : requirements_) {
    canonicalize(r);
  }
  std::sort(requirements_.begin(), requirements_.end(), requirement_less);
  requirements_.erase(std::unique(requirements_.begin(), requirements_.end()),
                      requirements_.end());
}

Result<LabelSelector> LabelSelector::parse(std::string_view text) {
  auto requirements = Parser(text).parse();
  if (!requirements) {
    return requirements.error();
  }
  return LabelSelector(std::move(*requirements));
}

Result<LabelSelector> LabelSelector::from_json(const nlohmann::json& selector) {
  if (!selector.is_object()) {
    return json_error("selector", "expected an object, found " + selector.dump());
  }
  std::vector<Requirement> requirements;
  if (const auto labels = selector.find("matchLabels");
      labels != selector.end() && !labels->is_null()) {
    if (!labels->is_object()) {
      return json_error("matchLabels", "expected an object of strings");
    }
    for (const auto& [key, value] : labels->items()) {
      const std::string where = "matchLabels[" + in_quotes(key) + "]";
      if (auto why = key_problem(key)) {
        return json_error(where, "invalid label key: " + *why);
      }
      if (!value.is_string()) {
        return json_error(where, "expected a string, found " + value.dump());
      }
      if (auto why = value_problem(value.get_ref<const std::string&>())) {
        return json_error(where, "invalid label value " +
                                     in_quotes(value.get_ref<const std::string&>()) + ": " + *why);
      }
      requirements.push_back(Requirement{key, Operator::Equals, {value.get<std::string>()}});
    }
  }
  if (const auto expressions = selector.find("matchExpressions");
      expressions != selector.end() && !expressions->is_null()) {
    if (!expressions->is_array()) {
      return json_error("matchExpressions", "expected an array");
    }
    for (std::size_t i = 0; i < expressions->size(); ++i) {
      auto requirement =
          expression_from_json((*expressions)[i], "matchExpressions[" + std::to_string(i) + "]");
      if (!requirement) {
        return requirement.error();
      }
      requirements.push_back(std::move(*requirement));
    }
  }
  return LabelSelector(std::move(requirements));
}

bool LabelSelector::matches(const std::map<std::string, std::string>& labels) const {
  return matches_all(requirements_, [&](const std::string& key) -> const std::string* {
    const auto it = labels.find(key);
    return it == labels.end() ? nullptr : &it->second;
  });
}

bool LabelSelector::matches(const nlohmann::json& labels) const {
  return matches_all(requirements_, [&](const std::string& key) -> const std::string* {
    if (!labels.is_object()) {
      return nullptr;
    }
    const auto it = labels.find(key);
    if (it == labels.end() || !it->is_string()) {
      return nullptr;
    }
    return &it->get_ref<const std::string&>();
  });
}

std::string LabelSelector::to_string() const {
  std::string out;
  for (const auto& r : requirements_) {
    if (!out.empty()) {
      out += ',';
    }
    switch (r.op) {
      case Operator::Exists:
        out += r.key;
        break;
      case Operator::DoesNotExist:
        out += '!' + r.key;
        break;
      case Operator::Equals:
        out += r.key + '=' + r.values.front();
        break;
      case Operator::NotEquals:
        out += r.key + "!=" + r.values.front();
        break;
      case Operator::In:
      case Operator::NotIn: {
        out += r.key + (r.op == Operator::In ? " in (" : " notin (");
        for (std::size_t i = 0; i < r.values.size(); ++i) {
          if (i > 0) {
            out += ',';
          }
          out += r.values[i];
        }
        out += ')';
        break;
      }
    }
  }
  return out;
}

}  // namespace mcm::kube
