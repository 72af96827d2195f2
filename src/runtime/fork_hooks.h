// What weft does around fork(), in one place and in a fixed order. Before the fork every stage
// takes its locks (so no other thread is mid-update when the address space is copied), in stage
// order; after it, the parent releases them and the child releases them and rebuilds what lived
// only in other threads (which do not exist in the child), in reverse stage order.
//
// This covers fork() called by the application itself, not only weft's helpers.
#pragma once

namespace weft::detail {

// In the order of `prepare`. A stage's threads may take the locks of later stages while holding
// their own, never those of earlier ones.
enum class ForkStage {
  kProviders,    // tracer providers: global provider, tracer registries; resource in the child
  kRelay,        // the receiver of spans from child processes
  kExport,       // batch processors: wait for an export in progress, restart the export thread
  kRecordPool,   // the shared pool of span records
  kClock,        // the span clock's calibration (no lock; only reset in the child)
  kLog,          // the log handler
  kProcessPools, // the sockets of every process pool's workers
  kCount
};

struct ForkHandlers {
  void (*prepare)() noexcept = nullptr;
  void (*in_parent)() noexcept = nullptr;
  void (*in_child)() noexcept = nullptr;
};

// Installs the handlers of one stage (once; later calls for the same stage are ignored).
void install_fork_handlers(ForkStage stage, ForkHandlers handlers) noexcept;

}  // namespace weft::detail
