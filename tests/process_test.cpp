// weft::spawn() and weft::fork_process(): the child joins the trace, its spans come back through
// the parent's exporter, and a child that dies early loses nothing it ended and has its open spans
// reported. Real processes throughout.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "exported_traces.h"
#include "global_file_provider.h"
#include "sanitizer_support.h"
#include "weft/weft.h"

namespace weft {
namespace {

using ProcessTest = testing::GlobalFileProviderTest;

Spawned spawn_traced_child(std::vector<std::string> arguments) {
  SpawnOptions options;
  options.argv = {WEFT_TRACED_CHILD};
  options.argv.insert(options.argv.end(), arguments.begin(), arguments.end());
  options.stdout_mode = Stdio::kNull;
  return spawn(std::move(options));
}

TEST_F(ProcessTest, ASpawnedWeftProgramJoinsTheTraceAndItsSpansAreExportedByTheParent) {
  Tracer tracer = get_tracer("test");
  pid_t child_pid = 0;
  {
    ScopedSpan parent = tracer.start_scoped_span("parent");
    Spawned started = spawn_traced_child({"spans"});
    ASSERT_TRUE(started) << started.error;
    child_pid = started.child->pid();
    EXPECT_TRUE(started.child->wait().success());
  }
  std::vector<cli::SpanRecord> spans = flushed_spans();
  testing::expect_one_connected_trace(spans);
  ASSERT_EQ(spans.size(), 4u);
  const cli::SpanRecord* parent = testing::find_span(spans, "parent");
  const cli::SpanRecord* spawn_span = testing::find_span(spans, "spawn weft_traced_child");
  const cli::SpanRecord* child_main = testing::find_span(spans, "child-main");
  const cli::SpanRecord* child_step = testing::find_span(spans, "child-step");
  ASSERT_TRUE(parent && spawn_span && child_main && child_step);
  EXPECT_EQ(spawn_span->parent_span_id, parent->span_id);
  EXPECT_EQ(child_main->parent_span_id, spawn_span->span_id);
  EXPECT_EQ(child_step->parent_span_id, child_main->span_id);
  EXPECT_EQ(spawn_span->attribute("process.pid"), std::to_string(child_pid));
  EXPECT_EQ(spawn_span->attribute("process.exit.code"), "0");
  EXPECT_EQ(child_main->resource_attribute("process.pid"), std::to_string(child_pid));
  EXPECT_EQ(child_main->resource_attribute("process.parent_pid"), std::to_string(getpid()));
  EXPECT_EQ(child_main->attribute("thread.id"), std::to_string(child_pid));
  EXPECT_EQ(parent->resource_attribute("process.pid"), std::to_string(getpid()));
  EXPECT_EQ(diagnostics().spans_received_from_children, 2u);
}

TEST_F(ProcessTest, AChildKilledBySigkillHasItsOpenSpanReportedWithTheSignal) {
  Tracer tracer = get_tracer("test");
  {
    ScopedSpan parent = tracer.start_scoped_span("parent");
    Spawned started = spawn_traced_child({"sigkill"});
    ASSERT_TRUE(started) << started.error;
    const ExitStatus status = started.child->wait();
    EXPECT_EQ(status.signal, SIGKILL);
    EXPECT_EQ(status.shell_code(), 128 + SIGKILL);
  }
  std::vector<cli::SpanRecord> spans = flushed_spans();
  testing::expect_one_connected_trace(spans);
  const cli::SpanRecord* doomed = testing::find_span(spans, "doomed");
  ASSERT_NE(doomed, nullptr);
  EXPECT_EQ(doomed->status_code, cli::kStatusError);
  EXPECT_EQ(doomed->attribute("weft.span.incomplete"), "true");
  EXPECT_EQ(doomed->attribute("weft.process.signal"), "SIGKILL");
  EXPECT_GE(doomed->end_ns, doomed->start_ns);
  const cli::SpanRecord* spawn_span = testing::find_span(spans, "spawn weft_traced_child");
  ASSERT_NE(spawn_span, nullptr);
  EXPECT_EQ(spawn_span->status_code, cli::kStatusError);
  EXPECT_EQ(spawn_span->attribute("weft.process.signal"), "SIGKILL");
  EXPECT_EQ(diagnostics().incomplete_spans_reported, 1u);
}

TEST_F(ProcessTest, AChildLeavingWithUnderscoreExitLosesNothingItEnded) {
  Spawned started = spawn_traced_child({"exit-early"});
  ASSERT_TRUE(started) << started.error;
  EXPECT_EQ(started.child->wait().exit_code, 3);
  std::vector<cli::SpanRecord> spans = flushed_spans();
  const cli::SpanRecord* finished = testing::find_span(spans, "finished");
  const cli::SpanRecord* unfinished = testing::find_span(spans, "unfinished");
  ASSERT_TRUE(finished && unfinished);
  EXPECT_EQ(finished->status_code, cli::kStatusUnset);
  EXPECT_EQ(finished->attribute("weft.span.incomplete"), "");
  EXPECT_EQ(unfinished->attribute("weft.span.incomplete"), "true");
  EXPECT_EQ(unfinished->attribute("process.exit.code"), "3");
  EXPECT_EQ(finished->parent_span_id, unfinished->span_id);
}

TEST_F(ProcessTest, AMissingProgramIsAClearErrorNotACrash) {
  SpawnOptions options;
  options.argv = {"/nonexistent/weft-no-such-program"};
  Spawned started = spawn(options);
  EXPECT_FALSE(started);
  EXPECT_EQ(started.error_number, ENOENT);
  EXPECT_NE(started.error.find("No such file"), std::string::npos) << started.error;
  EXPECT_FALSE(spawn(SpawnOptions{}));
}

TEST_F(ProcessTest, TheChildSeesTheSpawnSpanAsTraceparentReplacingAStaleOne) {
  const std::string out = path_ + ".env";
  SpawnOptions options;
  options.argv = {"/bin/sh", "-c", "printf '%s|%s' \"$TRACEPARENT\" \"$BAGGAGE\" > '" + out + "'"};
  options.environment = std::vector<std::string>{
      "TRACEPARENT=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "PATH=/usr/bin:/bin"};
  Tracer tracer = get_tracer("test");
  std::string expected;
  {
    ScopedSpan parent = tracer.start_scoped_span("parent");
    Scope with_baggage(Context::current().with_baggage(Baggage().set("user", "ada")));
    Spawned started = spawn(options);
    ASSERT_TRUE(started) << started.error;
    started.child->wait();
  }
  std::vector<cli::SpanRecord> spans = flushed_spans();
  const cli::SpanRecord* spawn_span = testing::find_span(spans, "spawn sh");
  ASSERT_NE(spawn_span, nullptr);
  std::ifstream file(out);
  std::stringstream seen;
  seen << file.rdbuf();
  EXPECT_EQ(seen.str(), "00-" + spawn_span->trace_id + "-" + spawn_span->span_id + "-03|user=ada");
  std::remove(out.c_str());
}

TEST_F(ProcessTest, WorkingDirectoryAndNullStdioAreApplied) {
  const std::string directory = path_ + ".dir";
  std::filesystem::create_directories(directory);
  SpawnOptions options;
  options.argv = {"/bin/sh", "-c", "pwd > where; echo noise; echo noise >&2; cat"};
  options.working_directory = directory;
  options.stdin_mode = Stdio::kNull;  // `cat` ends at once instead of waiting for input
  options.stdout_mode = Stdio::kNull;
  options.stderr_mode = Stdio::kNull;
  Spawned started = spawn(options);
  ASSERT_TRUE(started) << started.error;
  EXPECT_TRUE(started.child->wait().success());
  std::ifstream where(directory + "/where");
  std::string seen;
  std::getline(where, seen);
  EXPECT_EQ(std::filesystem::canonical(seen), std::filesystem::canonical(directory));
  std::filesystem::remove_all(directory);
}

TEST_F(ProcessTest, AMissingWorkingDirectoryIsNamedInTheError) {
  SpawnOptions options;
  options.argv = {"/bin/true"};
  options.working_directory = path_ + ".no-such-dir";
  Spawned started = spawn(options);
  ASSERT_FALSE(started);
  EXPECT_NE(started.error.find("working directory \"" + options.working_directory + "\""),
            std::string::npos)
      << started.error;
  EXPECT_NE(started.error.find("No such file or directory"), std::string::npos) << started.error;
  options.working_directory = "/bin/true";  // a file, not a directory
  started = spawn(options);
  ASSERT_FALSE(started);
  EXPECT_NE(started.error.find("Not a directory"), std::string::npos) << started.error;
}

TEST_F(ProcessTest, WithoutRelayTheChildExportsOnItsOwnAndStillJoinsTheTrace) {
  const std::string child_file = path_ + ".child";
  SpawnOptions options;
  options.argv = {WEFT_TRACED_CHILD, "spans"};
  options.relay_spans = false;
  options.environment = current_environment();
  options.environment->push_back("OTEL_TRACES_EXPORTER=file");
  options.environment->push_back("WEFT_TRACES_FILE=" + child_file);
  Tracer tracer = get_tracer("test");
  {
    ScopedSpan parent = tracer.start_scoped_span("parent");
    Spawned started = spawn(options);
    ASSERT_TRUE(started) << started.error;
    EXPECT_TRUE(started.child->wait().success());
  }
  std::vector<cli::SpanRecord> spans = flushed_spans();
  EXPECT_EQ(testing::find_span(spans, "child-main"), nullptr);
  std::vector<cli::SpanRecord> child_spans = testing::read_exported_spans(child_file);
  spans.insert(spans.end(), child_spans.begin(), child_spans.end());
  testing::expect_one_connected_trace(spans);
  EXPECT_EQ(spans.size(), 4u);
  std::remove(child_file.c_str());
}

TEST_F(ProcessTest, AWeftForkChildRelaysItsSpansEvenWhenItLeavesWithUnderscoreExit) {
  WEFT_SKIP_FORK_OF_THREADED_PROCESS_UNDER_ASAN();
  Tracer tracer = get_tracer("test");
  ExitStatus status;
  {
    ScopedSpan parent = tracer.start_scoped_span("parent");
    ChildProcess child = weft::fork_process();
    if (child.in_child()) {
      ScopedSpan work = tracer.start_scoped_span("forked-work");
      tracer.start_span("forked-step").end();
      work->end();
      _exit(0);
    }
    ASSERT_GT(child.pid(), 0);
    status = child.wait();
  }
  EXPECT_TRUE(status.success());
  std::vector<cli::SpanRecord> spans = flushed_spans();
  testing::expect_one_connected_trace(spans);
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(testing::find_span(spans, "forked-work")->parent_span_id,
            testing::find_span(spans, "parent")->span_id);
}

// The batch processor reads a span's end time itself; the relay that replaces it in a weft fork
// child does not, so there end() reads it again, and an explicit end time is kept as given.
TEST_F(ProcessTest, SpansRelayedFromAWeftForkChildCarryTheirEndTimes) {
  WEFT_SKIP_FORK_OF_THREADED_PROCESS_UNDER_ASAN();
  Tracer tracer = get_tracer("test");
  const auto nanos = [](std::chrono::system_clock::time_point time) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count());
  };
  constexpr auto kOpen = std::chrono::milliseconds(30);
  const Timestamp chosen = std::chrono::system_clock::now() + std::chrono::hours(1);
  const auto before = std::chrono::system_clock::now();
  ExitStatus status;
  {
    ChildProcess child = weft::fork_process();
    if (child.in_child()) {
      Span timed = tracer.start_span("timed");
      std::this_thread::sleep_for(kOpen);
      timed.end();
      tracer.start_span("chosen").end(chosen);
      _exit(0);
    }
    ASSERT_GT(child.pid(), 0);
    status = child.wait();
  }
  const auto after = std::chrono::system_clock::now();
  EXPECT_TRUE(status.success());
  std::vector<cli::SpanRecord> spans = flushed_spans();
  const cli::SpanRecord* timed = testing::find_span(spans, "timed");
  const cli::SpanRecord* explicit_end = testing::find_span(spans, "chosen");
  ASSERT_TRUE(timed && explicit_end);
  constexpr std::uint64_t kSlack = 1'000'000;  // the span clock may differ from the system's
  EXPECT_GE(timed->end_ns - timed->start_ns,
            static_cast<std::uint64_t>(std::chrono::nanoseconds(kOpen).count()) - kSlack);
  EXPECT_GE(timed->end_ns + kSlack, nanos(before));
  EXPECT_LE(timed->end_ns, nanos(after) + kSlack);
  EXPECT_EQ(explicit_end->end_ns, nanos(chosen));
}

TEST_F(ProcessTest, AWeftForkChildKilledMidSpanIsReported) {
  WEFT_SKIP_FORK_OF_THREADED_PROCESS_UNDER_ASAN();
  Tracer tracer = get_tracer("test");
  {
    ScopedSpan parent = tracer.start_scoped_span("parent");
    ChildProcess child = weft::fork_process();
    if (child.in_child()) {
      ScopedSpan doomed = tracer.start_scoped_span("doomed");
      raise(SIGKILL);
    }
    EXPECT_EQ(child.wait().signal, SIGKILL);
  }
  std::vector<cli::SpanRecord> spans = flushed_spans();
  testing::expect_one_connected_trace(spans);
  const cli::SpanRecord* doomed = testing::find_span(spans, "doomed");
  ASSERT_NE(doomed, nullptr);
  EXPECT_EQ(doomed->attribute("weft.process.signal"), "SIGKILL");
}

// What the parent adds to a dead child's open spans keeps to the span limits, thread.id and
// thread.name included (the child already fitted its own attributes to them).
TEST_F(ProcessTest, WhatIsAddedToADeadChildsOpenSpanKeepsToTheLimits) {
  WEFT_SKIP_FORK_OF_THREADED_PROCESS_UNDER_ASAN();
  const std::string unlimited_path = path_;
  path_ += "-limited.jsonl";
  Options options;
  options.service_name = "parent";
  SpanLimits limits;
  limits.attribute_count = 2;
  options.limits = limits;
  options.processors.push_back(make_batch_processor(make_file_exporter(path_)));
  provider_ = std::make_shared<TracerProvider>(
      finalize_config(std::move(options), testing::fake_environment({})));
  set_global_provider(provider_);
  std::filesystem::remove(unlimited_path);

  Tracer tracer = get_tracer("test");
  {
    ScopedSpan parent = tracer.start_scoped_span("parent");
    ChildProcess child = weft::fork_process();
    if (child.in_child()) {
      StartSpanOptions with_attribute;  // known to the parent from the span's start
      with_attribute.attributes = {KeyValue("own", 1)};
      ScopedSpan open = tracer.start_scoped_span("open-at-exit", with_attribute);
      _exit(3);
    }
    EXPECT_EQ(child.wait().exit_code, 3);
  }
  std::vector<cli::SpanRecord> spans = flushed_spans();
  const cli::SpanRecord* open = testing::find_span(spans, "open-at-exit");
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->status_code, cli::kStatusError);
  EXPECT_EQ(open->attributes.size(), 2u);
  EXPECT_EQ(open->attribute("own"), "1");
  EXPECT_EQ(open->attribute("weft.span.incomplete"), "true");
  EXPECT_EQ(open->attribute("process.exit.code"), "") << "over the limit";
  EXPECT_EQ(open->attribute("thread.id"), "") << "no room left";
}

// A program that ignores SIGCHLD (as daemons do) has its children reaped by the kernel, so
// waitpid() cannot give their status. wait() still hands over all the child sent, and reports its
// open span, before it returns.
TEST_F(ProcessTest, AChildReapedElsewhereStillHasItsSpansHandedOverByWait) {
  WEFT_SKIP_FORK_OF_THREADED_PROCESS_UNDER_ASAN();
  Tracer tracer = get_tracer("test");
  struct sigaction ignore {};
  struct sigaction previous {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  ASSERT_EQ(sigaction(SIGCHLD, &ignore, &previous), 0);
  ExitStatus status;
  {
    ScopedSpan parent = tracer.start_scoped_span("parent");
    ChildProcess child = weft::fork_process();
    if (child.in_child()) {
      for (int i = 0; i < 50; ++i) tracer.start_span("ended-in-child").end();
      ScopedSpan open = tracer.start_scoped_span("open-at-exit");
      _exit(3);
    }
    status = child.wait();
  }
  sigaction(SIGCHLD, &previous, nullptr);
  EXPECT_EQ(status.exit_code, -1) << "unknown";
  EXPECT_EQ(status.signal, 0);
  std::vector<cli::SpanRecord> spans = flushed_spans();
  testing::expect_one_connected_trace(spans);
  std::size_t ended = 0;
  for (const cli::SpanRecord& span : spans) ended += span.name == "ended-in-child" ? 1 : 0;
  EXPECT_EQ(ended, 50u);
  const cli::SpanRecord* open = testing::find_span(spans, "open-at-exit");
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->attribute("weft.span.incomplete"), "true");
}

// parent -> fork_process() child -> fork_process() grandchild: the child passes its child's spans
// on through its own relay, and each span keeps the pid and parent pid of the process that made it
// (they once took the middle process's, or the middle's spans took the grandchild's).
TEST_F(ProcessTest, SpansRelayedThroughARelayingChildKeepTheirOwnProcess) {
  WEFT_SKIP_FORK_OF_THREADED_PROCESS_UNDER_ASAN();
  Tracer tracer = get_tracer("test");
  const auto end_span_saying_pid = [&tracer](const char* name) {
    Span span = tracer.start_span(name);
    span.set_attribute("test.pid", static_cast<std::int64_t>(getpid()));
    span.set_attribute("test.ppid", static_cast<std::int64_t>(getppid()));
  };
  ExitStatus status;
  {
    ScopedSpan root = tracer.start_scoped_span("root");
    ChildProcess child = weft::fork_process();
    if (child.in_child()) {
      ChildProcess grandchild = weft::fork_process();
      if (grandchild.in_child()) {
        end_span_saying_pid("in-grandchild");
        _exit(0);
      }
      const bool grandchild_ok = grandchild.wait().success();
      end_span_saying_pid("in-child-after");
      _exit(grandchild_ok ? 0 : 1);
    }
    status = child.wait();
  }
  EXPECT_TRUE(status.success());
  std::vector<cli::SpanRecord> spans = flushed_spans();
  testing::expect_one_connected_trace(spans);
  for (const char* name : {"in-grandchild", "in-child-after"}) {
    const cli::SpanRecord* span = testing::find_span(spans, name);
    ASSERT_NE(span, nullptr) << name;
    EXPECT_EQ(span->resource_attribute("process.pid"), span->attribute("test.pid")) << name;
    EXPECT_EQ(span->resource_attribute("process.parent_pid"), span->attribute("test.ppid"))
        << name;
  }
}

}  // namespace
}  // namespace weft
