// The scenarios `weft demo` runs (and the tests check): the OpenTelemetry threading tutorial's
// cases in C++ on weft, plus the harder ones — nested fan-out across pools, a worker reused by
// several traces, a task that throws, and a thread that was deliberately not given the context.
// Each returns the trace ids it produced, so that the caller can check them in what was exported.
#pragma once

#include <cstdint>
#include <vector>

#include "weft/context_check.h"
#include "weft/tracer.h"

namespace weft::cli {

// A main operation starts three std::threads; each worker receives the captured context
// explicitly and makes it current with a weft::Scope, then runs a task with a nested task.
TraceId run_explicit_handoff_scenario(Tracer& tracer);

// Five such tasks submitted to a weft::ThreadPool of three workers, which carries the context.
TraceId run_thread_pool_scenario(Tracer& tracer);

// Tasks that submit two further tasks each, one to their own pool and one to a second pool, four
// levels deep (15 tasks): one trace.
TraceId run_nested_fan_out_scenario(Tracer& tracer);

// Three requests (three traces) whose tasks alternate on one pool worker: each task's spans land
// in its own request's trace. Returns the three trace ids.
std::vector<TraceId> run_reused_worker_scenario(Tracer& tracer);

struct ExceptionScenario {
  TraceId trace;
  bool future_rethrew = false;   // the submitter's future rethrew the task's exception
  bool next_task_clean = false;  // the worker's next tasks saw exactly their submitter's context
};
// A pool with task spans: a task throws; its task span ends with status ERROR and an "exception"
// event, the future rethrows, and the same worker goes on with a clean context.
ExceptionScenario run_exception_scenario(Tracer& tracer);

struct MonitoringScenario {
  TraceId trace;                                // the workers that were handed the context
  int checks_passed = 0;                        // of kMonitoredWorkers check_context() calls
  TraceId lost_trace;                           // what the plain std::thread started instead
  ContextCheck lost_check = ContextCheck::kOk;  // what check_context() said on that thread
  std::uint64_t lost_roots_counted = 0;         // diagnostics().root_spans_off_main_thread delta
};
inline constexpr int kMonitoredWorkers = 4;
// Workers (a weft::Thread and pool tasks) validate the expected trace id; then a plain
// std::thread, deliberately not given the context, starts a span: it is detected and counted.
MonitoringScenario run_monitoring_scenario(Tracer& tracer);

}  // namespace weft::cli
