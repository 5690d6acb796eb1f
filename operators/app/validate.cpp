// Syntax checks of the values an App's spec carries: image references, sizes, schedules, names.
// Each says why a value is refused, so that the caller can name the field around it.

#include <app/render.hpp>

#include <algorithm>
#include <cctype>

namespace mcm::app::detail {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// As JSON text, so that a control character in a refused value stays visible in the message.
std::string json_quoted(std::string_view value) {
  return Json(std::string(value)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

// A repository path component: lowercase alphanumeric runs joined by ".", "_", "__" or dashes.
bool valid_path_component(std::string_view s) {
  if (s.empty() || !is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) {
    return false;
  }
  std::size_t i = 0;
  while (i < s.size()) {
    if (is_lower_alnum(s[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < s.size() && !is_lower_alnum(s[i])) {
      ++i;
    }
    const std::string_view sep = s.substr(start, i - start);
    const bool dashes = std::all_of(sep.begin(), sep.end(), [](char c) { return c == '-'; });
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) {
      return false;
    }
  }
  return true;
}

bool valid_domain(std::string_view s) {
  if (const auto colon = s.rfind(':'); colon != std::string_view::npos) {
    const std::string_view port = s.substr(colon + 1);
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), is_digit)) {
      return false;
    }
    s = s.substr(0, colon);
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = s.find('.', start);
    const std::string_view label =
        s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (label.empty() || !is_alnum(label.front()) || !is_alnum(label.back()) ||
        !std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; })) {
      return false;
    }
    if (dot == std::string_view::npos) {
      return true;
    }
    start = dot + 1;
  }
}

}  // namespace

// A DNS-1035 label: what a Service name must be, so what an App name must be.
bool valid_dns_label(std::string_view s) {
  return !s.empty() && s.size() <= 63 && s.front() >= 'a' && s.front() <= 'z' &&
         is_lower_alnum(s.back()) &&
         std::all_of(s.begin(), s.end(), [](char c) { return is_lower_alnum(c) || c == '-'; });
}

bool valid_dns_subdomain(std::string_view s) {
  return !s.empty() && s.size() <= 253 && is_lower_alnum(s.front()) && is_lower_alnum(s.back()) &&
         std::all_of(s.begin(), s.end(),
                     [](char c) { return is_lower_alnum(c) || c == '-' || c == '.'; });
}

// An IANA zone name such as "UTC" or "Europe/Paris"; the name lands in TZ and CronJob timeZone.
bool valid_timezone(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::isalpha(static_cast<unsigned char>(s.front())) &&
         s.back() != '/' && s.find("//") == s.npos && s.find("..") == s.npos &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return is_alnum(c) || c == '/' || c == '_' || c == '+' || c == '-';
         });
}

// A host name, IPv4 or IPv6 address; it is written into chrony.conf, so nothing else may pass.
bool valid_host(std::string_view s) {
  return !s.empty() && s.size() <= 253 && s.front() != '-' &&
         std::all_of(s.begin(), s.end(),
                     [](char c) { return is_alnum(c) || c == '.' || c == '-' || c == ':'; });
}

// A duplicity target URL: scheme://rest, printable and without spaces.
bool valid_target_url(std::string_view s) {
  const auto sep = s.find("://");
  if (sep == s.npos || sep == 0 || sep + 3 >= s.size() || s.size() > 2048 ||
      !std::isalpha(static_cast<unsigned char>(s.front()))) {
    return false;
  }
  const std::string_view scheme = s.substr(0, sep);
  return std::all_of(
             scheme.begin(), scheme.end(),
             [](char c) { return is_lower_alnum(c) || c == '+' || c == '.' || c == '-'; }) &&
         std::all_of(s.begin(), s.end(), [](char c) {
           const auto u = static_cast<unsigned char>(c);
           return u > 0x20 && u != 0x7f && c != '"' && c != '\\';
         });
}

std::string check_image_reference(std::string_view value) {
  if (value.empty() || value.size() > 512) {
    return "is not a valid image reference";
  }
  std::string_view name = value;
  std::string_view tag;
  std::string_view digest;
  if (const auto at = name.find('@'); at != name.npos) {
    digest = name.substr(at + 1);
    name = name.substr(0, at);
    const auto colon = digest.find(':');
    const std::string_view algorithm = digest.substr(0, colon);
    const std::string_view hex = colon == digest.npos ? "" : digest.substr(colon + 1);
    if (algorithm.empty() || !std::isalpha(static_cast<unsigned char>(algorithm.front())) ||
        !std::all_of(
            algorithm.begin(), algorithm.end(),
            [](char c) { return is_alnum(c) || c == '+' || c == '.' || c == '_' || c == '-'; }) ||
        hex.size() < 32 || !std::all_of(hex.begin(), hex.end(), is_hex)) {
      return "is not a valid image reference: bad digest";
    }
  }
  const auto slash = name.rfind('/');
  if (const auto colon = name.rfind(':');
      colon != name.npos && (slash == name.npos || colon > slash)) {
    tag = name.substr(colon + 1);
    name = name.substr(0, colon);
    if (tag.empty() || tag.size() > 128 || tag.front() == '.' || tag.front() == '-' ||
        !std::all_of(tag.begin(), tag.end(),
                     [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; })) {
      return "is not a valid image reference: bad tag";
    }
  }
  if (name.empty() || name.size() > 255) {
    return "is not a valid image reference";
  }
  std::size_t start = 0;
  bool first = true;
  while (true) {
    const std::size_t next = name.find('/', start);
    const std::string_view part = name.substr(start, next == name.npos ? name.npos : next - start);
    const bool is_domain = first && next != name.npos &&
                           (part.find_first_of(".:") != part.npos || part == "localhost");
    if (is_domain ? !valid_domain(part) : !valid_path_component(part)) {
      return "is not a valid image reference: bad name " + json_quoted(part);
    }
    if (next == name.npos) {
      break;
    }
    start = next + 1;
    first = false;
  }
  // An unpinned image changes under a running App; `latest` is the same thing by name.
  if (digest.empty() && (tag.empty() || tag == "latest")) {
    return "is not pinned: give a version tag or a digest";
  }
  return "";
}

std::string check_quantity(std::string_view value) {
  static constexpr std::string_view kSuffixes[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei",
                                                   "k",  "M",  "G",  "T",  "P",  "E"};
  std::string_view number = value;
  for (const auto suffix : kSuffixes) {
    if (number.size() > suffix.size() && number.ends_with(suffix)) {
      number.remove_suffix(suffix.size());
      break;
    }
  }
  const auto dot = number.find('.');
  const std::string_view whole = number.substr(0, dot);
  const std::string_view fraction = dot == number.npos ? "" : number.substr(dot + 1);
  if (whole.empty() || number.size() > 20 || !std::all_of(whole.begin(), whole.end(), is_digit) ||
      (dot != number.npos &&
       (fraction.empty() || !std::all_of(fraction.begin(), fraction.end(), is_digit)))) {
    return "is not a size such as 20Gi or 500Mi";
  }
  if (std::all_of(number.begin(), number.end(), [](char c) { return c == '0' || c == '.'; })) {
    return "must be more than zero";
  }
  return "";
}

std::string check_cron_schedule(std::string_view value) {
  static constexpr std::string_view kMacros[] = {"@yearly", "@annually", "@monthly", "@weekly",
                                                 "@daily",  "@midnight", "@hourly"};
  if (std::find(std::begin(kMacros), std::end(kMacros), value) != std::end(kMacros)) {
    return "";
  }
  if (value.size() > 100) {
    return "is not a cron schedule";
  }
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < value.size()) {
    if (value[i] == ' ' || value[i] == '\t') {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < value.size() && value[i] != ' ' && value[i] != '\t') {
      ++i;
    }
    fields.push_back(value.substr(start, i - start));
  }
  const bool well_formed = std::all_of(fields.begin(), fields.end(), [](std::string_view f) {
    return std::all_of(f.begin(), f.end(), [](char c) {
      return is_alnum(c) || c == '*' || c == '/' || c == ',' || c == '-' || c == '?';
    });
  });
  if (fields.size() != 5 || !well_formed) {
    return "is not a cron schedule of five fields such as \"17 3 * * *\" (the time zone comes "
           "from spec.settings.timezone)";
  }
  return "";
}

}  // namespace mcm::app::detail
