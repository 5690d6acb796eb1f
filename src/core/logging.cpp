#include <mcm/core/logging.hpp>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace mcm {
namespace {

// Formats a record as one JSON object: {"ts","level","logger","msg"}. The message is escaped
// by a real JSON writer, so a quote or newline in a message cannot break the line.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto ts = std::chrono::duration_cast<std::chrono::microseconds>(
                        msg.time.time_since_epoch())
                        .count();
    nlohmann::json line = {
        {"ts", static_cast<double>(ts) / 1e6},
        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                              spdlog::level::to_string_view(msg.level).size())},
        {"logger", std::string(msg.logger_name.data(), msg.logger_name.size())},
        {"msg", std::string(msg.payload.data(), msg.payload.size())}};
    const auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

Result<LogFormat> parse_log_format(std::string_view text) {
  if (text == "text") {
    return LogFormat::Text;
  }
  if (text == "json") {
    return LogFormat::Json;
  }
  return fail(Errc::Invalid, "log format '" + std::string(text) + "': expected text or json");
}

std::unique_ptr<spdlog::formatter> make_formatter(LogFormat format) {
  if (format == LogFormat::Json) {
    return std::make_unique<JsonFormatter>();
  }
  return std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%eZ %-5l [%n] %v",
                                                     spdlog::pattern_time_type::utc);
}

Result<void> setup_logging(const LogOptions& options) {
  const auto level = spdlog::level::from_str(options.level);
  if (level == spdlog::level::off && options.level != "off") {
    return fail(Errc::Invalid, "log level '" + options.level +
                                   "': expected trace, debug, info, warn, error, critical or off");
  }
  spdlog::set_level(level);
  spdlog::set_formatter(make_formatter(options.format));
  return {};
}

std::shared_ptr<spdlog::logger> logger(const std::string& name) {
  if (auto existing = spdlog::get(name)) {
    return existing;
  }
  auto created = spdlog::default_logger()->clone(name);
  spdlog::register_logger(created);
  return created;
}

std::string redact(std::string_view value) {
  if (value.size() <= 4) {
    return std::string(value.size(), '*');
  }
  return std::string(value.substr(0, 4)) + std::string(8, '*');
}

}  // namespace mcm
