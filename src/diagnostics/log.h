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
inline void log_once(std::atomic<bool>& flag, LogLevel level, std::string_view message) noexcept {
  if (!flag.exchange(true, std::memory_order_relaxed)) log(level, message);
}

}  // namespace weft::detail
