// The default log handler's threshold, read from WEFT_LOG_LEVEL and OTEL_LOG_LEVEL.
#include "diagnostics/log.h"

#include <gtest/gtest.h>

namespace weft {
namespace {

constexpr int level(LogLevel l) { return static_cast<int>(l); }
constexpr int kNothing = level(LogLevel::kError) + 1;

TEST(LogThreshold, IsWarningWhenNeitherVariableIsSet) {
  EXPECT_EQ(detail::log_threshold(nullptr, nullptr), level(LogLevel::kWarning));
  EXPECT_EQ(detail::log_threshold("", nullptr), level(LogLevel::kWarning));
}

TEST(LogThreshold, ReadsOtelLogLevelInAnyCaseWithItsCommonNames) {
  EXPECT_EQ(detail::log_threshold(nullptr, "debug"), level(LogLevel::kDebug));
  EXPECT_EQ(detail::log_threshold(nullptr, "INFO"), level(LogLevel::kInfo));
  EXPECT_EQ(detail::log_threshold(nullptr, "warn"), level(LogLevel::kWarning));
  EXPECT_EQ(detail::log_threshold(nullptr, "Error"), level(LogLevel::kError));
  EXPECT_EQ(detail::log_threshold(nullptr, "none"), kNothing);
  EXPECT_EQ(detail::log_threshold(nullptr, "off"), kNothing);
}

TEST(LogThreshold, WeftLogLevelWinsOverOtelLogLevel) {
  EXPECT_EQ(detail::log_threshold("error", "debug"), level(LogLevel::kError));
  EXPECT_EQ(detail::log_threshold("", "debug"), level(LogLevel::kDebug));  // empty: not set
}

TEST(LogThreshold, AnUnknownNameKeepsTheDefault) {
  EXPECT_EQ(detail::log_threshold("loud", nullptr), level(LogLevel::kWarning));
  EXPECT_EQ(detail::log_threshold(nullptr, "verbose"), level(LogLevel::kWarning));
}

}  // namespace
}  // namespace weft
