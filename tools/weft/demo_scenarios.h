// The scenarios `weft demo` runs: the OpenTelemetry threading tutorial's two cases, in C++ on weft.
// Each returns the trace id it produced.
#pragma once

#include "weft/tracer.h"

namespace weft::cli {

// A main operation starts three std::threads; each worker receives the captured context
// explicitly and makes it current with a weft::Scope, then runs a task with a nested task.
TraceId run_explicit_handoff_scenario(Tracer& tracer);

// The same work submitted to a weft::ThreadPool, which carries the context by itself.
TraceId run_thread_pool_scenario(Tracer& tracer);

}  // namespace weft::cli
