// Making any executor carry context: ContextExecutor wraps an executor so that every callable
// handed to it through execute(), post(), dispatch(), defer() or submit() runs under the context
// that was current where it was handed over. It offers exactly the calls the wrapped executor
// offers, and forwards Boost.Asio's query()/require()/prefer(), so it can be passed to
// boost::asio::post() and friends in place of the executor it wraps.
//
//   boost::asio::thread_pool io(4);
//   weft::ContextExecutor executor(io.get_executor());
//   boost::asio::post(executor, [&] { weft::ScopedSpan read = tracer.start_scoped_span("read"); });
//   executor.execute([&] { /* also under the caller's context */ });
//
// Without an adapter, weft::wrap() does the same for a single callable.
#pragma once

#include <type_traits>
#include <utility>

#include "weft/wrap.h"

namespace weft {

template <class Executor>
class ContextExecutor {
 public:
  explicit ContextExecutor(Executor inner) : inner_(std::move(inner)) {}

  template <class Callable, class Inner = Executor>
  auto execute(Callable&& work) const -> decltype(std::declval<Inner&>().execute(wrap(work))) {
    return inner_.execute(wrap(std::forward<Callable>(work)));
  }
  template <class Callable, class... Rest, class Inner = Executor>
  auto post(Callable&& work, Rest&&... rest) const
      -> decltype(std::declval<Inner&>().post(wrap(work), std::forward<Rest>(rest)...)) {
    return inner_.post(wrap(std::forward<Callable>(work)), std::forward<Rest>(rest)...);
  }
  template <class Callable, class... Rest, class Inner = Executor>
  auto dispatch(Callable&& work, Rest&&... rest) const
      -> decltype(std::declval<Inner&>().dispatch(wrap(work), std::forward<Rest>(rest)...)) {
    return inner_.dispatch(wrap(std::forward<Callable>(work)), std::forward<Rest>(rest)...);
  }
  template <class Callable, class... Rest, class Inner = Executor>
  auto defer(Callable&& work, Rest&&... rest) const
      -> decltype(std::declval<Inner&>().defer(wrap(work), std::forward<Rest>(rest)...)) {
    return inner_.defer(wrap(std::forward<Callable>(work)), std::forward<Rest>(rest)...);
  }
  template <class Callable, class Inner = Executor>
  auto submit(Callable&& work) const -> decltype(std::declval<Inner&>().submit(wrap(work))) {
    return inner_.submit(wrap(std::forward<Callable>(work)));
  }

  // Boost.Asio's property protocol: queries go to the wrapped executor; require() and prefer()
  // return an adapter around the executor the wrapped one returns.
  template <class Property, class Inner = Executor>
  auto query(const Property& property) const
      -> decltype(std::declval<const Inner&>().query(property)) {
    return inner_.query(property);
  }
  template <class Property, class Inner = Executor>
  auto require(const Property& property) const
      -> ContextExecutor<std::decay_t<decltype(std::declval<const Inner&>().require(property))>> {
    return ContextExecutor<std::decay_t<decltype(std::declval<const Inner&>().require(property))>>(
        inner_.require(property));
  }
  template <class Property, class Inner = Executor>
  auto prefer(const Property& property) const
      -> ContextExecutor<std::decay_t<decltype(std::declval<const Inner&>().prefer(property))>> {
    return ContextExecutor<std::decay_t<decltype(std::declval<const Inner&>().prefer(property))>>(
        inner_.prefer(property));
  }

  const Executor& inner() const noexcept { return inner_; }

  friend bool operator==(const ContextExecutor& a, const ContextExecutor& b) noexcept {
    return a.inner_ == b.inner_;
  }
  friend bool operator!=(const ContextExecutor& a, const ContextExecutor& b) noexcept {
    return !(a == b);
  }

 private:
  // Executors are handles: handing work to one does not change the adapter, whatever constness
  // the wrapped executor's own calls declare.
  mutable Executor inner_;
};

template <class Executor>
ContextExecutor(Executor) -> ContextExecutor<Executor>;

}  // namespace weft
