// The context: an immutable value holding the active span's SpanContext and the baggage. Each
// thread has a current context; a Scope makes a context current until the end of a C++ scope.
//
//   weft::Context captured = weft::Context::current();          // on the handing-over thread
//   std::thread worker([captured] { weft::Scope scope(captured); /* spans here join the trace */ });
//
// Copying a Context is cheap and allocation-free (no shared counter is touched unless it carries
// trace state or baggage). Threads never share mutable state through it.
#pragma once

#include <cstdint>
#include <utility>

#include "weft/baggage.h"
#include "weft/span_context.h"

namespace weft {

class Context {
 public:
  Context() noexcept = default;

  // A copy of the calling thread's current context (empty when nothing is current).
  static Context current() noexcept;

  const SpanContext& span_context() const noexcept { return span_; }
  const Baggage& baggage() const noexcept { return baggage_; }
  // True when the context names a valid span (local or remote) that new spans can be children of.
  bool has_span() const noexcept { return span_.is_valid(); }

  Context with_span(SpanContext span) const {
    Context copy = *this;
    copy.span_ = std::move(span);
    return copy;
  }
  Context with_baggage(Baggage baggage) const {
    Context copy = *this;
    copy.baggage_ = std::move(baggage);
    return copy;
  }

  friend bool operator==(const Context& a, const Context& b) noexcept {
    return a.span_ == b.span_ && a.baggage_ == b.baggage_;
  }
  friend bool operator!=(const Context& a, const Context& b) noexcept { return !(a == b); }

 private:
  friend class Scope;  // replaces the span of the current context in place
  SpanContext span_;
  Baggage baggage_;
};

class Span;
class ScopedSpan;

namespace detail {
struct ThreadState;
}

// Makes `context` the calling thread's current context; the destructor restores the one that was
// current before. Scopes nest like C++ scopes. A scope that ends while scopes opened after it are
// still open (an out-of-order detach) restores its own predecessor, abandons the inner scopes
// (their later end changes nothing), and is counted in diagnostics and reported once — never
// undefined behaviour. A Scope must end on the thread that opened it.
class Scope {
 public:
  // Taken by reference, not by value: an intermediate copy of the context measurably slows every
  // hand-over to a thread or a pool task (bench/thread_benchmark.cpp).
  explicit Scope(const Context& context) noexcept;
  explicit Scope(Context&& context) noexcept;
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  friend class ScopedSpan;
  // Makes the current context, with `span_context` as its span, current; and `span` (started on
  // this thread) the span that check_context() records on.
  Scope(const SpanContext& span_context, Span* span) noexcept;
  inline void open(Span* span) noexcept;  // defined (and only used) in context.cpp

  detail::ThreadState* owner_;  // the opening thread's state
  Context previous_;
  Span* previous_span_ = nullptr;
  std::uint64_t owner_serial_;  // the opening thread's serial: its state's address may be reused
};

}  // namespace weft
