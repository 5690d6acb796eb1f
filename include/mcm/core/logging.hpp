#pragma once
// Process-wide logging set-up: spdlog, text for people or one JSON object per line for
// collectors. Components take a named logger with `logger("op.app")`; messages say what
// happened first, then facts: `log->info("reconciled {} phase={}", key, phase)`.
//
// Nothing secret is ever passed to a logger: tokens, passwords, private keys and mail bodies
// stay out of messages. redact() helps where a value of unknown content must be shown.

#include <mcm/core/result.hpp>

#include <spdlog/formatter.h>
#include <spdlog/logger.h>

#include <memory>
#include <string>
#include <string_view>

namespace mcm {

enum class LogFormat { Text, Json };

struct LogOptions {
  LogFormat format = LogFormat::Text;
  std::string level = "info";  // trace, debug, info, warn, error, critical, off
};

Result<LogFormat> parse_log_format(std::string_view text);
// The formatter for a format: text lines, or {"ts","level","logger","msg"} JSON objects.
std::unique_ptr<spdlog::formatter> make_formatter(LogFormat format);
// Installs the default sink and pattern; loggers created before or after share it.
Result<void> setup_logging(const LogOptions& options);
// A named logger sharing the default sink, created on first use.
std::shared_ptr<spdlog::logger> logger(const std::string& name);
// Keeps the first 4 characters of a credential-like value and masks the rest.
std::string redact(std::string_view value);

}  // namespace mcm
