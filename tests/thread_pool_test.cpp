// weft::ThreadPool: results and exceptions through futures, fire-and-forget tasks, waiting for
// idle, orderly shutdown, the submitter's context in every task and nothing of it in the next,
// task spans with their queue wait, named workers — and a stress test for ThreadSanitizer.
#include "weft/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "test_provider.h"
#include "weft/diagnostics.h"

namespace weft {
namespace {

Context context_with_new_span() {
  SpanContext span;
  span.trace_id = generate_trace_id();
  span.span_id = generate_span_id();
  span.flags = TraceFlags(TraceFlags::kSampled);  // so that spans started under it are recorded
  return Context().with_span(span);
}

std::int64_t int_attribute(const SpanData& span, std::string_view key) {
  const AttributeValue* value = find_attribute(span.attributes, key);
  return value != nullptr ? std::get<std::int64_t>(*value) : -1;
}

TEST(ThreadPoolTest, SubmitYieldsResultsAndTakesArgumentsAndMoveOnlyCallables) {
  ThreadPool pool(2, "calc");
  auto owned = std::make_unique<int>(40);
  std::future<int> sum =
      pool.submit([owned = std::move(owned)](int extra) { return *owned + extra; }, 2);
  std::future<std::string> text =
      pool.submit([](std::string a, const std::string& b) { return a + b; }, std::string("we"),
                  std::string("ft"));
  std::future<void> nothing = pool.submit([] {});
  EXPECT_EQ(sum.get(), 42);
  EXPECT_EQ(text.get(), "weft");
  nothing.get();
}

TEST(ThreadPoolTest, SubmitRethrowsTheTasksExceptionAndTheWorkerGoesOn) {
  ThreadPool pool(1, "failing");
  std::future<int> failing = pool.submit([]() -> int { throw std::out_of_range("index 9"); });
  EXPECT_THROW(failing.get(), std::out_of_range);
  EXPECT_EQ(pool.submit([] { return 7; }).get(), 7);
}

TEST(ThreadPoolTest, PostRunsMoveOnlyTasksAndALoggedExceptionDoesNotStopTheWorker) {
  std::vector<std::string> logged;
  std::mutex log_mutex;
  set_log_handler([&](LogLevel, std::string_view message) {
    std::lock_guard<std::mutex> lock(log_mutex);
    logged.emplace_back(message);
  });
  std::atomic<int> ran{0};
  {
    ThreadPool pool(1, "posting");
    pool.post([] { throw std::runtime_error("disk full"); });
    auto counter = std::make_unique<std::atomic<int>*>(&ran);
    pool.post([counter = std::move(counter)] { (*counter)->fetch_add(1); });
    pool.wait();
  }
  set_log_handler({});
  EXPECT_EQ(ran.load(), 1);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_NE(logged[0].find("disk full"), std::string::npos) << logged[0];
  EXPECT_NE(logged[0].find("posting"), std::string::npos) << logged[0];
}

TEST(ThreadPoolTest, WaitReturnsOnlyWhenNothingIsQueuedOrRunning) {
  ThreadPool pool(2, "waiting");
  std::atomic<int> finished{0};
  for (int i = 0; i < 20; ++i) {
    pool.post([&finished] {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      finished.fetch_add(1);
    });
  }
  pool.wait();
  EXPECT_EQ(finished.load(), 20);
  pool.wait_idle();  // the older name still works, and an idle pool returns at once
}

TEST(ThreadPoolTest, WaitFromOwnTaskReturnsInsteadOfDeadlocking) {
  set_log_handler([](LogLevel, std::string_view) {});
  ThreadPool pool(1, "self-waiting");
  std::future<void> done = pool.submit([&pool] { pool.wait(); });
  EXPECT_EQ(done.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  set_log_handler({});
}

TEST(ThreadPoolTest, ShutdownRunsWhatIsQueuedThenRefusesNewTasks) {
  set_log_handler([](LogLevel, std::string_view) {});
  ThreadPool pool(1, "closing");
  std::atomic<int> ran{0};
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  pool.post([released] { released.wait(); });
  for (int i = 0; i < 5; ++i) pool.post([&ran] { ran.fetch_add(1); });
  std::thread closer([&pool] { pool.shutdown(); });
  release.set_value();
  closer.join();
  EXPECT_EQ(ran.load(), 5);
  std::future<int> refused = pool.submit([] { return 1; });
  try {
    refused.get();
    ADD_FAILURE() << "a task submitted after shutdown ran";
  } catch (const std::future_error& error) {
    EXPECT_EQ(error.code(), std::future_errc::broken_promise);
  }
  pool.shutdown();  // a second shutdown does nothing
  set_log_handler({});
}

TEST(ThreadPoolTest, TasksOfThePoolMayStillQueueWorkWhileItShutsDown) {
  std::atomic<int> ran{0};
  {
    ThreadPool pool(2, "draining");
    pool.post([&pool, &ran] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // shutdown starts meanwhile
      pool.post([&ran] { ran.fetch_add(1); });
      ran.fetch_add(1);
    });
  }  // the destructor shuts down
  EXPECT_EQ(ran.load(), 2);
}

TEST(ThreadPoolTest, EveryTaskRunsUnderItsSubmittersContext) {
  ThreadPool pool(3, "carrying");
  std::vector<Context> submitted;
  std::vector<std::future<Context>> seen;
  for (int i = 0; i < 12; ++i) {
    submitted.push_back(context_with_new_span());
    Scope scope(submitted.back());
    seen.push_back(pool.submit([] { return Context::current(); }));
  }
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i].get(), submitted[i]);
}

TEST(ThreadPoolTest, NothingOfATasksContextLeaksIntoTheNextTaskOnTheWorker) {
  ThreadPool pool(1, "reused");
  {
    Scope scope(context_with_new_span());
    // A task that opens scopes of its own and even leaves one open.
    pool.submit([] {
          static thread_local std::unique_ptr<Scope> leaked;
          leaked = std::make_unique<Scope>(context_with_new_span());
        })
        .get();
  }
  // Submitted from an empty context: the task must see an empty context.
  EXPECT_FALSE(pool.submit([] { return Context::current().has_span(); }).get());
}

TEST(ThreadPoolTest, WorkersAreNamedAfterThePool) {
  testing::MemoryProvider memory;
  Tracer tracer = memory.tracer();
  ThreadPool pool(2, "resizer");
  EXPECT_EQ(pool.size(), 2u);
  EXPECT_EQ(pool.name(), "resizer");
  std::set<std::string> names;
  std::mutex names_mutex;
  std::vector<std::future<void>> done;
  for (int i = 0; i < 40; ++i) {
    done.push_back(pool.submit([&tracer] {
      tracer.start_span("resize").end();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }));
  }
  for (auto& future : done) future.get();
  for (const SpanData& span : memory.spans->spans()) names.insert(span.thread_name);
  EXPECT_EQ(names, (std::set<std::string>{"resizer-1", "resizer-2"}));
}

TEST(ThreadPoolTest, TaskSpansRecordTheQueueWaitAndAreChildrenOfTheSubmitter) {
  testing::MemoryProvider memory;
  Tracer tracer = memory.tracer();
  ThreadPoolOptions options;
  options.threads = 1;
  options.name = "timed";
  options.task_spans = tracer;
  ThreadPool pool(std::move(options));
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  SpanContext submitter;
  {
    ScopedSpan request = tracer.start_scoped_span("request");
    submitter = request.context();
    pool.post([released] { released.wait(); });  // holds the worker
    pool.post([&tracer] { tracer.start_span("inner").end(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(30));  // the second task waits
    release.set_value();
    pool.wait();
  }
  std::vector<SpanData> task_spans;
  for (const SpanData& span : memory.spans->spans()) {
    if (span.name == "timed task") task_spans.push_back(span);
  }
  ASSERT_EQ(task_spans.size(), 2u);
  const SpanData& waited = task_spans[1];
  EXPECT_EQ(waited.parent_span_id, submitter.span_id);
  EXPECT_GE(int_attribute(waited, "weft.pool.queue_wait_ns"), 25'000'000);
  const AttributeValue* pool_name = find_attribute(waited.attributes, "weft.pool.name");
  ASSERT_NE(pool_name, nullptr);
  EXPECT_EQ(std::get<std::string>(*pool_name), "timed");
  EXPECT_EQ(memory.find("inner").parent_span_id, waited.context.span_id);
}

TEST(ThreadPoolTest, APoolThatDoesNotCarryContextStartsTasksEmpty) {
  ThreadPoolOptions options;
  options.threads = 1;
  options.carry_context = false;
  ThreadPool pool(std::move(options));
  Scope scope(context_with_new_span());
  EXPECT_FALSE(pool.submit([] { return Context::current().has_span(); }).get());
}

// Many short tasks on every worker, submitted from several threads at once, each checking it got
// its submitter's context: ThreadSanitizer checks the hand-over (make test-tsan).
TEST(ThreadPoolTest, StressManyShortTasksOnAllWorkers) {
  testing::MemoryProvider memory;
  Tracer tracer = memory.tracer();
  ThreadPool pool(4, "stress");
  constexpr int kSubmitters = 4;
  constexpr int kTasksEach = 2000;
  std::atomic<int> wrong_context{0};
  std::atomic<int> ran{0};
  std::vector<std::thread> submitters;
  for (int s = 0; s < kSubmitters; ++s) {
    submitters.emplace_back([&] {
      for (int i = 0; i < kTasksEach; ++i) {
        Scope scope(context_with_new_span());
        const Context expected = Context::current();
        auto task = [&, expected] {
          if (Context::current() != expected) wrong_context.fetch_add(1);
          if (ran.fetch_add(1) % 100 == 0) tracer.start_span("sampled-task").end();
        };
        if (i % 2 == 0) {
          pool.post(task);
        } else {
          pool.submit(task);
        }
      }
    });
  }
  for (std::thread& submitter : submitters) submitter.join();
  pool.wait();
  EXPECT_EQ(ran.load(), kSubmitters * kTasksEach);
  EXPECT_EQ(wrong_context.load(), 0);
  EXPECT_EQ(memory.spans->spans().size(), static_cast<std::size_t>(kSubmitters * kTasksEach / 100));
}

}  // namespace
}  // namespace weft
