// weft::wrap: a wrapped callable runs under the context current at wrap time, wherever it runs,
// and the running thread's own context comes back afterwards — also when the callable throws.
#include "weft/wrap.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "test_provider.h"

namespace weft {
namespace {

Context context_with_new_span() {
  SpanContext span;
  span.trace_id = generate_trace_id();
  span.span_id = generate_span_id();
  return Context().with_span(span);
}

TEST(WrapTest, RunsUnderTheContextCurrentWhenWrappedOnAnotherThread) {
  const Context handed_over = context_with_new_span();
  auto task = [] { return Context::current(); };
  ContextBound<decltype(task)> wrapped = [&] {
    Scope scope(handed_over);
    return wrap(task);
  }();
  EXPECT_EQ(Context::current(), Context());  // the wrapping scope has ended here
  Context seen;
  std::thread worker([&] { seen = wrapped(); });
  worker.join();
  EXPECT_EQ(seen, handed_over);
}

TEST(WrapTest, RestoresTheRunningThreadsContextAfterwards) {
  const Context captured = context_with_new_span();
  const Context own = context_with_new_span();
  auto wrapped = wrap(captured, [] { return Context::current(); });
  Scope scope(own);
  EXPECT_EQ(wrapped(), captured);
  EXPECT_EQ(Context::current(), own);
}

TEST(WrapTest, RestoresTheRunningThreadsContextWhenTheCallableThrows) {
  const Context captured = context_with_new_span();
  const Context own = context_with_new_span();
  auto wrapped = wrap(captured, [] { throw std::runtime_error("failed"); });
  Scope scope(own);
  EXPECT_THROW(wrapped(), std::runtime_error);
  EXPECT_EQ(Context::current(), own);
}

TEST(WrapTest, TakesMoveOnlyCallablesArgumentsAndReturnsResults) {
  auto owned = std::make_unique<std::string>("prefix-");
  auto wrapped =
      wrap([owned = std::move(owned)](std::unique_ptr<int> number, const std::string& tail) {
        return *owned + std::to_string(*number) + tail;
      });
  static_assert(!std::is_copy_constructible_v<decltype(wrapped)>);
  auto moved = std::move(wrapped);
  EXPECT_EQ(moved(std::make_unique<int>(7), "-suffix"), "prefix-7-suffix");
}

TEST(WrapTest, ReturnsReferencesAsReferences) {
  int value = 1;
  auto wrapped = wrap([&value]() -> int& { return value; });
  wrapped() = 5;
  EXPECT_EQ(value, 5);
}

TEST(WrapTest, CanRunManyTimesEachTimeUnderTheSameContext) {
  const Context captured = context_with_new_span();
  const auto wrapped = wrap(captured, [] { return Context::current(); });  // const call
  for (int i = 0; i < 3; ++i) EXPECT_EQ(wrapped(), captured);
  EXPECT_EQ(wrapped.context(), captured);
}

TEST(WrapTest, SpansStartedInsideAreChildrenOfTheWrappingSpan) {
  testing::MemoryProvider memory;
  Tracer tracer = memory.tracer();
  std::function<void()> later;
  TraceId trace;
  SpanId parent;
  {
    ScopedSpan request = tracer.start_scoped_span("request");
    trace = request.context().trace_id;
    parent = request.context().span_id;
    later = wrap([&tracer] { tracer.start_span("callback").end(); });
  }
  std::thread worker(later);
  worker.join();
  const SpanData callback = memory.find("callback");
  EXPECT_EQ(callback.context.trace_id, trace);
  EXPECT_EQ(callback.parent_span_id, parent);
}

}  // namespace
}  // namespace weft
