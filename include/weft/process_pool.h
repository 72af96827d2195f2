// A pool of worker processes, created with fork(), for CPU-bound work that should not share an
// address space. Each task runs in a worker under the context of the code that submitted it, so
// its spans join the submitter's trace; the workers' spans are exported by this process.
//
//   std::int64_t sum_squares(std::vector<std::int64_t> chunk);
//   weft::ProcessPool pool(2);
//   std::future<std::int64_t> sum = pool.submit(sum_squares, chunk);   // joins the current trace
//
// Tasks are plain functions (the worker is a copy of this program, so the function's address is
// valid there). Arguments and results cross in bytes (weft/codec.h). A task that throws fails its
// future with a std::runtime_error carrying the message; a worker that dies fails its task with a
// weft::WorkerDied error naming the signal or exit code, and is replaced.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "weft/codec.h"
#include "weft/context.h"

namespace weft {

// A task's worker process died before the task finished.
class WorkerDied : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

// Runs in the worker: decodes the arguments, calls the function, encodes the result.
using TaskInvoker = void (*)(void* function, ByteReader& arguments, ByteWriter& result);

template <class R, class... Params>
void invoke_encoded(void* function, ByteReader& arguments, ByteWriter& result) {
  auto* typed = reinterpret_cast<R (*)(Params...)>(function);
  // Braced initialisation decodes the arguments left to right.
  std::tuple<std::decay_t<Params>...> values{decode<std::decay_t<Params>>(arguments)...};
  if constexpr (std::is_void_v<R>) {
    std::apply(typed, std::move(values));
  } else {
    encode(result, std::apply(typed, std::move(values)));
  }
}

struct EncodedTask {
  TaskInvoker invoker = nullptr;
  void* function = nullptr;
  std::string arguments;
  Context context;
  // Called once, in this process, with the result bytes or an error.
  std::function<void(ByteReader* result, std::exception_ptr error)> complete;
};

class ProcessPoolCore;

}  // namespace detail

class ProcessPool {
 public:
  // Starts `workers` processes (at least one).
  explicit ProcessPool(std::size_t workers);
  // Finishes every submitted task, then stops the workers and waits for them.
  ~ProcessPool();
  ProcessPool(const ProcessPool&) = delete;
  ProcessPool& operator=(const ProcessPool&) = delete;

  template <class R, class... Params, class... Args>
  std::future<R> submit(R (*function)(Params...), Args&&... args) {
    static_assert(sizeof...(Params) == sizeof...(Args), "wrong number of arguments");
    auto promise = std::make_shared<std::promise<R>>();
    std::future<R> future = promise->get_future();
    detail::EncodedTask task;
    task.invoker = &detail::invoke_encoded<R, Params...>;
    task.function = reinterpret_cast<void*>(function);
    ByteWriter arguments;
    (encode<std::decay_t<Params>>(arguments, std::forward<Args>(args)), ...);
    task.arguments = std::move(arguments.bytes());
    task.context = Context::current();
    task.complete = [promise](ByteReader* result, std::exception_ptr error) {
      if (error) {
        promise->set_exception(error);
        return;
      }
      try {
        if constexpr (std::is_void_v<R>) {
          promise->set_value();
        } else {
          promise->set_value(decode<R>(*result));
        }
      } catch (...) {
        promise->set_exception(std::current_exception());
      }
    };
    enqueue(std::move(task));
    return future;
  }

  std::size_t size() const noexcept;
  // How many workers were replaced after dying.
  std::size_t replaced_workers() const noexcept;
  // Waits for the submitted tasks, then stops the workers (the destructor does this too).
  void shutdown();

 private:
  void enqueue(detail::EncodedTask task);
  std::unique_ptr<detail::ProcessPoolCore> core_;
};

}  // namespace weft
