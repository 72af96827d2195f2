// Detecting lost context where it shows: a root span started on a thread other than the process's
// first thread. Called by the span start path on its root branch only, so it must stay cheap: a
// compare of two cached ids and, for a suspicious root, one relaxed increment.
#pragma once

#include <string_view>

#include "diagnostics/counters.h"
#include "runtime/process_info.h"
#include "runtime/thread_state.h"

namespace weft::detail {

// Strict mode (WEFT_STRICT_CONTEXT): says which thread and which span, once per thread.
void report_lost_context(ThreadState& thread, std::string_view span_name) noexcept;

inline void note_root_span(ThreadState& thread, bool strict, std::string_view span_name) noexcept {
  if (thread.thread_id == process_id()) return;  // the first thread is where traces begin
  counters().root_spans_off_main_thread.add(thread.serial);
  if (strict && !thread.lost_context_reported) report_lost_context(thread, span_name);
}

}  // namespace weft::detail
