// weft::Thread: a std::thread that starts under the creating thread's context, so the spans of the
// new thread join the trace that created it. The context is captured at construction and stays
// current for the thread's whole life. join(), detach(), moving and swapping work as for
// std::thread; an optional name becomes the thread's `thread.name` (and its OS name).
//
//   weft::ScopedSpan batch = tracer.start_scoped_span("import-batch");
//   weft::Thread loader = weft::Thread::named("loader", [&tracer] {
//     weft::ScopedSpan load = tracer.start_scoped_span("load");  // a child of "import-batch"
//   });
//   loader.join();
#pragma once

#include <functional>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>

#include "weft/context.h"
#include "weft/thread_name.h"

namespace weft {

class Thread {
 public:
  using id = std::thread::id;
  using native_handle_type = std::thread::native_handle_type;

  Thread() noexcept = default;

  // Runs callable(args...) on a new thread, like std::thread, under the current context.
  template <class Callable, class... Args,
            class = std::enable_if_t<!std::is_same_v<std::decay_t<Callable>, Thread>>>
  explicit Thread(Callable&& callable, Args&&... args)
      : thread_(start({}, std::forward<Callable>(callable), std::forward<Args>(args)...)) {}

  // The same, on a thread named `name`.
  template <class Callable, class... Args>
  static Thread named(std::string name, Callable&& callable, Args&&... args) {
    Thread thread;
    thread.thread_ =
        start(std::move(name), std::forward<Callable>(callable), std::forward<Args>(args)...);
    return thread;
  }

  Thread(Thread&&) noexcept = default;
  Thread& operator=(Thread&&) noexcept = default;  // std::terminate()s if this one is joinable
  Thread(const Thread&) = delete;
  Thread& operator=(const Thread&) = delete;

  bool joinable() const noexcept { return thread_.joinable(); }
  void join() { thread_.join(); }
  void detach() { thread_.detach(); }
  id get_id() const noexcept { return thread_.get_id(); }
  native_handle_type native_handle() { return thread_.native_handle(); }
  void swap(Thread& other) noexcept { thread_.swap(other.thread_); }
  static unsigned hardware_concurrency() noexcept { return std::thread::hardware_concurrency(); }

 private:
  template <class Callable, class... Args>
  static std::thread start(std::string name, Callable&& callable, Args&&... args) {
    // Copies made here, on the creating thread, as std::thread makes them.
    std::tuple<std::decay_t<Callable>, std::decay_t<Args>...> work(std::forward<Callable>(callable),
                                                                   std::forward<Args>(args)...);
    return std::thread(
        [context = Context::current(), name = std::move(name), work = std::move(work)]() mutable {
          if (!name.empty()) set_thread_name(name);
          Scope scope(std::move(context));
          std::apply([](auto&&... parts) { std::invoke(std::move(parts)...); }, std::move(work));
        });
  }

  std::thread thread_;
};

inline void swap(Thread& a, Thread& b) noexcept { a.swap(b); }

}  // namespace weft
