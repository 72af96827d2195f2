#include "demo_scenarios.h"

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "weft/context.h"
#include "weft/diagnostics.h"
#include "weft/thread.h"
#include "weft/thread_name.h"
#include "weft/thread_pool.h"

namespace weft::cli {
namespace {

constexpr int kWorkers = 3;
constexpr int kPoolTasks = 5;
constexpr int kFanOutLevels = 4;

void simulate_work(std::chrono::milliseconds duration) { std::this_thread::sleep_for(duration); }

// What each worker does, whichever way it received its context.
void worker_task(Tracer& tracer, int worker) {
  ScopedSpan task = tracer.start_scoped_span("worker-task");
  task->set_attribute("worker.index", worker);
  simulate_work(std::chrono::milliseconds(2 + worker % 3));
  {
    ScopedSpan nested = tracer.start_scoped_span("nested-task");
    nested->set_attribute("worker.index", worker);
    simulate_work(std::chrono::milliseconds(1 + worker % 3));
  }
  task->add_event("worker finished");
}

// Counts tasks down to zero, so that the main thread can wait for work that fans out by itself.
class Countdown {
 public:
  explicit Countdown(int count) : remaining_(count) {}
  void done() {
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) finished_.set_value();
  }
  void wait() { finished_.get_future().wait(); }

 private:
  std::atomic<int> remaining_;
  std::promise<void> finished_;
};

struct FanOut {
  Tracer& tracer;
  ThreadPool& first;
  ThreadPool& second;
  Countdown& countdown;

  void run(int level, ThreadPool& own, ThreadPool& other) {
    ScopedSpan span = tracer.start_scoped_span("fan-out level " + std::to_string(level));
    span->set_attribute("fan_out.level", level);
    simulate_work(std::chrono::milliseconds(1));
    if (level < kFanOutLevels) {
      own.post([this, level, &own, &other] { run(level + 1, own, other); });
      other.post([this, level, &own, &other] { run(level + 1, other, own); });
    }
    countdown.done();
  }
};

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
  for (int task = 1; task <= kPoolTasks; ++task) {
    done.push_back(pool.submit([&tracer, task] { worker_task(tracer, task); }));
  }
  for (auto& future : done) future.get();
  return main_operation.context().trace_id;
}

TraceId run_nested_fan_out_scenario(Tracer& tracer) {
  ThreadPool first(kWorkers, "fan-a");
  ThreadPool second(2, "fan-b");
  Countdown countdown((1 << kFanOutLevels) - 1);  // 1 + 2 + 4 + 8 tasks
  FanOut fan_out{tracer, first, second, countdown};
  ScopedSpan main_operation = tracer.start_scoped_span("main-operation (nested fan-out)");
  main_operation->set_attribute("scenario", "nested-fan-out");
  first.post([&fan_out, &first, &second] { fan_out.run(1, first, second); });
  countdown.wait();
  return main_operation.context().trace_id;
}

std::vector<TraceId> run_reused_worker_scenario(Tracer& tracer) {
  ThreadPool pool(1, "shared-worker");
  StartSpanOptions new_trace;
  new_trace.new_root = true;
  std::vector<Span> requests;
  for (int request = 1; request <= 3; ++request) {
    requests.push_back(tracer.start_span("request " + std::to_string(request), new_trace));
    requests.back().set_attribute("scenario", "reused-worker");
  }
  std::vector<std::future<void>> done;
  for (int round = 1; round <= 2; ++round) {
    for (std::size_t request = 0; request < requests.size(); ++request) {  // A, B, C, A, B, C
      Scope scope(Context().with_span(requests[request].context()));
      done.push_back(pool.submit([&tracer, request, round] {
        ScopedSpan step = tracer.start_scoped_span("request-step");
        step->set_attribute("request.index", static_cast<std::int64_t>(request + 1));
        step->set_attribute("round", round);
      }));
    }
  }
  for (auto& future : done) future.get();
  std::vector<TraceId> traces;
  for (Span& request : requests) {
    traces.push_back(request.context().trace_id);
    request.end();
  }
  return traces;
}

ExceptionScenario run_exception_scenario(Tracer& tracer) {
  ThreadPoolOptions options;
  options.threads = 1;  // the same worker runs the failing task and the ones after it
  options.name = "failing-pool";
  options.task_spans = tracer;
  ThreadPool pool(std::move(options));
  ExceptionScenario result;
  ScopedSpan main_operation = tracer.start_scoped_span("main-operation (exception)");
  main_operation->set_attribute("scenario", "exception");
  result.trace = main_operation.context().trace_id;

  auto failing = pool.submit([&tracer] {
    ScopedSpan step = tracer.start_scoped_span("failing-step");
    throw std::runtime_error("card declined");
  });
  try {
    failing.get();
  } catch (const std::runtime_error& error) {
    result.future_rethrew = true;
    main_operation->add_event("task failed", {{"exception.message", error.what()}});
  }
  // The next task on the same worker runs under its submitter's context, not the failed one's.
  const SpanContext submitter = Context::current().span_context();
  auto after_failure = pool.submit([&submitter, &tracer] {
    const SpanContext received = Context::current().span_context();  // the task span, here
    ScopedSpan step = tracer.start_scoped_span("after-failure-step");
    return received.trace_id == submitter.trace_id && received.span_id != submitter.span_id;
  });
  result.next_task_clean = after_failure.get();
  return result;
}

MonitoringScenario run_monitoring_scenario(Tracer& tracer) {
  MonitoringScenario result;
  std::atomic<int> passed{0};
  {
    ThreadPool pool(2, "checked-worker");
    ScopedSpan main_operation = tracer.start_scoped_span("main-operation (monitoring)");
    main_operation->set_attribute("scenario", "monitoring");
    const TraceId expected = main_operation.context().trace_id;
    result.trace = expected;
    auto checked_work = [&tracer, &passed, expected](const char* name) {
      ScopedSpan work = tracer.start_scoped_span(name);
      if (check_context(expected) == ContextCheck::kOk) passed.fetch_add(1);
    };
    Thread checker = Thread::named("checked-thread", checked_work, "checked-thread-work");
    for (int task = 1; task < kMonitoredWorkers; ++task) {
      pool.post([&checked_work] { checked_work("checked-pool-work"); });
    }
    checker.join();
    pool.wait();

    // The mistake the monitoring exists for: a plain std::thread is not given the context.
    const std::uint64_t roots_before = diagnostics().root_spans_off_main_thread;
    std::thread forgotten([&] {
      set_thread_name("forgotten-thread");
      ScopedSpan work = tracer.start_scoped_span("un-propagated-work");
      result.lost_trace = work.context().trace_id;
      result.lost_check = check_context(expected);
    });
    forgotten.join();
    result.lost_roots_counted = diagnostics().root_spans_off_main_thread - roots_before;
  }
  result.checks_passed = passed.load();
  return result;
}

}  // namespace weft::cli
