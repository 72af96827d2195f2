// Everything weft keeps per thread, behind one thread-local pointer: the current context and its
// open scopes, the thread's identity for thread.id/thread.name, a cache of span records, and the
// thread's queues into batch processors. The span hot path touches only this.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runtime/scope_stack.h"
#include "weft/context.h"

namespace weft::detail {

struct SpanRecord;
class SpanRing;

struct ThreadState {
  Context current;
  ScopeStack open_scopes;  // the scopes open on this thread, innermost last
  // The span of `current` when a ScopedSpan of this thread made it current (null when the context
  // came from elsewhere): what check_context() records its outcome on, unless a scope has ended
  // on another thread than its own (see scope_ended_on_another_thread()).
  Span* current_span = nullptr;

  // Unique per thread state for the life of the process: a state allocated after another thread's
  // was freed may get its address, so a Scope recognises its thread by this, not the address.
  const std::uint64_t serial;

  std::int64_t thread_id = 0;
  std::string thread_name;
  // Unique per (thread, name) for the life of the process; changes when the thread is renamed.
  std::uint64_t thread_name_serial;
  // Set once strict mode has reported a root span started on this thread (once per thread).
  bool lost_context_reported = false;

  std::vector<SpanRecord*> free_records;  // recycled records, reused before the shared pool

  // This thread's queue into each batch processor it has ended spans in, by processor id.
  std::vector<std::pair<std::uint64_t, std::shared_ptr<SpanRing>>> rings;

  ThreadState();
  ~ThreadState();
};

ThreadState* create_thread_state();

// Whether any Scope of this process has ended on another thread than the one that opened it
// (since start-up, or since reset_diagnostics() in tests). Its ScopedSpan may then have been freed
// while still its thread's current_span, so that pointer is no longer followed.
bool scope_ended_on_another_thread() noexcept;

// Defined here, constant-initialized, so that reading it is one %fs-relative load: declared
// `extern`, every read went through a call to the TLS init function of thread_state.cpp.
inline thread_local ThreadState* tls_thread_state = nullptr;

// The calling thread's state, created on first use. Also valid while the thread is exiting.
inline ThreadState& thread_state() {
  ThreadState* state = tls_thread_state;
  if (__builtin_expect(state == nullptr, 0)) state = create_thread_state();
  return *state;
}

// Names the calling thread for the spans it starts from now on.
void set_current_thread_name(std::string_view name);

}  // namespace weft::detail
