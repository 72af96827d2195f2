// Runtime monitoring of context loss: check_context() and what it records, the count of root
// spans started off the first thread, and strict mode's one report per thread.
#include "weft/context_check.h"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "test_provider.h"
#include "weft/diagnostics.h"
#include "weft/thread.h"
#include "weft/thread_name.h"

namespace weft {
namespace {

std::string check_attribute(const SpanData& span, std::string_view key = "weft.context.check") {
  const AttributeValue* value = find_attribute(span.attributes, key);
  return value != nullptr ? std::get<std::string>(*value) : std::string("(none)");
}

class Messages {
 public:
  Messages() {
    set_log_handler([this](LogLevel, std::string_view message) {
      std::lock_guard<std::mutex> lock(mutex_);
      lines_.emplace_back(message);
    });
  }
  ~Messages() { set_log_handler({}); }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

class ContextCheckTest : public ::testing::Test {
 protected:
  void SetUp() override { reset_diagnostics(); }
};

TEST_F(ContextCheckTest, OkWhenTheExpectedTraceArrivedRecordedOnTheCurrentSpan) {
  testing::MemoryProvider memory;
  Tracer tracer = memory.tracer();
  ScopedSpan request = tracer.start_scoped_span("request");
  const TraceId expected = request.context().trace_id;
  ContextCheck outcome = ContextCheck::kMissing;
  Thread worker([&] {
    ScopedSpan work = tracer.start_scoped_span("work");
    outcome = check_context(expected);
  });
  worker.join();
  EXPECT_EQ(outcome, ContextCheck::kOk);
  EXPECT_EQ(check_attribute(memory.find("work")), "ok");
  EXPECT_EQ(diagnostics().context_checks_failed, 0u);
}

// A request's ScopedSpan freed by another thread stays its opener's current span (the context is
// left unchanged there); a check on the opener then records nothing rather than follow it (ASan
// checks that), and still returns and counts its outcome.
TEST_F(ContextCheckTest, AfterAScopedSpanIsFreedOnAnotherThreadTheCheckRecordsOnNoSpan) {
  Messages messages;  // the misuse is logged
  testing::MemoryProvider memory;
  Tracer tracer = memory.tracer();
  ContextCheck with_expected = ContextCheck::kMissing;
  ContextCheck with_other = ContextCheck::kMissing;
  std::thread opener([&] {  // its context stays the request's: not this test's thread
    auto request = std::make_unique<ScopedSpan>(tracer.start_span("request"));
    const TraceId expected = request->context().trace_id;
    std::thread([&request] { request.reset(); }).join();
    with_expected = check_context(expected);
    with_other = check_context(generate_trace_id());
  });
  opener.join();
  EXPECT_EQ(diagnostics().foreign_thread_detaches, 1u);
  EXPECT_EQ(with_expected, ContextCheck::kOk);
  EXPECT_EQ(with_other, ContextCheck::kWrongTrace);
  EXPECT_EQ(diagnostics().context_checks_failed, 1u);
  memory.provider->force_flush();
  EXPECT_EQ(check_attribute(memory.find("request")), "(none)");
  reset_diagnostics();
}

TEST_F(ContextCheckTest, MissingWhenNothingIsCurrentCountedAndReportedOncePerThread) {
  Messages messages;
  ContextCheck first = ContextCheck::kOk;
  ContextCheck second = ContextCheck::kOk;
  std::thread worker([&] {
    set_thread_name("lonely-worker");
    first = check_context();
    second = check_context(generate_trace_id());
  });
  worker.join();
  EXPECT_EQ(first, ContextCheck::kMissing);
  EXPECT_EQ(second, ContextCheck::kMissing);
  EXPECT_EQ(diagnostics().context_checks_failed, 2u);
  const std::vector<std::string> lines = messages.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("lonely-worker"), std::string::npos) << lines[0];
}

TEST_F(ContextCheckTest, WrongTraceRecordsTheExpectedTraceOnTheSpan) {
  Messages messages;
  testing::MemoryProvider memory;
  Tracer tracer = memory.tracer();
  const TraceId expected = generate_trace_id();
  {
    ScopedSpan other = tracer.start_scoped_span("other");
    EXPECT_EQ(check_context(expected), ContextCheck::kWrongTrace);
    EXPECT_EQ(check_context(), ContextCheck::kOk);  // some context is there, though
  }
  const SpanData other = memory.find("other");
  EXPECT_EQ(check_attribute(other), "ok");  // the last check's outcome
  EXPECT_EQ(check_attribute(other, "weft.context.expected_trace_id"), expected.to_hex());
  EXPECT_EQ(diagnostics().context_checks_failed, 1u);
}

TEST_F(ContextCheckTest, AHandedOverContextHasNoSpanHereToRecordOn) {
  testing::MemoryProvider memory;
  Tracer tracer = memory.tracer();
  ScopedSpan request = tracer.start_scoped_span("request");
  Context handed_over = Context::current();
  std::thread worker([&] {
    Scope scope(handed_over);
    EXPECT_EQ(check_context(request.context().trace_id), ContextCheck::kOk);
  });
  worker.join();
  request.span().end();
  EXPECT_EQ(check_attribute(memory.find("request")), "(none)");  // not touched from the worker
}

TEST_F(ContextCheckTest, RootSpansAreCountedOnlyOffTheFirstThread) {
  testing::MemoryProvider memory;
  Tracer tracer = memory.tracer();
  tracer.start_span("root on the main thread").end();
  EXPECT_EQ(diagnostics().root_spans_off_main_thread, 0u);

  std::thread forgotten([&] {
    tracer.start_span("root on a worker").end();
    {
      ScopedSpan parent = tracer.start_scoped_span("another root on a worker");
      tracer.start_span("a child is not counted").end();
    }
    StartSpanOptions new_trace;
    new_trace.new_root = true;
    tracer.start_span("an explicit new trace is not counted", new_trace).end();
  });
  forgotten.join();
  EXPECT_EQ(diagnostics().root_spans_off_main_thread, 2u);

  // A thread that was handed the context starts no root.
  ScopedSpan request = tracer.start_scoped_span("request");
  Thread handed([&] { tracer.start_span("child on a worker").end(); });
  handed.join();
  EXPECT_EQ(diagnostics().root_spans_off_main_thread, 2u);
}

TEST_F(ContextCheckTest, StrictModeReportsEachSuspiciousThreadOnceWithItsName) {
  Messages messages;
  Options options;
  options.strict_context = true;
  testing::MemoryProvider memory(std::move(options));
  Tracer tracer = memory.tracer();
  tracer.start_span("main root").end();  // the first thread: not suspicious
  for (const char* name : {"forgetful-1", "forgetful-2"}) {
    std::thread worker([&tracer, name] {
      set_thread_name(name);
      tracer.start_span("lost-a").end();
      tracer.start_span("lost-b").end();  // the same thread again: counted, not reported
    });
    worker.join();
  }
  EXPECT_EQ(diagnostics().root_spans_off_main_thread, 4u);
  const std::vector<std::string> lines = messages.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("\"forgetful-1\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("\"lost-a\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("\"forgetful-2\""), std::string::npos) << lines[1];
}

TEST_F(ContextCheckTest, WithoutStrictModeSuspiciousRootsAreOnlyCounted) {
  Messages messages;
  testing::MemoryProvider memory;
  Tracer tracer = memory.tracer();
  std::thread worker([&tracer] { tracer.start_span("lost").end(); });
  worker.join();
  EXPECT_EQ(diagnostics().root_spans_off_main_thread, 1u);
  EXPECT_TRUE(messages.lines().empty());
}

TEST_F(ContextCheckTest, StrictModeComesFromTheEnvironment) {
  for (const auto& [value, expected] : std::vector<std::pair<std::string, bool>>{
           {"1", true}, {"true", true}, {"0", false}, {"false", false}}) {
    Config config =
        finalize_config({}, testing::fake_environment({{"WEFT_STRICT_CONTEXT", value}}));
    EXPECT_EQ(config.strict_context, expected) << value;
  }
  Config bad = finalize_config({}, testing::fake_environment({{"WEFT_STRICT_CONTEXT", "yes"}}));
  EXPECT_FALSE(bad.strict_context);
  ASSERT_EQ(bad.warnings.size(), 1u);
  EXPECT_NE(bad.warnings[0].find("WEFT_STRICT_CONTEXT"), std::string::npos);
}

}  // namespace
}  // namespace weft
