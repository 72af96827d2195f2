// The threading scenarios, each run for real (threads, pools) and checked in what was
// exported: once in what an in-memory exporter received, once in the OTLP/JSON file read back.
// The scenarios are the ones `weft demo` runs (tools/weft/demo_scenarios.cpp).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <set>
#include <string>
#include <variant>

#include "demo_scenarios.h"
#include "test_provider.h"
#include "trace_checks.h"
#include "trace_file.h"
#include "weft/diagnostics.h"
#include "weft/exporter.h"
#include "weft/processor.h"
#include "weft/provider.h"
#include "weft/thread_name.h"

namespace weft {
namespace {

using testing::find_span;
using testing::shape_of;

class ThreadingScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/weft_scenarios_" + std::to_string(getpid()) + ".jsonl";
    std::remove(path_.c_str());
    Options options;
    options.service_name = "scenario-test";
    options.processors.push_back(make_simple_processor(make_memory_exporter(received_)));
    options.processors.push_back(make_batch_processor(make_file_exporter(path_)));
    provider_ = std::make_shared<TracerProvider>(
        finalize_config(std::move(options), testing::fake_environment({})));
    tracer_ = provider_->tracer("scenario-test");
    set_thread_name("main");
  }
  void TearDown() override { std::remove(path_.c_str()); }

  // Exports everything and reads both copies back.
  void finish() {
    ASSERT_TRUE(provider_->shutdown(std::chrono::seconds(10)));
    memory_ = received_->spans();
    cli::TraceFileContents contents = cli::read_trace_files({path_});
    ASSERT_TRUE(contents.problems.empty()) << contents.problems.front();
    file_ = std::move(contents.spans);
    ASSERT_EQ(file_.size(), memory_.size());
  }

  // One root, every parent present — in memory and in the file alike — on at least `min_threads`
  // threads (how many workers a pool uses for quick tasks is up to the scheduler). Returns the
  // span count.
  std::size_t expect_connected(const TraceId& trace, std::size_t min_threads) {
    testing::TraceShape in_memory = shape_of(memory_, trace);
    testing::TraceShape in_file = shape_of(file_, trace);
    EXPECT_TRUE(in_memory.connected()) << "roots " << in_memory.roots << ", broken links "
                                       << in_memory.broken_links << " of " << in_memory.spans;
    EXPECT_TRUE(in_file.connected()) << "roots " << in_file.roots << ", broken links "
                                     << in_file.broken_links << " of " << in_file.spans;
    EXPECT_EQ(in_file.spans, in_memory.spans);
    EXPECT_GE(in_memory.threads.size(), min_threads);
    EXPECT_EQ(in_file.threads, in_memory.threads);
    return in_memory.spans;
  }

  std::string path_;
  std::shared_ptr<InMemorySpans> received_ = std::make_shared<InMemorySpans>();
  std::shared_ptr<TracerProvider> provider_;
  Tracer tracer_;
  std::vector<SpanData> memory_;
  std::vector<cli::SpanRecord> file_;
};

std::string string_attribute(const SpanData& span, std::string_view key) {
  const AttributeValue* value = find_attribute(span.attributes, key);
  return value != nullptr && std::holds_alternative<std::string>(*value)
             ? std::get<std::string>(*value)
             : std::string();
}

TEST_F(ThreadingScenarioTest, ExplicitHandOffToThreeThreadsIsOneTrace) {
  const TraceId trace = cli::run_explicit_handoff_scenario(tracer_);
  finish();
  // main-operation, then worker-task and nested-task on each of three workers.
  EXPECT_EQ(expect_connected(trace, 4), 7u);
}

TEST_F(ThreadingScenarioTest, FiveTasksOnThreeWorkersAreOneTrace) {
  const TraceId trace = cli::run_thread_pool_scenario(tracer_);
  finish();
  EXPECT_EQ(expect_connected(trace, 2), 11u);  // main on its thread, up to three workers
  for (const SpanData& span : memory_) {
    if (span.name == "worker-task") {
      EXPECT_EQ(span.parent_span_id,
                find_span(memory_, trace, "main-operation (thread pool)")->context.span_id);
      EXPECT_EQ(span.thread_name.rfind("pool-worker-", 0), 0u) << span.thread_name;
    }
  }
}

TEST_F(ThreadingScenarioTest, NestedFanOutAcrossTwoPoolsFourLevelsDeepIsOneTrace) {
  const TraceId trace = cli::run_nested_fan_out_scenario(tracer_);
  finish();
  const testing::TraceShape shape = shape_of(memory_, trace);
  EXPECT_TRUE(shape.connected());
  EXPECT_TRUE(shape_of(file_, trace).connected());
  EXPECT_EQ(shape.spans, 16u);  // the main operation and 1 + 2 + 4 + 8 tasks
  // Each level's spans are children of the level above, on both pools' workers.
  std::set<std::string> pools;
  for (const SpanData& span : memory_) {
    if (span.name.rfind("fan-out level ", 0) != 0) continue;
    pools.insert(span.thread_name.substr(0, 5));
    const int level = std::stoi(span.name.substr(14));
    for (const SpanData& parent : memory_) {
      if (parent.context.span_id != span.parent_span_id) continue;
      EXPECT_EQ(parent.name, level == 1 ? std::string("main-operation (nested fan-out)")
                                        : "fan-out level " + std::to_string(level - 1));
    }
  }
  EXPECT_EQ(pools, (std::set<std::string>{"fan-a", "fan-b"}));
}

TEST_F(ThreadingScenarioTest, AReusedWorkerPutsEachTasksSpansInItsOwnTrace) {
  const std::vector<TraceId> traces = cli::run_reused_worker_scenario(tracer_);
  finish();
  ASSERT_EQ(traces.size(), 3u);
  EXPECT_EQ(std::set<TraceId>(traces.begin(), traces.end()).size(), 3u);
  std::set<std::int64_t> step_threads;
  for (std::size_t request = 0; request < traces.size(); ++request) {
    EXPECT_EQ(expect_connected(traces[request], 2), 3u);  // the request and its two steps
    for (const SpanData& span : memory_) {
      if (span.context.trace_id != traces[request] || span.name != "request-step") continue;
      step_threads.insert(span.thread_id);
      const AttributeValue* index = find_attribute(span.attributes, "request.index");
      ASSERT_NE(index, nullptr);
      EXPECT_EQ(std::get<std::int64_t>(*index), static_cast<std::int64_t>(request + 1));
    }
  }
  EXPECT_EQ(step_threads.size(), 1u);  // all six steps ran on the one worker
}

TEST_F(ThreadingScenarioTest, ATaskThatThrowsEndsItsSpanWithErrorAndTheWorkerGoesOnClean) {
  const cli::ExceptionScenario result = cli::run_exception_scenario(tracer_);
  finish();
  EXPECT_TRUE(result.future_rethrew);
  EXPECT_TRUE(result.next_task_clean);
  EXPECT_EQ(expect_connected(result.trace, 2), 5u);

  const SpanData* failing_step = find_span(memory_, result.trace, "failing-step");
  ASSERT_NE(failing_step, nullptr);
  const SpanData* failed_task = nullptr;
  const SpanData* next_task = nullptr;
  for (const SpanData& span : memory_) {
    if (span.name != "failing-pool task") continue;
    (span.context.span_id == failing_step->parent_span_id ? failed_task : next_task) = &span;
  }
  ASSERT_NE(failed_task, nullptr);
  ASSERT_NE(next_task, nullptr);
  EXPECT_EQ(failed_task->status.code, StatusCode::kError);
  EXPECT_EQ(failed_task->status.message, "card declined");
  ASSERT_EQ(failed_task->events.size(), 1u);
  EXPECT_EQ(failed_task->events[0].name, "exception");
  EXPECT_EQ(std::get<std::string>(
                *find_attribute(failed_task->events[0].attributes, "exception.message")),
            "card declined");
  // The next task on the same worker is a sibling under the main operation, not a child of the
  // failed task, and its own step hangs below it.
  const SpanData* main_operation = find_span(memory_, result.trace, "main-operation (exception)");
  EXPECT_EQ(next_task->parent_span_id, main_operation->context.span_id);
  EXPECT_EQ(next_task->status.code, StatusCode::kUnset);
  EXPECT_EQ(next_task->thread_id, failed_task->thread_id);
  EXPECT_EQ(find_span(memory_, result.trace, "after-failure-step")->parent_span_id,
            next_task->context.span_id);
  // The file carries the error too.
  for (const cli::SpanRecord& span : file_) {
    if (span.span_id == failed_task->context.span_id.to_hex()) {
      EXPECT_EQ(span.status_code, cli::kStatusError);
      ASSERT_EQ(span.events.size(), 1u);
      EXPECT_EQ(span.events[0].name, "exception");
    }
  }
}

TEST_F(ThreadingScenarioTest, WorkersValidateTheTraceAndAForgottenThreadIsDetected) {
  reset_diagnostics();
  const cli::MonitoringScenario result = cli::run_monitoring_scenario(tracer_);
  finish();
  EXPECT_EQ(result.checks_passed, cli::kMonitoredWorkers);
  EXPECT_EQ(expect_connected(result.trace, 3), 1u + cli::kMonitoredWorkers);
  for (const SpanData& span : memory_) {
    if (span.context.trace_id == result.trace && span.name != "main-operation (monitoring)") {
      EXPECT_EQ(string_attribute(span, "weft.context.check"), "ok") << span.name;
    }
  }
  // The plain std::thread started a trace of its own, which was detected three ways.
  EXPECT_NE(result.lost_trace, result.trace);
  EXPECT_EQ(result.lost_check, ContextCheck::kWrongTrace);
  EXPECT_EQ(result.lost_roots_counted, 1u);
  const SpanData* lost = find_span(memory_, result.lost_trace, "un-propagated-work");
  ASSERT_NE(lost, nullptr);
  EXPECT_FALSE(lost->parent_span_id.is_valid());
  EXPECT_EQ(lost->thread_name, "forgotten-thread");
  EXPECT_EQ(string_attribute(*lost, "weft.context.check"), "wrong_trace");
  EXPECT_EQ(string_attribute(*lost, "weft.context.expected_trace_id"), result.trace.to_hex());
  EXPECT_EQ(diagnostics().context_checks_failed, 1u);
  EXPECT_EQ(diagnostics().root_spans_off_main_thread, 1u);
}

}  // namespace
}  // namespace weft
