#include "demo_scenarios.h"

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "weft/context.h"
#include "weft/thread_name.h"
#include "weft/thread_pool.h"

namespace weft::cli {
namespace {

constexpr int kWorkers = 3;

void simulate_work(std::chrono::milliseconds duration) { std::this_thread::sleep_for(duration); }

// What each worker does, whichever way it received its context.
void worker_task(Tracer& tracer, int worker) {
  ScopedSpan task = tracer.start_scoped_span("worker-task");
  task->set_attribute("worker.index", worker);
  simulate_work(std::chrono::milliseconds(2 + worker));
  {
    ScopedSpan nested = tracer.start_scoped_span("nested-task");
    nested->set_attribute("worker.index", worker);
    simulate_work(std::chrono::milliseconds(1 + worker));
  }
  task->add_event("worker finished");
}

}  // namespace

TraceId run_explicit_handoff_scenario(Tracer& tracer) {
  ScopedSpan main_operation = tracer.start_scoped_span("main-operation (explicit hand-off)");
  main_operation->set_attribute("scenario", "explicit");
  std::vector<std::thread> threads;
  for (int worker = 1; worker <= kWorkers; ++worker) {
    Context captured = Context::current();  // captured here, on the handing-over thread
    threads.emplace_back([&tracer, captured, worker] {
      set_thread_name("worker-" + std::to_string(worker));
      Scope scope(captured);  // and made current in the worker
      worker_task(tracer, worker);
    });
  }
  for (std::thread& thread : threads) thread.join();
  return main_operation.context().trace_id;
}

TraceId run_thread_pool_scenario(Tracer& tracer) {
  ThreadPool pool(kWorkers, "pool-worker");
  ScopedSpan main_operation = tracer.start_scoped_span("main-operation (thread pool)");
  main_operation->set_attribute("scenario", "thread-pool");
  std::vector<std::future<void>> done;
  for (int worker = 1; worker <= kWorkers; ++worker) {
    done.push_back(pool.submit([&tracer, worker] { worker_task(tracer, worker); }));
  }
  for (auto& future : done) future.get();
  return main_operation.context().trace_id;
}

}  // namespace weft::cli
