// Diagnostics: what weft counted and what it has to say. Telemetry never throws into the
// application or crashes it; every span that is lost is counted here, and problems are reported
// through the log handler (by default one line on stderr, "weft: warning: ...").
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace weft {

// Process-wide counters since start-up (or since reset_diagnostics()).
struct Diagnostics {
  std::uint64_t spans_exported = 0;                // handed to an exporter that reported success
  std::uint64_t spans_export_failed = 0;           // handed to an exporter that reported failure
  std::uint64_t spans_dropped_queue_full = 0;      // ended while the batch queue was full
  std::uint64_t spans_dropped_after_shutdown = 0;  // ended after their provider was shut down
  std::uint64_t out_of_order_detaches = 0;         // scopes ended while inner scopes were open
  std::uint64_t foreign_thread_detaches = 0;       // scopes ended on another thread than opened them

  // Processes.
  std::uint64_t fork_copies_discarded = 0;     // spans open at fork() ended in the child: the
                                               // parent's copy is exported, the child's is not
  std::uint64_t spans_dropped_at_fork = 0;     // ended in a child whose exporter was busy at fork
  std::uint64_t spans_relayed = 0;             // sent to the parent process (in a relaying child)
  std::uint64_t spans_dropped_relay = 0;       // a relaying child could not send (parent gone)
  std::uint64_t spans_received_from_children = 0;  // received from child processes
  std::uint64_t incomplete_spans_reported = 0;     // open in a child when it died; ended by us

  // Threads: lost context.
  // Root spans started, from an empty context, on a thread other than the process's first thread:
  // the usual symptom of a context that was not handed over (StartSpanOptions::new_root, an
  // explicit request for a new trace, is not counted). WEFT_STRICT_CONTEXT=1 also names the thread.
  std::uint64_t root_spans_off_main_thread = 0;
  std::uint64_t context_checks_failed = 0;         // check_context() found no or the wrong trace

  // OTLP export.
  // Spans an OTLP collector accepted the request of but rejected (its partial-success answer);
  // they are also in spans_exported, as the export itself succeeded.
  std::uint64_t spans_rejected_by_collector = 0;
};

Diagnostics diagnostics() noexcept;
void reset_diagnostics() noexcept;  // for tests

enum class LogLevel { kDebug, kInfo, kWarning, kError };
using LogHandler = std::function<void(LogLevel level, std::string_view message)>;

// Replaces where weft's messages go; an empty handler restores the default (stderr, warnings and
// errors only; WEFT_LOG_LEVEL, or else OTEL_LOG_LEVEL, set to debug|info|warning|error|none
// changes the threshold).
void set_log_handler(LogHandler handler);

}  // namespace weft
