// Checking traces for breaks: the analysis behind `weft check` (and `weft demo`'s verdict).
//
// Spans are fed one at a time, as a streaming reader produces them; only a few numbers per span
// are kept, per trace, until the trace is finished (at the end, or once no span of it has
// arrived during the last `trace_window` spans). Attributes, events and names are not kept.
//
//   TraceChecker checker(CheckOptions{});
//   stream_trace_files(paths, [&](SpanRecord&& span) { checker.add(span); }, contents);
//   CheckReport report = checker.finish();
//
// The lost-context heuristic: a root span is suspicious when it started
//   - on a thread that is not its process's main thread (thread.id != process.pid), or
//   - in a process whose parent process (process.parent_pid, same host.name) is also in the input,
// while its process (or, for the second rule, the parent process) had another trace in flight at
// that moment: some other trace's spans in that process began before the root started and ended
// after it. That is what a plain std::thread or a child process started without handing over the
// context looks like. A thread or child that really starts an unrelated trace while another one
// runs is reported too; that is the price of not knowing the program.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "trace_file.h"

namespace weft::cli {

struct CheckOptions {
  // A child may start before its parent or end after it by this much before it is reported:
  // clocks of different processes, and even of different cores, disagree a little.
  std::uint64_t tolerance_ns = 1'000'000;
  // A trace none of whose spans arrived during the last `trace_window` spans read is checked and
  // forgotten, which bounds memory for long files. 0 keeps every trace until the end.
  std::size_t trace_window = 0;
};

enum class FindingKind {
  kBrokenLink,          // the span's parent never arrived
  kParentCycle,         // the span's parent links loop back to it: no root is above it
  kMultipleRoots,       // the trace has more than one root
  kLostContext,         // a root that looks like context lost at a thread or process boundary
  kStartsBeforeParent,  // by more than the tolerance
  kEndsAfterParent,     // by more than the tolerance
  kKilled,              // reported as killed with its process (weft.span.incomplete)
  kDuplicateSpanId,     // two spans of the trace have the same id
  kSplitByWindow,       // spans of the trace arrived after it had been checked (trace_window)
};

// Whether a finding means the trace is not connected (exit status 1), or is worth a look only.
bool breaks_trace(FindingKind kind);
// "broken-link", "multiple-roots", "lost-context", ...: the names used in --json.
const char* finding_name(FindingKind kind);

struct Finding {
  FindingKind kind;
  std::string trace_id;
  std::string span_id;    // empty for findings about the whole trace
  std::string span_name;
  std::string location;   // "FILE:LINE" the span was read from
  std::string detail;     // what exactly, in words
};

struct TraceSummary {
  std::string trace_id;
  std::string root_name;  // the earliest root's name, or the earliest span's
  std::uint64_t start_ns = 0;
  std::uint64_t end_ns = 0;
  std::size_t spans = 0;
  std::size_t roots = 0;
  std::size_t broken_links = 0;
  std::size_t cycle_spans = 0;  // spans on a loop of parent links
  std::size_t lost_context_roots = 0;
  std::size_t timing_problems = 0;  // starts before or ends after its parent
  std::size_t killed_spans = 0;
  std::size_t processes = 0;
  std::size_t threads = 0;
  // A broken link, a parent cycle, other than one root, or a lost-context root: some span is not
  // reachable from the trace's one root, or the root itself looks like lost context.
  bool broken = false;
};

struct CheckReport {
  // In order of start time: every broken trace, and connected ones up to a limit (so that
  // memory does not grow with the file); the rest are only counted.
  std::vector<TraceSummary> traces;
  std::size_t total_traces = 0;
  std::size_t unlisted_connected_traces = 0;
  // At most kMaxListedFindings per kind; `finding_counts` has them all.
  std::vector<Finding> findings;
  std::map<FindingKind, std::size_t> finding_counts;
  std::size_t spans = 0;  // read, including redelivered copies
  // Later copies of spans read more than once (a retried export), checked once: not findings.
  std::size_t redelivered_spans = 0;
  std::size_t broken_traces = 0;
  // From reading the files.
  std::vector<std::string> problems;
  std::size_t malformed_lines = 0;
  bool unreadable = false;

  // 2 when some input could not be read, 1 when a trace is broken or lines had to be skipped,
  // 0 when everything read is connected.
  int exit_status() const;
};

inline constexpr std::size_t kMaxListedFindings = 1000;

class TraceChecker {
 public:
  explicit TraceChecker(CheckOptions options = {});
  ~TraceChecker();
  TraceChecker(const TraceChecker&) = delete;
  TraceChecker& operator=(const TraceChecker&) = delete;

  void add(const SpanRecord& span);
  // Checks what is left and returns the report. Call once.
  CheckReport finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Reads the files as a stream and checks them.
CheckReport check_files(const std::vector<std::string>& paths, const CheckOptions& options);

}  // namespace weft::cli
