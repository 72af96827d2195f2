// Checking, inside a worker, that the context arrived: a valid span is current and, optionally, it
// belongs to the trace the work was handed over from. Use it where a lost context would hurt.
//
//   const weft::TraceId expected = weft::Context::current().span_context().trace_id;
//   pool.post([&tracer, expected] {
//     weft::ScopedSpan task = tracer.start_scoped_span("task");
//     weft::check_context(expected);  // records weft.context.check = "ok" on "task"
//   });
//
// The outcome is recorded on the current span as the string attribute `weft.context.check`
// ("ok", "wrong_trace"; with `weft.context.expected_trace_id` when the trace is wrong). The current
// span is the one a ScopedSpan of this thread made current; a context received from elsewhere (a
// Scope, a pool task without task spans) has no span here to record on, and an empty context has
// none by definition. Once any Scope of the process has ended on another thread than its own (a
// misuse, counted as foreign_thread_detaches), outcomes are no longer recorded on spans: that
// scope's span may be freed while still current on its thread. A failed check is also counted
// (diagnostics().context_checks_failed) and reported through the log, once per thread.
#pragma once

#include <optional>

#include "weft/ids.h"

namespace weft {

enum class ContextCheck {
  kOk,          // a valid span is current (of the expected trace, when one was given)
  kMissing,     // nothing is current: the context was lost on the way here
  kWrongTrace,  // a span is current, but of another trace (often a new root started here)
};

ContextCheck check_context(std::optional<TraceId> expected_trace = std::nullopt) noexcept;

const char* to_string(ContextCheck outcome) noexcept;

}  // namespace weft
