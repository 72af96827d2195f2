// A fixed-size thread pool whose tasks run under the context that was current where they were
// submitted, so spans started in a task are children of the submitter's span — with no extra line
// at the call site. A worker returns to an empty context after each task: nothing of one task's
// context leaks into the next.
//
//   weft::ThreadPool pool(4, "worker");
//   std::future<int> answer = pool.submit([] { return compute(); });  // joins the current trace
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "weft/context.h"

namespace weft {

class ThreadPool {
 public:
  // Starts `threads` workers named "<name>-1", "<name>-2", ...
  explicit ThreadPool(std::size_t threads, std::string name = "weft-pool");
  // Runs what is queued, then joins the workers.
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues `task`; the future yields its result or rethrows its exception.
  template <class F>
  auto submit(F&& task) -> std::future<std::invoke_result_t<std::decay_t<F>>> {
    using Result = std::invoke_result_t<std::decay_t<F>>;
    auto packaged = std::make_shared<std::packaged_task<Result()>>(std::forward<F>(task));
    std::future<Result> future = packaged->get_future();
    enqueue(Context::current(), [packaged] { (*packaged)(); });
    return future;
  }

  // Queues `task` without a way to wait for it; an exception it throws is logged and dropped.
  void post(std::function<void()> task);

  // Waits until the queue is empty and no task is running.
  void wait_idle();

  std::size_t size() const noexcept { return workers_.size(); }

 private:
  struct QueuedTask {
    Context context;
    std::function<void()> run;
  };

  void enqueue(Context context, std::function<void()> run);
  void work(std::size_t index);

  std::string name_;
  std::mutex mutex_;
  std::condition_variable task_ready_;
  std::condition_variable idle_;
  std::deque<QueuedTask> queue_;
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace weft
