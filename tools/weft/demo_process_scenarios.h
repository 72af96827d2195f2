// The scenarios of `weft demo` that cross process boundaries: the OpenTelemetry tutorial's
// multiprocessing, process-pool and hybrid cases, a spawned program, and a child killed in the
// middle of a span. They use the global provider: children relay their spans to it. Each returns
// the trace id it produced.
#pragma once

#include <string>

#include "weft/ids.h"

namespace weft::cli {

// Three worker processes each sum the squares of a 1,000,000-element chunk.
TraceId run_multiprocessing_scenario();
// Four tasks on a two-process weft::ProcessPool.
TraceId run_process_pool_scenario();
// Four batches on two worker processes, each fanning out to three threads.
TraceId run_hybrid_scenario();
// `self_path` (this program) is spawned with the context in its environment and runs
// `weft demo-child`, whose spans come back here.
TraceId run_spawn_scenario(const std::string& self_path);
// A forked child is killed by SIGKILL while its span is open: the parent reports the span.
TraceId run_killed_child_scenario();

// What the spawned child runs (the hidden `weft demo-child` subcommand).
int run_demo_child();

}  // namespace weft::cli
