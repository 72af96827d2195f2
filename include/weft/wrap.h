// Wrapping a callable so that it runs under the context that was current where it was wrapped —
// wherever and whenever it later runs: a queue of your own, a callback registry, another library's
// thread pool. The running thread's own context is restored afterwards, also when the callable
// throws. Move-only callables, any arguments and any return type work.
//
//   weft::ScopedSpan order = tracer.start_scoped_span("process-order");
//   queue.push(weft::wrap([&tracer] {                   // the context is captured here ...
//     weft::ScopedSpan charge = tracer.start_scoped_span("charge-card");  // ... and used here
//   }));
#pragma once

#include <functional>
#include <type_traits>
#include <utility>

#include "weft/context.h"

namespace weft {

// A callable bound to a context. Copyable when the callable is; may be called any number of times.
template <class Callable>
class ContextBound {
 public:
  ContextBound(Context context, Callable callable)
      : context_(std::move(context)), callable_(std::move(callable)) {}

  template <class... Args>
  decltype(auto) operator()(Args&&... args) & {
    Scope scope(context_);
    return std::invoke(callable_, std::forward<Args>(args)...);
  }
  template <class... Args>
  decltype(auto) operator()(Args&&... args) const& {
    Scope scope(context_);
    return std::invoke(callable_, std::forward<Args>(args)...);
  }
  // Called as an rvalue (std::thread, std::async, Asio handlers: run once), the context is moved
  // into place instead of copied.
  template <class... Args>
  decltype(auto) operator()(Args&&... args) && {
    Scope scope(std::move(context_));
    return std::invoke(std::move(callable_), std::forward<Args>(args)...);
  }

  const Context& context() const noexcept { return context_; }

 private:
  Context context_;
  Callable callable_;
};

// Binds `callable` to the calling thread's current context.
template <class Callable>
ContextBound<std::decay_t<Callable>> wrap(Callable&& callable) {
  return ContextBound<std::decay_t<Callable>>(Context::current(), std::forward<Callable>(callable));
}

// Binds `callable` to `context` (one captured earlier, or extracted from a carrier).
template <class Callable>
ContextBound<std::decay_t<Callable>> wrap(Context context, Callable&& callable) {
  return ContextBound<std::decay_t<Callable>>(std::move(context), std::forward<Callable>(callable));
}

}  // namespace weft
