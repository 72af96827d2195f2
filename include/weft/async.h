// weft::async: std::async whose task runs under the caller's context, on a new thread
// (std::launch::async) or at get() (std::launch::deferred) alike.
//
//   weft::ScopedSpan request = tracer.start_scoped_span("handle-request");
//   std::future<Price> price = weft::async(std::launch::async, [&] { return quote(item); });
//   // spans started in quote() are children of "handle-request"
#pragma once

#include <future>
#include <type_traits>
#include <utility>

#include "weft/wrap.h"

namespace weft {

template <class Callable, class... Args>
auto async(std::launch policy, Callable&& callable, Args&&... args) {
  return std::async(policy, wrap(std::forward<Callable>(callable)), std::forward<Args>(args)...);
}

template <class Callable, class... Args,
          class = std::enable_if_t<!std::is_same_v<std::decay_t<Callable>, std::launch>>>
auto async(Callable&& callable, Args&&... args) {
  return std::async(wrap(std::forward<Callable>(callable)), std::forward<Args>(args)...);
}

}  // namespace weft
