#include "runtime/thread_state.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "export/span_ring.h"
#include "trace/record_pool.h"
#include "weft/environment.h"

namespace weft::detail {

namespace {

// Destroys the thread's state when the thread exits. Code that runs later during the exit (other
// thread-local destructors, atexit handlers) gets a fresh state that is never freed: a small leak
// instead of a use-after-free.
thread_local bool tls_reaped = false;  // trivially destructible, so readable during the exit

struct ThreadStateReaper {
  void arm() noexcept { armed = true; }
  ~ThreadStateReaper() {
    tls_reaped = true;
    delete tls_thread_state;
    tls_thread_state = nullptr;
  }
  bool armed = false;
};

thread_local ThreadStateReaper tls_reaper;

std::atomic<std::uint64_t> next_serial{1};
std::atomic<std::uint64_t> next_thread_name_serial{1};

// Scopes nest this deep before the list of a thread's open scopes allocates.
std::string os_thread_name() {
  char name[64] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof name) != 0) return {};
  return name;
}

}  // namespace

ThreadState::ThreadState()
    : serial(next_serial.fetch_add(1, std::memory_order_relaxed)),
      thread_id(static_cast<std::int64_t>(syscall(SYS_gettid))),
      thread_name(os_thread_name()),
      thread_name_serial(next_thread_name_serial.fetch_add(1, std::memory_order_relaxed)) {}

ThreadState::~ThreadState() {
  for (auto& entry : rings) entry.second->mark_producer_gone();
  release_records(free_records);
}

namespace {

// The main thread starts under the context the environment carries (TRACEPARENT, ...), once per
// process: a program started by a traced parent joins its trace without code.
void take_initial_context(ThreadState& state) {
  static std::atomic<bool> taken{false};
  if (state.thread_id != getpid() || taken.exchange(true)) return;
  const char* inherit = std::getenv("WEFT_INHERIT_CONTEXT");
  if (inherit != nullptr && (std::strcmp(inherit, "false") == 0 || std::strcmp(inherit, "0") == 0)) {
    return;
  }
  state.current = context_from_environment();
}

}  // namespace

ThreadState* create_thread_state() {
  auto* state = new ThreadState();
  tls_thread_state = state;
  if (!tls_reaped) tls_reaper.arm();  // the first use registers the reaper's destructor
  take_initial_context(*state);
  return state;
}

void set_current_thread_name(std::string_view name) {
  ThreadState& state = thread_state();
  state.thread_name.assign(name);
  state.thread_name_serial = next_thread_name_serial.fetch_add(1, std::memory_order_relaxed);
  // The kernel keeps at most 15 characters; weft keeps the whole name for thread.name.
  std::string short_name(name.substr(0, 15));
  pthread_setname_np(pthread_self(), short_name.c_str());
}

}  // namespace weft::detail
