#include "runtime/process_identity.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/thread_state.h"

namespace weft::detail {

std::atomic<std::int64_t> cached_pid{0};

namespace {

// In the child only the forking thread exists, with a new thread id equal to the new pid: keep
// its thread.id and the first-thread test true to that.
void refresh_in_child() noexcept {
  cached_pid.store(static_cast<std::int64_t>(getpid()), std::memory_order_relaxed);
  if (ThreadState* state = tls_thread_state) {
    state->thread_id = static_cast<std::int64_t>(syscall(SYS_gettid));
    state->lost_context_reported = false;
  }
}

const bool fork_handler_installed = [] {
  pthread_atfork(nullptr, nullptr, &refresh_in_child);
  return true;
}();

}  // namespace

std::int64_t refresh_cached_pid() noexcept {
  (void)fork_handler_installed;
  const auto pid = static_cast<std::int64_t>(getpid());
  cached_pid.store(pid, std::memory_order_relaxed);
  return pid;
}

}  // namespace weft::detail
