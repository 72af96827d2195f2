// check_context(): looks at the calling thread's current context, records the outcome on the span
// a ScopedSpan of this thread made current, and counts and reports failures.
#include "weft/context_check.h"

#include <string>

#include "diagnostics/counters.h"
#include "diagnostics/log.h"
#include "runtime/thread_state.h"
#include "weft/span.h"

namespace weft {
namespace {

thread_local bool tls_failure_reported = false;

void report_failure(const detail::ThreadState& thread, ContextCheck outcome) noexcept {
  detail::count(detail::counters().context_checks_failed);
  if (tls_failure_reported) return;
  tls_failure_reported = true;
  try {
    detail::log_warning(std::string("context check on thread \"") + thread.thread_name +
                        "\" (thread.id " + std::to_string(thread.thread_id) + "): " +
                        (outcome == ContextCheck::kMissing
                             ? "no context is current: it was not handed to this thread"
                             : "the current span belongs to another trace than expected") +
                        " (counted in diagnostics; reported once per thread)");
  } catch (...) {
    // The count above still has it.
  }
}

}  // namespace

ContextCheck check_context(std::optional<TraceId> expected_trace) noexcept {
  detail::ThreadState& thread = detail::thread_state();
  const SpanContext& current = thread.current.span_context();
  ContextCheck outcome = ContextCheck::kOk;
  if (!current.is_valid()) {
    outcome = ContextCheck::kMissing;
  } else if (expected_trace && current.trace_id != *expected_trace) {
    outcome = ContextCheck::kWrongTrace;
  }
  Span* const span = detail::scope_ended_on_another_thread() ? nullptr : thread.current_span;
  if (span != nullptr) {
    try {
      span->set_attribute("weft.context.check", to_string(outcome));
      if (outcome == ContextCheck::kWrongTrace) {
        span->set_attribute("weft.context.expected_trace_id", expected_trace->to_hex());
      }
    } catch (...) {
      // Recording is best effort; the outcome is still returned and counted.
    }
  }
  if (outcome != ContextCheck::kOk) report_failure(thread, outcome);
  return outcome;
}

const char* to_string(ContextCheck outcome) noexcept {
  switch (outcome) {
    case ContextCheck::kOk:
      return "ok";
    case ContextCheck::kMissing:
      return "missing";
    case ContextCheck::kWrongTrace:
      return "wrong_trace";
  }
  return "?";
}

}  // namespace weft
