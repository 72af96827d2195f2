// A fixed-size thread pool whose tasks run under the context that was current where they were
// submitted, so spans started in a task are children of the submitter's span — with no extra line
// at the call site. A worker returns to an empty context after each task: nothing of one task's
// context leaks into the next. Workers are named "<name>-1", "<name>-2", ... (thread.name).
//
//   weft::ThreadPool pool(4, "worker");
//   std::future<int> answer = pool.submit([] { return compute(); });  // joins the current trace
//   pool.post([] { refresh_cache(); });                              // fire and forget
//   pool.wait();                                                     // until nothing is queued or
//   running
//
// With ThreadPoolOptions::task_spans set, each task also runs inside its own span, which records
// how long the task waited in the queue and ends with an error status if the task throws.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "weft/context.h"
#include "weft/tracer.h"

namespace weft {

struct ThreadPoolOptions {
  std::size_t threads = 0;         // 0: one per hardware thread
  std::string name = "weft-pool";  // workers are "<name>-1", "<name>-2", ...
  // When this tracer is enabled, each task runs inside a span "<name> task" (a child of the
  // submitter's span) with the attributes weft.pool.name and weft.pool.queue_wait_ns; a task that
  // throws ends it with status ERROR and an "exception" event.
  Tracer task_spans;
  // false: tasks start from an empty context, as in a pool that knows nothing of tracing.
  bool carry_context = true;
};

namespace detail {

// A move-only void() task (std::function needs copyable callables).
class PoolTask {
 public:
  PoolTask() noexcept = default;
  template <class Callable,
            class = std::enable_if_t<!std::is_same_v<std::decay_t<Callable>, PoolTask>>>
  explicit PoolTask(Callable&& callable)
      : impl_(std::make_unique<Holder<std::decay_t<Callable>>>(std::forward<Callable>(callable))) {}
  void operator()() { impl_->run(); }
  explicit operator bool() const noexcept { return impl_ != nullptr; }

 private:
  struct Base {
    virtual ~Base() = default;
    virtual void run() = 0;
  };
  template <class Callable>
  struct Holder final : Base {
    explicit Holder(Callable&& c) : callable(std::move(c)) {}
    explicit Holder(const Callable& c) : callable(c) {}
    void run() override { callable(); }
    Callable callable;
  };
  std::unique_ptr<Base> impl_;
};

// Runs the work and fulfils the promise; rethrows, so that the pool's task span sees the error.
template <class Result, class Work>
struct PromisedTask {
  std::promise<Result> promise;
  Work work;  // a tuple: the callable, then its arguments

  void operator()() {
    auto invoke_moved = [](auto&&... parts) -> decltype(auto) {
      return std::invoke(std::move(parts)...);
    };
    try {
      if constexpr (std::is_void_v<Result>) {
        std::apply(invoke_moved, std::move(work));
        promise.set_value();
      } else {
        promise.set_value(std::apply(invoke_moved, std::move(work)));
      }
    } catch (...) {
      promise.set_exception(std::current_exception());
      throw;
    }
  }
};

}  // namespace detail

class ThreadPool {
 public:
  // Starts `threads` workers named "<name>-1", "<name>-2", ...
  explicit ThreadPool(std::size_t threads, std::string name = "weft-pool");
  explicit ThreadPool(ThreadPoolOptions options);
  // shutdown(): runs what is queued, then joins the workers.
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues callable(args...); the future yields its result or rethrows its exception. After
  // shutdown() the task is refused: the future reports std::future_errc::broken_promise.
  template <class Callable, class... Args>
  auto submit(Callable&& callable, Args&&... args)
      -> std::future<std::invoke_result_t<std::decay_t<Callable>, std::decay_t<Args>...>> {
    using Result = std::invoke_result_t<std::decay_t<Callable>, std::decay_t<Args>...>;
    using Work = std::tuple<std::decay_t<Callable>, std::decay_t<Args>...>;
    detail::PromisedTask<Result, Work> task{
        {}, Work(std::forward<Callable>(callable), std::forward<Args>(args)...)};
    std::future<Result> future = task.promise.get_future();
    enqueue(detail::PoolTask(std::move(task)), /*has_future=*/true);
    return future;
  }

  // Queues `task` without a way to wait for it; an exception it throws is logged and dropped.
  template <class Callable>
  void post(Callable&& task) {
    enqueue(detail::PoolTask(std::forward<Callable>(task)), /*has_future=*/false);
  }

  // Waits until nothing is queued or running. Called from one of this pool's own tasks it would
  // wait for itself: it returns at once and logs an error instead.
  void wait();
  void wait_idle() { wait(); }

  // Stops taking tasks from outside the pool (tasks of this pool may still queue more), runs what
  // is queued, and joins the workers. Later calls do nothing.
  void shutdown();

  std::size_t size() const noexcept { return worker_count_; }
  const std::string& name() const noexcept { return options_.name; }

 private:
  struct QueuedTask {
    Context context;
    detail::PoolTask run;
    std::uint64_t enqueued_unix_nano = 0;  // only read with task spans
    bool has_future = false;
  };

  void enqueue(detail::PoolTask run, bool has_future);
  void work(std::size_t index);
  void run_task(QueuedTask& task);
  void run_in_span(QueuedTask& task);
  bool on_own_worker() const noexcept;

  ThreadPoolOptions options_;
  std::size_t worker_count_ = 0;
  std::mutex mutex_;
  std::condition_variable task_ready_;
  std::condition_variable idle_;
  std::deque<QueuedTask> queue_;
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace weft
