// weft's own messages, routed to the handler set with weft::set_log_handler().
#pragma once

#include <atomic>
#include <string_view>

#include "weft/diagnostics.h"

namespace weft::detail {

void log(LogLevel level, std::string_view message) noexcept;

inline void log_warning(std::string_view message) noexcept { log(LogLevel::kWarning, message); }
inline void log_error(std::string_view message) noexcept { log(LogLevel::kError, message); }

// Logs only the first time `flag` is seen unset: for problems that would otherwise repeat per span.
// Once it is set, a load says so: an exchange on every call takes the flag's cache line for writing
// each time, from every thread that hits the problem (a producer dropping spans from a full queue).
inline void log_once(std::atomic<bool>& flag, LogLevel level, std::string_view message) noexcept {
  if (!flag.load(std::memory_order_relaxed) && !flag.exchange(true, std::memory_order_relaxed)) {
    log(level, message);
  }
}

// The default handler's threshold (a LogLevel; one past kError prints nothing) from the values of
// WEFT_LOG_LEVEL and OTEL_LOG_LEVEL (either may be null; weft's own wins). Names are matched in
// any case: debug (or trace, all), info, warning (or warn), error (or fatal), none (or off);
// anything else is the default, warning.
int log_threshold(const char* weft_level, const char* otel_level) noexcept;

}  // namespace weft::detail
