// weft::async: std::async whose task runs under the caller's context, for both launch policies.
#include "weft/async.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "test_provider.h"

namespace weft {
namespace {

TEST(AsyncTest, TheTaskRunsUnderTheCallersContextOnANewThread) {
  testing::MemoryProvider memory;
  Tracer tracer = memory.tracer();
  SpanContext parent;
  std::future<std::thread::id> ran_on;
  {
    ScopedSpan request = tracer.start_scoped_span("request");
    parent = request.context();
    ran_on = weft::async(std::launch::async, [&tracer] {
      tracer.start_span("quote").end();
      return std::this_thread::get_id();
    });
  }
  EXPECT_NE(ran_on.get(), std::this_thread::get_id());
  EXPECT_EQ(memory.find("quote").parent_span_id, parent.span_id);
  EXPECT_EQ(memory.find("quote").context.trace_id, parent.trace_id);
}

TEST(AsyncTest, ADeferredTaskRunsAtGetUnderTheContextOfTheCall) {
  testing::MemoryProvider memory;
  Tracer tracer = memory.tracer();
  SpanId parent;
  std::future<int> deferred;
  {
    ScopedSpan request = tracer.start_scoped_span("request");
    parent = request.context().span_id;
    deferred = weft::async(
        std::launch::deferred,
        [&tracer](int a, int b) {
          tracer.start_span("lazy").end();
          return a * b;
        },
        6, 7);
  }
  {
    ScopedSpan elsewhere = tracer.start_scoped_span("elsewhere");
    EXPECT_EQ(deferred.get(), 42);
    EXPECT_EQ(Context::current().span_context(), elsewhere.context());  // restored afterwards
  }
  EXPECT_EQ(memory.find("lazy").parent_span_id, parent);
}

TEST(AsyncTest, TheDefaultPolicyAndExceptionsWorkAsInStdAsync) {
  std::future<int> failing = weft::async(
      [](int value) -> int { throw std::invalid_argument("bad " + std::to_string(value)); }, 3);
  EXPECT_THROW(failing.get(), std::invalid_argument);
}

}  // namespace
}  // namespace weft
