#include "runtime/process_info.h"

#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/thread_state.h"

namespace weft::detail {

std::atomic<std::int32_t> cached_process_id{static_cast<std::int32_t>(getpid())};

bool is_main_thread(std::int64_t thread_id) noexcept { return thread_id == process_id(); }

// Called first in a fork()ed child (runtime/fork_hooks.cpp), so every later handler sees the
// child's identity.
void update_identity_in_child() noexcept {
  cached_process_id.store(static_cast<std::int32_t>(getpid()), std::memory_order_relaxed);
  if (ThreadState* state = tls_thread_state) {
    state->thread_id = static_cast<std::int64_t>(syscall(SYS_gettid));
    state->lost_context_reported = false;  // strict mode reports per thread of each process
  }
}

}  // namespace weft::detail
