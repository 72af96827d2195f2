// weft::Thread: a std::thread whose whole life runs under the creating thread's context.
#include "weft/thread.h"

#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <memory>
#include <string>

#include "test_provider.h"

namespace weft {
namespace {

TEST(ThreadTest, SpansOfTheNewThreadAreChildrenOfTheCreatingSpan) {
  testing::MemoryProvider memory;
  Tracer tracer = memory.tracer();
  SpanContext parent;
  {
    ScopedSpan batch = tracer.start_scoped_span("batch");
    parent = batch.context();
    Thread loader([&tracer] {
      tracer.start_span("first").end();
      tracer.start_span("second").end();  // still under the captured context
    });
    loader.join();
  }
  for (const char* name : {"first", "second"}) {
    const SpanData span = memory.find(name);
    EXPECT_EQ(span.context.trace_id, parent.trace_id) << name;
    EXPECT_EQ(span.parent_span_id, parent.span_id) << name;
    EXPECT_NE(span.thread_id, memory.find("batch").thread_id) << name;
  }
}

TEST(ThreadTest, CapturesAtConstructionNotWhenTheThreadGetsToRun) {
  testing::MemoryProvider memory;
  Tracer tracer = memory.tracer();
  std::promise<void> go;
  std::shared_future<void> started = go.get_future().share();
  Thread worker;
  SpanId parent;
  {
    ScopedSpan request = tracer.start_scoped_span("request");
    parent = request.context().span_id;
    worker = Thread([&tracer, started] {
      started.wait();  // runs only after the creating scope has ended
      tracer.start_span("work").end();
    });
  }
  go.set_value();
  worker.join();
  EXPECT_EQ(memory.find("work").parent_span_id, parent);
}

TEST(ThreadTest, ANamedThreadsNameLandsInThreadName) {
  testing::MemoryProvider memory;
  Tracer tracer = memory.tracer();
  Thread worker =
      Thread::named("loader-with-a-long-name", [&tracer] { tracer.start_span("named").end(); });
  worker.join();
  EXPECT_EQ(memory.find("named").thread_name, "loader-with-a-long-name");
}

TEST(ThreadTest, PassesArgumentsLikeStdThread) {
  int result = 0;
  auto add = [](int& out, std::unique_ptr<int> a, int b) { out = *a + b; };
  Thread worker(add, std::ref(result), std::make_unique<int>(40), 2);
  worker.join();
  EXPECT_EQ(result, 42);
}

TEST(ThreadTest, MovesSwapsAndDetachesLikeStdThread) {
  std::promise<void> finished;
  std::future<void> done = finished.get_future();
  Thread first([&finished] { finished.set_value(); });
  Thread second;
  EXPECT_TRUE(first.joinable());
  EXPECT_FALSE(second.joinable());
  const Thread::id first_id = first.get_id();
  second = std::move(first);
  EXPECT_FALSE(first.joinable());
  EXPECT_EQ(second.get_id(), first_id);
  swap(first, second);
  EXPECT_EQ(first.get_id(), first_id);
  first.detach();
  EXPECT_FALSE(first.joinable());
  EXPECT_EQ(done.wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

TEST(ThreadTest, WithoutACurrentContextTheThreadStartsEmpty) {
  bool had_span = true;
  Thread worker([&had_span] { had_span = Context::current().has_span(); });
  worker.join();
  EXPECT_FALSE(had_span);
}

}  // namespace
}  // namespace weft
