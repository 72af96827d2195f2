// What a pool worker does around each task: make the task's captured context current, and
// afterwards return to the worker's empty context. A Scope would do the same, but looks up the
// thread's state twice per task and copies more; a worker knows its state and knows it is empty
// between tasks, which halves the cost per task (bench/thread_benchmark.cpp).
#pragma once

#include <atomic>
#include <utility>

#include "diagnostics/counters.h"
#include "diagnostics/log.h"
#include "runtime/thread_state.h"

namespace weft::detail {

inline std::atomic<bool> leaked_scope_reported{false};

class WorkerContext {
 public:
  // On the worker thread, before its first task.
  WorkerContext() noexcept : state_(thread_state()) {}

  // Runs `task` under `context`; the worker's empty context is back afterwards, also when the
  // task throws or leaves a Scope open (that scope is abandoned and counted, as an out-of-order
  // detach would be).
  template <class Task>
  void run(Context&& context, Task&& task) {
    Restore restore{state_};
    state_.current = std::move(context);
    std::forward<Task>(task)();
  }

 private:
  struct Restore {
    ThreadState& state;
    ~Restore() {
      if (!state.open_scopes.empty()) {
        count(counters().out_of_order_detaches);
        log_once(leaked_scope_reported, LogLevel::kWarning,
                 "a pool task ended with a weft::Scope still open; the worker abandoned it and "
                 "went back to an empty context (counted in diagnostics, reported once)");
        state.open_scopes.clear();
      }
      state.current_span = nullptr;
      state.current = Context();
    }
  };

  ThreadState& state_;
};

}  // namespace weft::detail
