#include "weft/thread_pool.h"

#include <exception>

#include "diagnostics/log.h"
#include "weft/thread_name.h"

namespace weft {

ThreadPool::ThreadPool(std::size_t threads, std::string name) : name_(std::move(name)) {
  if (threads == 0) threads = 1;
  workers_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) workers_.emplace_back([this, i] { work(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  task_ready_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void ThreadPool::post(std::function<void()> task) {
  enqueue(Context::current(), std::move(task));
}

void ThreadPool::wait_idle() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [this] { return queue_.empty() && running_ == 0; });
}

void ThreadPool::enqueue(Context context, std::function<void()> run) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(QueuedTask{std::move(context), std::move(run)});
  }
  task_ready_.notify_one();
}

void ThreadPool::work(std::size_t index) {
  set_thread_name(name_ + "-" + std::to_string(index + 1));
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    task_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything queued has run
    QueuedTask task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    {
      Scope scope(std::move(task.context));  // the submitter's context, for this task only
      try {
        task.run();
      } catch (const std::exception& error) {
        detail::log_error(std::string("thread pool task threw: ") + error.what());
      } catch (...) {
        detail::log_error("thread pool task threw a non-standard exception");
      }
    }
    task.run = nullptr;  // destroy the task's captures before reporting idle
    lock.lock();
    --running_;
    if (queue_.empty() && running_ == 0) idle_.notify_all();
  }
}

}  // namespace weft
