#include "monitoring/lost_context.h"

#include <string>

#include "diagnostics/log.h"

namespace weft::detail {

void report_lost_context(ThreadState& thread, std::string_view span_name) noexcept {
  thread.lost_context_reported = true;
  try {
    std::string message = "root span \"";
    message.append(span_name);
    message += "\" started on thread \"" + thread.thread_name + "\" (thread.id " +
               std::to_string(thread.thread_id) +
               "), not the process's first thread: the context was probably not handed to this "
               "thread (WEFT_STRICT_CONTEXT; reported once per thread)";
    log_warning(message);
  } catch (...) {
    // Out of memory while building a diagnostic: the count in diagnostics() still has it.
  }
}

}  // namespace weft::detail
