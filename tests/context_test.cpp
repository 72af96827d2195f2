// Context and scopes: the current context per thread, nesting, restoring, and out-of-order
// detaches that are detected, counted and survived.
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "weft/context.h"
#include "weft/diagnostics.h"

namespace weft {
namespace {

Context context_with_new_span() {
  SpanContext span;
  span.trace_id = generate_trace_id();
  span.span_id = generate_span_id();
  return Context().with_span(span);
}

TEST(ContextTest, EmptyByDefault) {
  EXPECT_FALSE(Context::current().has_span());
  EXPECT_TRUE(Context::current().baggage().empty());
}

TEST(ContextTest, ScopesNestAndRestore) {
  Context first = context_with_new_span();
  Context second = context_with_new_span();
  {
    Scope outer(first);
    EXPECT_EQ(Context::current(), first);
    {
      Scope inner(second);
      EXPECT_EQ(Context::current(), second);
    }
    EXPECT_EQ(Context::current(), first);
  }
  EXPECT_EQ(Context::current(), Context());
}

TEST(ContextTest, EachThreadHasItsOwnCurrentContext) {
  Context main_context = context_with_new_span();
  Scope scope(main_context);
  bool worker_saw_empty = false;
  std::thread worker([&] { worker_saw_empty = !Context::current().has_span(); });
  worker.join();
  EXPECT_TRUE(worker_saw_empty);
  EXPECT_EQ(Context::current(), main_context);
}

TEST(ContextTest, WithBaggageKeepsTheSpan) {
  Context with_span = context_with_new_span();
  Context both = with_span.with_baggage(Baggage().set("user", "42"));
  EXPECT_EQ(both.span_context(), with_span.span_context());
  EXPECT_EQ(both.baggage().get("user"), std::optional<std::string_view>("42"));
  EXPECT_TRUE(with_span.baggage().empty()) << "contexts are immutable";
}

TEST(ContextTest, OutOfOrderDetachIsCountedAndRestoresTheOuterPredecessor) {
  reset_diagnostics();
  Context before = context_with_new_span();
  Scope base(before);
  auto outer = std::make_unique<Scope>(context_with_new_span());
  auto inner = std::make_unique<Scope>(context_with_new_span());
  outer.reset();  // ends while `inner` is still open
  EXPECT_EQ(diagnostics().out_of_order_detaches, 1u);
  EXPECT_EQ(Context::current(), before);
  inner.reset();  // abandoned: changes nothing
  EXPECT_EQ(Context::current(), before);
  Context later = context_with_new_span();
  {
    Scope next(later);
    EXPECT_EQ(Context::current(), later);
  }
  EXPECT_EQ(Context::current(), before);
  EXPECT_EQ(diagnostics().out_of_order_detaches, 2u);
}

// A thread lists its first 32 open scopes without allocating; deeper nesting grows the list, which
// must keep every entry, in order, for in-order and out-of-order ends alike.
TEST(ContextTest, ScopesNestFarDeeperThanTheListsFirstRoom) {
  reset_diagnostics();
  std::thread([] {
    constexpr int kDepth = 300;
    std::vector<Context> contexts;
    std::vector<std::unique_ptr<Scope>> scopes;
    for (int i = 0; i < kDepth; ++i) {
      contexts.push_back(context_with_new_span());
      scopes.push_back(std::make_unique<Scope>(contexts.back()));
      ASSERT_EQ(Context::current(), contexts.back()) << "depth " << i;
    }
    // The scope at depth 200 ends first: the 99 above it are abandoned.
    scopes[200].reset();
    EXPECT_EQ(Context::current(), contexts[199]);
    EXPECT_EQ(diagnostics().out_of_order_detaches, 1u);
    for (int i = kDepth - 1; i > 200; --i) scopes[static_cast<std::size_t>(i)].reset();
    EXPECT_EQ(Context::current(), contexts[199]) << "abandoned scopes change nothing";
    for (int i = 199; i >= 0; --i) {
      scopes[static_cast<std::size_t>(i)].reset();
      ASSERT_EQ(Context::current(), i == 0 ? Context() : contexts[static_cast<std::size_t>(i) - 1])
          << "after the end of depth " << i;
    }
    EXPECT_EQ(diagnostics().out_of_order_detaches, 100u) << "the first and the 99 abandoned";
  }).join();
}

TEST(ContextTest, ScopeEndedOnAnotherThreadIsCountedAndHarmless) {
  reset_diagnostics();
  std::unique_ptr<Scope> scope;
  Context inside;
  std::thread opener([&] {
    scope = std::make_unique<Scope>(context_with_new_span());
    inside = Context::current();
  });
  opener.join();
  scope.reset();  // on the main thread, which never had this scope
  EXPECT_EQ(diagnostics().foreign_thread_detaches, 1u);
  EXPECT_FALSE(Context::current().has_span()) << "this thread's context is untouched";
  EXPECT_TRUE(inside.has_span());
  reset_diagnostics();
}

// A request's scope ended (and freed) by another thread, as when a request finishes elsewhere:
// the opening thread keeps the request's context, and its own outer scope still restores the one
// from before, without following the freed scope (ASan checks that).
TEST(ContextTest, AScopeFreedOnAnotherThreadLeavesItsOwnerAbleToUnwind) {
  reset_diagnostics();
  const Context before = context_with_new_span();
  Scope base(before);
  const Context outer_context = context_with_new_span();
  const Context request_context = context_with_new_span();
  {
    Scope outer(outer_context);
    auto request = std::make_unique<Scope>(request_context);
    std::thread([&request] { request.reset(); }).join();
    EXPECT_EQ(diagnostics().foreign_thread_detaches, 1u);
    EXPECT_EQ(Context::current(), request_context) << "left unchanged on the owner";
    // A scope made now may take the freed one's memory; it still opens and ends in order.
    auto reused = std::make_unique<Scope>(outer_context);
    reused.reset();
    EXPECT_EQ(Context::current(), request_context);
  }  // `outer` ends below the freed request's entry: counted as out of order, and restored
  EXPECT_EQ(Context::current(), before);
  EXPECT_EQ(diagnostics().out_of_order_detaches, 1u);
  {
    Scope next(outer_context);
    EXPECT_EQ(Context::current(), outer_context);
  }
  EXPECT_EQ(Context::current(), before);
  reset_diagnostics();
}

}  // namespace
}  // namespace weft
