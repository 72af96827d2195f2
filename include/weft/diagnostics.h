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
  // Spans an OTLP collector accepted the request of but rejected (its partial-success answer);
  // they are also in spans_exported, as the export itself succeeded.
  std::uint64_t spans_rejected_by_collector = 0;
};

Diagnostics diagnostics() noexcept;
void reset_diagnostics() noexcept;  // for tests

enum class LogLevel { kDebug, kInfo, kWarning, kError };
using LogHandler = std::function<void(LogLevel level, std::string_view message)>;

// Replaces where weft's messages go; an empty handler restores the default (stderr, warnings and
// errors only; WEFT_LOG_LEVEL=debug|info|warning|error|none changes the threshold).
void set_log_handler(LogHandler handler);

}  // namespace weft
