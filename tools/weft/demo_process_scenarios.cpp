#include "demo_process_scenarios.h"

#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <future>
#include <numeric>
#include <vector>

#include "weft/process.h"
#include "weft/process_pool.h"
#include "weft/provider.h"
#include "weft/thread_pool.h"

namespace weft::cli {
namespace {

Tracer demo_tracer() { return get_tracer("weft.demo"); }

// A task whose worker died (or threw) marks the scenario's span instead of ending the demo.
template <class T>
T result_or(std::future<T>& future, T fallback, Span& scenario) {
  try {
    return future.get();
  } catch (const std::exception& error) {
    scenario.set_status(StatusCode::kError, error.what());
    return fallback;
  }
}

std::int64_t sum_squares(std::vector<std::int64_t> chunk) {
  ScopedSpan span = demo_tracer().start_scoped_span("sum-squares");
  span->set_attribute("chunk.size", static_cast<std::int64_t>(chunk.size()));
  std::int64_t sum = 0;
  for (std::int64_t value : chunk) sum += value * value;
  span->set_attribute("chunk.sum", sum);
  return sum;
}

int pool_task(int index) {
  ScopedSpan span = demo_tracer().start_scoped_span("process-pool-task");
  span->set_attribute("task.index", index);
  return index * index;
}

int hybrid_batch(int batch) {
  ScopedSpan span = demo_tracer().start_scoped_span("batch");
  span->set_attribute("batch.index", batch);
  ThreadPool threads(3, "batch-" + std::to_string(batch) + "-thread");
  std::vector<std::future<int>> items;
  for (int item = 0; item < 3; ++item) {
    items.push_back(threads.submit([item] {
      ScopedSpan work = demo_tracer().start_scoped_span("batch-item");
      work->set_attribute("item.index", item);
      return item;
    }));
  }
  int total = 0;
  for (auto& item : items) total += item.get();
  return total;
}

}  // namespace

TraceId run_multiprocessing_scenario() {
  constexpr std::int64_t kChunk = 1'000'000;
  ScopedSpan main_operation = demo_tracer().start_scoped_span("multiprocessing");
  ProcessPool workers(3);
  std::vector<std::future<std::int64_t>> sums;
  for (std::int64_t worker = 0; worker < 3; ++worker) {
    std::vector<std::int64_t> chunk(kChunk);
    std::iota(chunk.begin(), chunk.end(), worker * kChunk);
    sums.push_back(workers.submit(sum_squares, std::move(chunk)));
  }
  std::int64_t total = 0;
  for (auto& sum : sums) total += result_or<std::int64_t>(sum, 0, main_operation.span());
  main_operation->set_attribute("total", total);
  return main_operation.context().trace_id;
}

TraceId run_process_pool_scenario() {
  ScopedSpan main_operation = demo_tracer().start_scoped_span("process-pool");
  ProcessPool pool(2);
  std::vector<std::future<int>> results;
  for (int task = 0; task < 4; ++task) results.push_back(pool.submit(pool_task, task));
  int total = 0;
  for (auto& result : results) total += result_or(result, 0, main_operation.span());
  main_operation->set_attribute("total", total);
  return main_operation.context().trace_id;
}

TraceId run_hybrid_scenario() {
  ScopedSpan main_operation = demo_tracer().start_scoped_span("hybrid");
  ProcessPool pool(2);
  std::vector<std::future<int>> batches;
  for (int batch = 0; batch < 4; ++batch) batches.push_back(pool.submit(hybrid_batch, batch));
  for (auto& batch : batches) result_or(batch, 0, main_operation.span());
  return main_operation.context().trace_id;
}

TraceId run_spawn_scenario(const std::string& self_path) {
  ScopedSpan main_operation = demo_tracer().start_scoped_span("spawn-program");
  SpawnOptions options;
  options.argv = {self_path, "demo-child"};
  Spawned started = spawn(options);
  if (!started) {
    main_operation->set_status(StatusCode::kError, started.error);
  } else {
    started.child->wait();
  }
  return main_operation.context().trace_id;
}

TraceId run_killed_child_scenario() {
  ScopedSpan main_operation = demo_tracer().start_scoped_span("killed-child");
  ChildProcess child = fork_process();
  if (child.in_child()) {
    ScopedSpan doomed = demo_tracer().start_scoped_span("child-work (killed mid-span)");
    raise(SIGKILL);
  }
  child.wait();
  return main_operation.context().trace_id;
}

int run_demo_child() {
  ScopedSpan span = demo_tracer().start_scoped_span("spawned-program");
  span->set_attribute("process.pid", static_cast<std::int64_t>(getpid()));
  demo_tracer().start_span("spawned-step").end();
  return 0;
}

}  // namespace weft::cli
