// weft::ProcessPool: real worker processes, tasks under the submitter's context, results and
// errors back through futures, dead workers replaced, and one trace across all of it.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <numeric>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "exported_traces.h"
#include "global_file_provider.h"
#include "sanitizer_support.h"
#include "weft/process_pool.h"
#include "weft/weft.h"

namespace {

struct Point {  // a user type with its own codec
  std::string label;
  std::vector<double> coordinates;
};

}  // namespace

template <>
struct weft::Codec<Point> {
  static void write(ByteWriter& out, const Point& point) {
    encode(out, point.label);
    encode(out, point.coordinates);
  }
  static Point read(ByteReader& in) {
    Point point;
    point.label = decode<std::string>(in);
    point.coordinates = decode<std::vector<double>>(in);
    return point;
  }
};

namespace weft {
namespace {

using ProcessPoolTest = testing::GlobalFileProviderTest;

std::int64_t sum_squares(std::vector<std::int64_t> chunk) {
  ScopedSpan span = get_tracer("pool").start_scoped_span("sum-squares");
  span->set_attribute("chunk.size", static_cast<std::int64_t>(chunk.size()));
  std::int64_t sum = 0;
  for (std::int64_t value : chunk) sum += value * value;
  return sum;
}

int pool_task(int index) {
  ScopedSpan span = get_tracer("pool").start_scoped_span("pool-task");
  span->set_attribute("task.index", index);
  return index * 10;
}

// The tutorial's hybrid workflow: a process-pool task fans out to three threads.
int hybrid_batch(int batch) {
  ScopedSpan span = get_tracer("pool").start_scoped_span("batch");
  span->set_attribute("batch", batch);
  ThreadPool threads(3, "batch-thread");
  std::vector<std::future<int>> parts;
  for (int part = 0; part < 3; ++part) {
    parts.push_back(threads.submit([part] {
      ScopedSpan item = get_tracer("pool").start_scoped_span("batch-item");
      return part;
    }));
  }
  int total = 0;
  for (auto& part : parts) total += part.get();
  return total;
}

int throwing_task(int) { throw std::invalid_argument("bad input for this task"); }

int dying_task(int) {
  ScopedSpan span = get_tracer("pool").start_scoped_span("dying-task");
  raise(SIGKILL);
  return 0;
}

Point move_point(Point point, double by) {
  for (double& coordinate : point.coordinates) coordinate += by;
  point.label += "-moved";
  return point;
}

std::set<std::string> pids_of(const std::vector<const cli::SpanRecord*>& spans) {
  std::set<std::string> pids;
  for (const cli::SpanRecord* span : spans) pids.insert(span->resource_attribute("process.pid"));
  return pids;
}

TEST_F(ProcessPoolTest, FourTasksOnTwoWorkersGiveOneTraceUnderTheSubmitter) {
  WEFT_SKIP_FORK_OF_THREADED_PROCESS_UNDER_ASAN();
  Tracer tracer = get_tracer("test");
  {
    ScopedSpan parent = tracer.start_scoped_span("submit-tasks");
    ProcessPool pool(2);
    std::vector<std::future<int>> results;
    for (int i = 0; i < 4; ++i) results.push_back(pool.submit(pool_task, i));
    for (int i = 0; i < 4; ++i) EXPECT_EQ(results[static_cast<std::size_t>(i)].get(), i * 10);
  }
  std::vector<cli::SpanRecord> spans = flushed_spans();
  testing::expect_one_connected_trace(spans);
  const auto tasks = testing::spans_named(spans, "pool-task");
  ASSERT_EQ(tasks.size(), 4u);
  const cli::SpanRecord* parent = testing::find_span(spans, "submit-tasks");
  for (const cli::SpanRecord* task : tasks) EXPECT_EQ(task->parent_span_id, parent->span_id);
  const std::set<std::string> pids = pids_of(tasks);
  EXPECT_EQ(pids.size(), 2u);
  EXPECT_EQ(pids.count(std::to_string(getpid())), 0u);
}

TEST_F(ProcessPoolTest, ThreeWorkersSumSquaresOverMillionElementChunks) {
  WEFT_SKIP_FORK_OF_THREADED_PROCESS_UNDER_ASAN();
  constexpr std::int64_t kChunk = 1'000'000;
  Tracer tracer = get_tracer("test");
  std::int64_t total = 0;
  {
    ScopedSpan parent = tracer.start_scoped_span("multiprocessing");
    ProcessPool pool(3);
    std::vector<std::vector<std::int64_t>> chunks(3, std::vector<std::int64_t>(kChunk));
    for (std::int64_t worker = 0; worker < 3; ++worker) {
      std::iota(chunks[worker].begin(), chunks[worker].end(), worker * kChunk);
    }
    std::vector<std::future<std::int64_t>> sums;
    for (auto& chunk : chunks) sums.push_back(pool.submit(sum_squares, std::move(chunk)));
    for (auto& sum : sums) total += sum.get();
  }
  std::int64_t expected = 0;
  for (std::int64_t i = 0; i < 3 * kChunk; ++i) expected += i * i;
  EXPECT_EQ(total, expected);
  std::vector<cli::SpanRecord> spans = flushed_spans();
  testing::expect_one_connected_trace(spans);
  // Which worker takes which chunk depends on timing; none runs in this process.
  const std::set<std::string> pids = pids_of(testing::spans_named(spans, "sum-squares"));
  EXPECT_GE(pids.size(), 1u);
  EXPECT_LE(pids.size(), 3u);
  EXPECT_EQ(pids.count(std::to_string(getpid())), 0u);
}

TEST_F(ProcessPoolTest, HybridBatchesFanOutToThreadsInsideWorkersInOneTrace) {
  WEFT_SKIP_FORK_OF_THREADED_PROCESS_UNDER_ASAN();
  WEFT_SKIP_WHEN_FORKED_CHILDREN_START_THREADS();
  Tracer tracer = get_tracer("test");
  {
    ScopedSpan parent = tracer.start_scoped_span("hybrid");
    ProcessPool pool(2);
    std::vector<std::future<int>> batches;
    for (int batch = 0; batch < 4; ++batch) batches.push_back(pool.submit(hybrid_batch, batch));
    for (auto& batch : batches) EXPECT_EQ(batch.get(), 0 + 1 + 2);
  }
  std::vector<cli::SpanRecord> spans = flushed_spans();
  testing::expect_one_connected_trace(spans);
  const auto items = testing::spans_named(spans, "batch-item");
  ASSERT_EQ(items.size(), 12u);
  std::map<std::string, std::string> batch_pid;
  for (const cli::SpanRecord* batch : testing::spans_named(spans, "batch")) {
    batch_pid[batch->span_id] = batch->resource_attribute("process.pid");
  }
  for (const cli::SpanRecord* item : items) {
    ASSERT_EQ(batch_pid.count(item->parent_span_id), 1u);
    EXPECT_EQ(item->resource_attribute("process.pid"), batch_pid[item->parent_span_id]);
    EXPECT_NE(item->attribute("thread.id"), item->resource_attribute("process.pid"));
    EXPECT_EQ(item->attribute("thread.name").rfind("batch-thread-", 0), 0u);
  }
}

TEST_F(ProcessPoolTest, ATaskExceptionFailsItsFutureWithTheMessage) {
  WEFT_SKIP_FORK_OF_THREADED_PROCESS_UNDER_ASAN();
  ProcessPool pool(1);
  std::future<int> failing = pool.submit(throwing_task, 1);
  try {
    failing.get();
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "bad input for this task");
  }
  EXPECT_EQ(pool.submit(pool_task, 2).get(), 20);  // the worker keeps serving
}

TEST_F(ProcessPoolTest, AWorkerKilledMidTaskFailsThatTaskAndIsReplaced) {
  WEFT_SKIP_FORK_OF_THREADED_PROCESS_UNDER_ASAN();
  Tracer tracer = get_tracer("test");
  {
    ScopedSpan parent = tracer.start_scoped_span("crash");
    ProcessPool pool(1);
    std::future<int> doomed = pool.submit(dying_task, 0);
    try {
      doomed.get();
      FAIL() << "expected WorkerDied";
    } catch (const WorkerDied& error) {
      EXPECT_NE(std::string(error.what()).find("killed by SIGKILL"), std::string::npos)
          << error.what();
    }
    EXPECT_EQ(pool.submit(pool_task, 5).get(), 50);
    EXPECT_EQ(pool.replaced_workers(), 1u);
  }
  std::vector<cli::SpanRecord> spans = flushed_spans();
  testing::expect_one_connected_trace(spans);
  const cli::SpanRecord* dying = testing::find_span(spans, "dying-task");
  ASSERT_NE(dying, nullptr);
  EXPECT_EQ(dying->attribute("weft.span.incomplete"), "true");
  EXPECT_EQ(dying->attribute("weft.process.signal"), "SIGKILL");
}

TEST_F(ProcessPoolTest, UserTypesCrossWithTheirOwnCodec) {
  WEFT_SKIP_FORK_OF_THREADED_PROCESS_UNDER_ASAN();
  ProcessPool pool(1);
  Point moved = pool.submit(move_point, Point{"p", {1.0, 2.5}}, 0.5).get();
  EXPECT_EQ(moved.label, "p-moved");
  EXPECT_EQ(moved.coordinates, (std::vector<double>{1.5, 3.0}));
}

TEST_F(ProcessPoolTest, TasksSubmittedAfterShutdownFailClearly) {
  WEFT_SKIP_FORK_OF_THREADED_PROCESS_UNDER_ASAN();
  ProcessPool pool(1);
  pool.shutdown();
  EXPECT_THROW(pool.submit(pool_task, 1).get(), std::runtime_error);
}

// A plain fork() from one thread while another keeps starting pool workers: every child, which
// starts a pool of its own, must find the pools' lock free (it once could inherit it held).
TEST_F(ProcessPoolTest, AForkWhileAnotherThreadStartsWorkersNeverLeavesTheChildStuck) {
  WEFT_SKIP_FORK_OF_THREADED_PROCESS_UNDER_ASAN();
  WEFT_SKIP_WHEN_FORKED_CHILDREN_START_THREADS();  // the child's pool runs a thread
  std::atomic<bool> stop{false};
  std::thread starter([&stop] {
    while (!stop.load()) {
      ProcessPool pool(2);
      pool.submit(pool_task, 1).get();
    }
  });
  int stuck = 0;
  int failed = 0;
  for (int i = 0; i < 60; ++i) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      alarm(20);  // a stuck child dies of SIGALRM
      ProcessPool pool(1);
      _exit(pool.submit(pool_task, 4).get() == 40 ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) ++stuck;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
  }
  stop.store(true);
  starter.join();
  EXPECT_EQ(stuck, 0);
  EXPECT_EQ(failed, 0);
}

}  // namespace
}  // namespace weft
