// The pool: one mutex-protected queue, workers that make each task's captured context current for
// the task only, and an optional span per task.
#include "weft/thread_pool.h"

#include <exception>

#include "diagnostics/log.h"
#include "runtime/clock.h"
#include "threads/worker_context.h"
#include "weft/span.h"
#include "weft/thread_name.h"

namespace weft {
namespace {

// The pool whose worker the calling thread is (null elsewhere): lets a pool's own tasks keep
// queueing work while it shuts down, and catches wait()/shutdown() calls that would deadlock.
thread_local const ThreadPool* tls_worker_of = nullptr;

std::atomic<bool> refused_reported{false};

ThreadPoolOptions with_threads_and_name(std::size_t threads, std::string name) {
  ThreadPoolOptions options;
  options.threads = threads;
  options.name = std::move(name);
  return options;
}

void log_task_exception(const std::string& pool, const char* what) noexcept {
  try {
    detail::log_error("thread pool \"" + pool + "\": a posted task threw: " + what);
  } catch (...) {
  }
}

}  // namespace

ThreadPool::ThreadPool(std::size_t threads, std::string name)
    : ThreadPool(with_threads_and_name(threads, std::move(name))) {}

ThreadPool::ThreadPool(ThreadPoolOptions options) : options_(std::move(options)) {
  worker_count_ = options_.threads != 0 ? options_.threads : std::thread::hardware_concurrency();
  if (worker_count_ == 0) worker_count_ = 1;
  workers_.reserve(worker_count_);
  for (std::size_t i = 0; i < worker_count_; ++i) workers_.emplace_back([this, i] { work(i); });
}

ThreadPool::~ThreadPool() { shutdown(); }

bool ThreadPool::on_own_worker() const noexcept { return tls_worker_of == this; }

void ThreadPool::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  task_ready_.notify_all();
  if (on_own_worker()) {
    // A worker cannot join itself; the workers stop once the queue is empty, and whoever destroys
    // the pool joins them.
    detail::log_error("thread pool \"" + options_.name +
                      "\": shutdown() called from one of its own tasks; not waiting for the "
                      "workers there");
    return;
  }
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

void ThreadPool::wait() {
  if (on_own_worker()) {
    detail::log_error("thread pool \"" + options_.name +
                      "\": wait() called from one of its own tasks would wait for itself; "
                      "returned at once");
    return;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [this] { return queue_.empty() && running_ == 0; });
}

void ThreadPool::enqueue(detail::PoolTask run, bool has_future) {
  QueuedTask task;
  if (options_.carry_context) task.context = Context::current();
  if (options_.task_spans.enabled()) task.enqueued_unix_nano = detail::now_unix_nano();
  task.run = std::move(run);
  task.has_future = has_future;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && !on_own_worker()) {
      // Dropping the task breaks its promise: the submitter's future reports broken_promise.
      detail::log_once(refused_reported, LogLevel::kWarning,
                       "a task was queued to a weft::ThreadPool after its shutdown; it was not "
                       "run (reported once)");
      return;
    }
    queue_.push_back(std::move(task));
  }
  task_ready_.notify_one();
}

void ThreadPool::work(std::size_t index) {
  tls_worker_of = this;
  set_thread_name(options_.name + "-" + std::to_string(index + 1));
  detail::WorkerContext worker_context;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    task_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything queued has run
    QueuedTask task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    if (!options_.carry_context) {
      run_task(task);
    } else if (options_.task_spans.enabled()) {
      worker_context.run(std::move(task.context), [&] { run_in_span(task); });
    } else {
      // The submitter's context, for this task only.
      worker_context.run(std::move(task.context), [&] { run_task(task); });
    }
    task.run = detail::PoolTask();  // destroy the task's captures before reporting idle
    lock.lock();
    --running_;
    if (queue_.empty() && running_ == 0) idle_.notify_all();
  }
}

void ThreadPool::run_task(QueuedTask& task) {
  try {
    task.run();
  } catch (const std::exception& error) {
    if (!task.has_future) log_task_exception(options_.name, error.what());
  } catch (...) {
    if (!task.has_future) log_task_exception(options_.name, "a non-standard exception");
  }
}

void ThreadPool::run_in_span(QueuedTask& task) {
  const std::uint64_t started = detail::now_unix_nano();
  ScopedSpan span(options_.task_spans.start_span(options_.name + " task"));
  span->set_attribute("weft.pool.name", options_.name);
  span->set_attribute("weft.pool.queue_wait_ns",
                      static_cast<std::int64_t>(started > task.enqueued_unix_nano
                                                    ? started - task.enqueued_unix_nano
                                                    : 0));
  try {
    task.run();
  } catch (const std::exception& error) {
    span->record_exception(error);
    span->set_status(StatusCode::kError, error.what());
    if (!task.has_future) log_task_exception(options_.name, error.what());
  } catch (...) {
    span->record_exception("unknown", "a non-standard exception");
    span->set_status(StatusCode::kError, "a non-standard exception");
    if (!task.has_future) log_task_exception(options_.name, "a non-standard exception");
  }
}

}  // namespace weft
