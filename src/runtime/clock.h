// The span clock: wall-clock time in nanoseconds since the Unix epoch, as OTLP wants it. On Linux
// CLOCK_REALTIME is read through the vDSO without a system call.
#pragma once

#include <time.h>

#include <chrono>
#include <cstdint>

namespace weft::detail {

inline std::uint64_t now_unix_nano() noexcept {
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1000000000ULL +
         static_cast<std::uint64_t>(now.tv_nsec);
}

inline std::uint64_t to_unix_nano(std::chrono::system_clock::time_point time) noexcept {
  const auto since_epoch =
      std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
  return since_epoch < 0 ? 0 : static_cast<std::uint64_t>(since_epoch);
}

}  // namespace weft::detail
