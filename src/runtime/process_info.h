// The calling process's id, cached so the span path can compare it with one load, and kept right
// in a fork()ed child. Also fixes the forking thread's own identity in the child (its thread id
// there is the child's pid: it is the child's main thread).
#pragma once

#include <atomic>
#include <cstdint>

namespace weft::detail {

extern std::atomic<std::int32_t> cached_process_id;

inline std::int32_t process_id() noexcept {
  return cached_process_id.load(std::memory_order_relaxed);
}

// The process's first thread, whose OS thread id equals the process id.
bool is_main_thread(std::int64_t thread_id) noexcept;

}  // namespace weft::detail
