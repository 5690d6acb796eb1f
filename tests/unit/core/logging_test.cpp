#include <mcm/core/logging.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

namespace mcm {
namespace {

std::string log_one(LogFormat format, const std::string& message) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
  sink->set_formatter(make_formatter(format));
  spdlog::logger log("op.test", sink);
  log.warn("{}", message);
  return out.str();
}

TEST(Logging, JsonLinesStayValidWithQuotesAndNewlines) {
  const auto line = log_one(LogFormat::Json, "reconciled \"a\"\nphase=Running");
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one record, one line";
  const auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["msg"], "reconciled \"a\"\nphase=Running");
  EXPECT_EQ(parsed["level"], "warning");
  EXPECT_EQ(parsed["logger"], "op.test");
  EXPECT_GT(parsed["ts"].get<double>(), 1.7e9);
}

TEST(Logging, TextLinesNameTheLogger) {
  const auto line = log_one(LogFormat::Text, "hello");
  EXPECT_NE(line.find("[op.test] hello"), std::string::npos) << line;
}

TEST(Logging, ParsesFormatsAndRejectsUnknownLevels) {
  EXPECT_EQ(*parse_log_format("json"), LogFormat::Json);
  EXPECT_EQ(parse_log_format("xml").error().code, Errc::Invalid);
  EXPECT_FALSE(setup_logging({LogFormat::Text, "loud"}));
  EXPECT_TRUE(setup_logging({LogFormat::Text, "info"}));
}

TEST(Logging, RedactKeepsOnlyAPrefix) {
  EXPECT_EQ(redact("eyJhbGciOiJSUzI1NiIs"), "eyJh********");
  EXPECT_EQ(redact("abc"), "***");
}

}  // namespace
}  // namespace mcm
