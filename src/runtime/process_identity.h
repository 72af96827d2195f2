// The process id, cached so that the span start path can tell the process's first thread (whose
// thread id equals the pid) from the others with one load and a compare. Refreshed in the child of
// a fork(), where the forking thread becomes the child's first thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace weft::detail {

extern std::atomic<std::int64_t> cached_pid;
std::int64_t refresh_cached_pid() noexcept;

inline std::int64_t process_id() noexcept {
  const std::int64_t pid = cached_pid.load(std::memory_order_relaxed);
  return __builtin_expect(pid != 0, 1) ? pid : refresh_cached_pid();
}

}  // namespace weft::detail
