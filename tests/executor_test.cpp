// ContextExecutor: everything handed to a wrapped executor runs under the context of the code that
// handed it over — Boost.Asio's thread_pool (through asio's own post/dispatch/defer and the
// executor's execute) and a hand-written minimal executor.
#include "weft/executor.h"

#include <gtest/gtest.h>

#include <boost/asio/defer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "test_provider.h"

namespace weft {
namespace {

// The smallest executor there is: one thread draining a queue of std::function, with post().
class MinimalExecutor {
 public:
  MinimalExecutor() : thread_([this] { drain(); }) {}
  ~MinimalExecutor() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_one();
    thread_.join();
  }
  void post(std::function<void()> work) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(work));
    }
    ready_.notify_one();
  }

 private:
  void drain() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      std::function<void()> work = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      work();
      lock.lock();
    }
  }
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

// A handle to a MinimalExecutor, as executors are passed around: copied by value.
struct MinimalExecutorRef {
  MinimalExecutor* target;
  void post(std::function<void()> work) { target->post(std::move(work)); }  // not const
  friend bool operator==(MinimalExecutorRef a, MinimalExecutorRef b) {
    return a.target == b.target;
  }
};

class ExecutorTest : public ::testing::Test {
 protected:
  // Runs `hand_over` (which hands a task to some executor) inside a span, and checks that the
  // task's span became its child on another thread.
  void expect_task_joins_trace(const std::function<void(std::function<void()>)>& hand_over) {
    std::promise<void> finished;
    SpanContext parent;
    {
      ScopedSpan request = tracer_.start_scoped_span("request");
      parent = request.context();
      hand_over([this, &finished] {
        tracer_.start_span("task").end();
        finished.set_value();
      });
    }
    ASSERT_EQ(finished.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
    const SpanData task = memory_.find("task");
    EXPECT_EQ(task.context.trace_id, parent.trace_id);
    EXPECT_EQ(task.parent_span_id, parent.span_id);
    EXPECT_NE(task.thread_id, memory_.find("request").thread_id);
    memory_.spans->clear();
  }

  testing::MemoryProvider memory_;
  Tracer tracer_ = memory_.tracer();
};

TEST_F(ExecutorTest, AsioThreadPoolThroughAsiosPostDispatchAndDefer) {
  boost::asio::thread_pool io(2);
  ContextExecutor executor(io.get_executor());
  expect_task_joins_trace([&](std::function<void()> task) { boost::asio::post(executor, task); });
  expect_task_joins_trace(
      [&](std::function<void()> task) { boost::asio::dispatch(executor, task); });
  expect_task_joins_trace([&](std::function<void()> task) { boost::asio::defer(executor, task); });
  io.join();
}

TEST_F(ExecutorTest, AsioThreadPoolThroughTheExecutorsOwnCalls) {
  boost::asio::thread_pool io(2);
  ContextExecutor executor(io.get_executor());
  expect_task_joins_trace([&](std::function<void()> task) { executor.execute(task); });
  io.join();
}

TEST_F(ExecutorTest, WithoutTheAdapterAsioTasksLoseTheContext) {
  // The baseline the adapter exists for: the same call on the bare executor starts a new trace.
  boost::asio::thread_pool io(1);
  std::promise<bool> had_span;
  {
    ScopedSpan request = tracer_.start_scoped_span("request");
    boost::asio::post(io.get_executor(),
                      [&had_span] { had_span.set_value(Context::current().has_span()); });
  }
  EXPECT_FALSE(had_span.get_future().get());
  io.join();
}

TEST_F(ExecutorTest, AHandWrittenMinimalExecutor) {
  MinimalExecutor minimal;
  ContextExecutor executor(MinimalExecutorRef{&minimal});
  expect_task_joins_trace([&](std::function<void()> task) { executor.post(task); });
}

TEST_F(ExecutorTest, AdaptersCompareAsTheirExecutors) {
  MinimalExecutor first;
  MinimalExecutor second;
  EXPECT_TRUE(ContextExecutor(MinimalExecutorRef{&first}) ==
              ContextExecutor(MinimalExecutorRef{&first}));
  EXPECT_TRUE(ContextExecutor(MinimalExecutorRef{&first}) !=
              ContextExecutor(MinimalExecutorRef{&second}));
}

}  // namespace
}  // namespace weft
