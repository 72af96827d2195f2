// The current context and scopes. A thread's state holds its current context and lists its open
// scopes, so making a context current allocates nothing and touches no shared memory.
#include <atomic>
#include <utility>

#include "diagnostics/counters.h"
#include "diagnostics/log.h"
#include "runtime/thread_state.h"
#include "weft/context.h"

namespace weft {
namespace {

std::atomic<bool> out_of_order_reported{false};
std::atomic<bool> foreign_thread_reported{false};

}  // namespace

namespace detail {
bool scope_ended_on_another_thread() noexcept {
  return counters().foreign_thread_detaches.load(std::memory_order_relaxed) != 0;
}
}  // namespace detail

Context Context::current() noexcept { return detail::thread_state().current; }

// Inlined into each constructor: a call per hand-over shows in the hand-off figures.
__attribute__((always_inline)) inline void Scope::open(Span* span) noexcept {
  owner_serial_ = owner_->serial;
  // A context handed over from elsewhere has no span this thread may record on.
  previous_span_ = std::exchange(owner_->current_span, span);
  // When the list cannot grow, the scope is not listed and its end changes nothing (as an
  // abandoned scope's).
  owner_->open_scopes.push(this);
}

// The new context goes straight into the thread's state, the old one into previous_: no
// intermediate copy (each costs a few nanoseconds on every hand-over).
Scope::Scope(const Context& context) noexcept
    : owner_(&detail::thread_state()), previous_(std::move(owner_->current)) {
  owner_->current = context;
  open(nullptr);
}

Scope::Scope(Context&& context) noexcept
    : owner_(&detail::thread_state()), previous_(std::move(owner_->current)) {
  owner_->current = std::move(context);
  open(nullptr);
}

// A span made current keeps the current baggage: only the span of the current context changes.
Scope::Scope(const SpanContext& span_context, Span* span) noexcept
    : owner_(&detail::thread_state()), previous_(owner_->current) {
  owner_->current.span_ = span_context;
  open(span);
}

Scope::~Scope() {
  detail::ThreadState& state = detail::thread_state();
  if (&state != owner_ || state.serial != owner_serial_) {
    // The owner's list still names this scope; it only compares addresses, so its entry is
    // harmless once this memory is freed, and the owner drops it when an outer scope ends.
    detail::count(detail::counters().foreign_thread_detaches);
    detail::log_once(foreign_thread_reported, LogLevel::kError,
                     "a weft::Scope ended on another thread than the one that opened it; the "
                     "context was left unchanged (counted in diagnostics)");
    return;
  }
  detail::ScopeStack& scopes = state.open_scopes;
  if (!scopes.empty() && scopes.innermost() == this) {
    scopes.pop();
    state.current = std::move(previous_);
    state.current_span = previous_span_;
    return;
  }
  // Out of order: scopes opened after this one are still open (or ended on another thread), or
  // this one was abandoned already. The newest entry with this address is this scope: an entry
  // left by a freed scope whose memory this one reuses is older.
  detail::count(detail::counters().out_of_order_detaches);
  detail::log_once(out_of_order_reported, LogLevel::kWarning,
                   "a weft::Scope ended while a scope opened after it was still open; the context "
                   "from before it was restored and the inner scopes were abandoned (counted in "
                   "diagnostics, reported once)");
  for (std::size_t i = scopes.size(); i-- > 0;) {
    if (scopes[i] == this) {
      scopes.truncate(i);
      state.current = std::move(previous_);
      state.current_span = previous_span_;
      return;
    }
  }
}

}  // namespace weft
