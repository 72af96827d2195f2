// fork() called by the application itself, while other threads start and end spans and the
// export thread exports: no deadlock, ids that never repeat, the child's spans children of the
// span current at the fork, the child's own pid on its spans, and every span exported once.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "exported_traces.h"
#include "sanitizer_support.h"
#include "test_provider.h"
#include "weft/weft.h"

namespace weft {
namespace {

class ForkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WEFT_SKIP_WHEN_FORKED_CHILDREN_START_THREADS();
    path_ = ::testing::TempDir() + "weft-fork-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl";
    std::filesystem::remove(path_);
    reset_diagnostics();  // the counters are the process's: earlier tests' drops are not ours
    Options options;
    options.service_name = "fork-test";
    options.processors.push_back(make_batch_processor(make_file_exporter(path_)));
    provider_ = std::make_shared<TracerProvider>(
        finalize_config(std::move(options), testing::fake_environment({})));
  }
  void TearDown() override { std::filesystem::remove(path_); }

  // Runs `child` in a fork()ed child that flushes and leaves with _exit; returns the exit code.
  template <class F>
  int run_in_child(F child) {
    const pid_t pid = fork();
    if (pid == 0) {
      child();
      _exit(provider_->force_flush() ? 0 : 3);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  std::string path_;
  std::shared_ptr<TracerProvider> provider_;
};

TEST_F(ForkTest, ChildSpansAreChildrenOfTheSpanCurrentAtForkAndCarryTheChildsPid) {
  Tracer tracer = provider_->tracer("fork");
  pid_t child_pid = 0;
  {
    ScopedSpan parent = tracer.start_scoped_span("parent");
    const int code = run_in_child([&] {
      ScopedSpan work = tracer.start_scoped_span("child-work");
      tracer.start_span("child-step").end();
    });
    EXPECT_EQ(code, 0);
  }
  ASSERT_TRUE(provider_->force_flush());

  std::vector<cli::SpanRecord> spans = testing::read_exported_spans(path_);
  testing::expect_one_connected_trace(spans);
  ASSERT_EQ(spans.size(), 3u);
  const cli::SpanRecord* parent = testing::find_span(spans, "parent");
  const cli::SpanRecord* work = testing::find_span(spans, "child-work");
  const cli::SpanRecord* step = testing::find_span(spans, "child-step");
  ASSERT_TRUE(parent && work && step);
  EXPECT_EQ(work->parent_span_id, parent->span_id);
  EXPECT_EQ(step->parent_span_id, work->span_id);
  child_pid = static_cast<pid_t>(std::stoll(work->resource_attribute("process.pid")));
  EXPECT_NE(child_pid, getpid());
  EXPECT_EQ(work->resource_attribute("process.parent_pid"), std::to_string(getpid()));
  EXPECT_EQ(parent->resource_attribute("process.pid"), std::to_string(getpid()));
  // The forking thread is the child's main thread.
  EXPECT_EQ(work->attribute("thread.id"), std::to_string(child_pid));
}

TEST_F(ForkTest, SpansQueuedBeforeTheForkAreExportedOnceByTheParentOnly) {
  Tracer tracer = provider_->tracer("fork");
  for (int i = 0; i < 10; ++i) tracer.start_span("queued-before-fork").end();
  EXPECT_EQ(run_in_child([&] { tracer.start_span("in-child").end(); }), 0);
  ASSERT_TRUE(provider_->force_flush());

  std::vector<cli::SpanRecord> spans = testing::read_exported_spans(path_);
  EXPECT_EQ(testing::spans_named(spans, "queued-before-fork").size(), 10u);
  EXPECT_EQ(testing::spans_named(spans, "in-child").size(), 1u);
  for (const cli::SpanRecord* span : testing::spans_named(spans, "queued-before-fork")) {
    EXPECT_EQ(span->resource_attribute("process.pid"), std::to_string(getpid()));
  }
}

TEST_F(ForkTest, ASpanOpenAtTheForkAndEndedInTheChildIsExportedOnlyByTheParent) {
  Tracer tracer = provider_->tracer("fork");
  Span open = tracer.start_span("open-at-fork");
  const pid_t pid = fork();
  if (pid == 0) {
    open.end();  // the child's copy: discarded
    tracer.start_span("child-only").end();
    const bool flushed = provider_->force_flush();
    _exit(flushed && diagnostics().fork_copies_discarded >= 1 ? 0 : 4);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  open.end();
  ASSERT_TRUE(provider_->force_flush());

  std::vector<cli::SpanRecord> spans = testing::read_exported_spans(path_);
  const auto copies = testing::spans_named(spans, "open-at-fork");
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0]->resource_attribute("process.pid"), std::to_string(getpid()));
  EXPECT_EQ(testing::spans_named(spans, "child-only").size(), 1u);
}

TEST_F(ForkTest, ThreeGenerationsOfForkGiveOneConnectedTrace) {
  Tracer tracer = provider_->tracer("fork");
  {
    ScopedSpan root = tracer.start_scoped_span("generation-1");
    EXPECT_EQ(run_in_child([&] {
                ScopedSpan second = tracer.start_scoped_span("generation-2");
                const int grandchild = run_in_child(
                    [&] { ScopedSpan third = tracer.start_scoped_span("generation-3"); });
                second->set_attribute("grandchild.exit", grandchild);
              }),
              0);
  }
  ASSERT_TRUE(provider_->force_flush());
  std::vector<cli::SpanRecord> spans = testing::read_exported_spans(path_);
  ASSERT_EQ(spans.size(), 3u);
  testing::expect_one_connected_trace(spans);
  std::set<std::string> pids;
  for (const auto& span : spans) pids.insert(span.resource_attribute("process.pid"));
  EXPECT_EQ(pids.size(), 3u);
  EXPECT_EQ(testing::find_span(spans, "generation-2")->attribute("grandchild.exit"), "0");
}

// Hundreds of forks while two threads start and end spans as fast as they can and the export
// thread exports: the test finishing at all shows there is no deadlock.
TEST_F(ForkTest, AForkStormWhileThreadsProduceSpansLosesAndDuplicatesNothing) {
  constexpr int kForks = 200;
  Tracer tracer = provider_->tracer("fork");
  std::atomic<bool> stop{false};
  std::atomic<int> produced{0};
  std::vector<std::thread> producers;
  // Small bursts and a cap keep the file (which is read back whole) to a few MB: uncapped, a
  // slow storm on a loaded machine made producers write hundreds of MB, and reading them back
  // outlasted the test's timeout.
  constexpr int kMaxPerProducer = 20000;
  for (int t = 0; t < 2; ++t) {
    producers.emplace_back([&] {
      for (int made = 0; !stop.load() && made < kMaxPerProducer;) {
        for (int burst = 0; burst < 10; ++burst, ++made) {
          tracer.start_span("producer").end();
          produced.fetch_add(1);
        }
        std::this_thread::sleep_for(std::chrono::microseconds(500));
      }
    });
  }
  int failed_children = 0;
  {
    ScopedSpan storm = tracer.start_scoped_span("storm");
    for (int i = 0; i < kForks; ++i) {
      if (run_in_child([&] { tracer.start_span("forked").end(); }) != 0) ++failed_children;
    }
  }
  stop = true;
  for (auto& producer : producers) producer.join();
  ASSERT_TRUE(provider_->force_flush());
  EXPECT_EQ(failed_children, 0);

  std::vector<cli::SpanRecord> spans = testing::read_exported_spans(path_);
  std::set<std::string> span_ids;
  for (const auto& span : spans) {
    EXPECT_TRUE(span_ids.insert(span.span_id).second) << "span id twice: " << span.span_id;
  }
  const Diagnostics counts = diagnostics();
  EXPECT_EQ(testing::spans_named(spans, "forked").size(), static_cast<std::size_t>(kForks));
  EXPECT_EQ(testing::spans_named(spans, "producer").size() + counts.spans_dropped_queue_full,
            static_cast<std::size_t>(produced.load()));
  const cli::SpanRecord* storm = testing::find_span(spans, "storm");
  ASSERT_NE(storm, nullptr);
  for (const cli::SpanRecord* forked : testing::spans_named(spans, "forked")) {
    EXPECT_EQ(forked->parent_span_id, storm->span_id);
    EXPECT_NE(forked->resource_attribute("process.pid"), std::to_string(getpid()));
  }
}

}  // namespace
}  // namespace weft
