#include "trace_check.h"

#include <algorithm>
#include <list>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "trace_tree.h"

namespace weft::cli {
namespace {

constexpr std::uint32_t kNone = UINT32_MAX;

// Connected traces beyond this many are counted, not listed: their summaries would make memory
// grow with the file.
constexpr std::size_t kMaxListedConnectedTraces = 10000;

std::uint64_t parse_hex64(const std::string& hex) {
  std::uint64_t value = 0;
  for (const char c : hex) {
    value = value * 16 + static_cast<std::uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  }
  return value;
}

std::string format_hex64(std::uint64_t value) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) hex[static_cast<std::size_t>(i)] = kDigits[value & 15];
  return hex;
}

// Strings seen many times (span names, file names, thread keys) are stored once.
class Interner {
 public:
  std::uint32_t intern(const std::string& text) {
    const auto found = index_.find(text);
    if (found != index_.end()) return found->second;
    const auto id = static_cast<std::uint32_t>(texts_.size());
    texts_.push_back(text);
    index_.emplace(text, id);
    return id;
  }
  const std::string& text(std::uint32_t id) const { return texts_[id]; }

 private:
  std::unordered_map<std::string, std::uint32_t> index_;
  std::vector<std::string> texts_;
};

// What is kept of one span until its trace is checked.
struct SpanFacts {
  std::uint64_t span_id = 0;
  std::uint64_t parent_id = 0;  // 0: a root (all-zero ids are not ids)
  std::uint64_t start_ns = 0;
  std::uint64_t end_ns = 0;
  std::uint32_t process = kNone;
  std::uint32_t thread = kNone;
  std::uint32_t name = kNone;
  std::uint32_t file = kNone;
  std::uint32_t line = 0;
  std::size_t request = 0;  // SpanRecord::request
};

struct KilledSpan {
  std::size_t span;    // index into TraceState::spans
  std::string detail;  // "exit code 3" or "signal SIGKILL"
};

struct TraceState {
  std::vector<SpanFacts> spans;
  std::vector<KilledSpan> killed;
  std::size_t last_touched = 0;  // spans read when one of this trace's arrived last
  bool split = false;            // an earlier part of this trace was checked already
  bool pinned = false;           // not connected yet: kept until the end
  std::list<std::string>::iterator recency;
};

// One trace's time span within one process, for the lost-context heuristic.
struct Interval {
  std::size_t trace;  // index into the checker's trace list
  std::uint64_t start_ns;
  std::uint64_t end_ns;
};

struct ProcessInfo {
  std::string host;
  std::string pid;
  std::string parent_pid;
  std::string service;
  std::vector<Interval> traces;  // sorted by start before lost context is decided
  std::vector<std::uint64_t> latest_end;  // per entry of `traces`: the latest end up to it

  std::string describe() const {
    std::string text = pid.empty() ? "service " + service : "process " + pid;
    if (!pid.empty() && !service.empty()) text += " (" + service + ")";
    return text;
  }
};

struct ThreadInfo {
  std::uint32_t process;
  std::string id;    // thread.id, may be empty
  std::string name;  // thread.name, may be empty

  std::string describe() const {
    if (id.empty()) return "thread \"" + name + "\"";
    return "thread " + id + (name.empty() ? "" : " (" + name + ")");
  }
};

// A real root that may be lost context; decided at the end, when every trace's interval is known.
struct RootCandidate {
  std::size_t trace;
  SpanFacts span;
};

// A trace as the checker tracks it after checking: its summary (when listed) and its id.
struct CheckedTrace {
  std::string trace_id;
  std::uint64_t start_ns;
  std::size_t summary;  // index into report.traces, or kNotListed
};
constexpr std::size_t kNotListed = SIZE_MAX;

// For a span whose parent id is none (a root) or did not arrive (a broken link).
constexpr std::size_t kNoParentSpan = SIZE_MAX;

// Whether `later` is `earlier` delivered again (an exporter retrying a request whose answer was
// lost, at-least-once delivery): the same span in every fact kept, read from another line (a
// retry sends its whole request again; the same span twice in one request is an exporter's bug,
// left a duplicate-span-id finding). Two different spans with the same 64-bit id and the same two
// nanosecond times do not happen by chance.
bool is_redelivery(const SpanFacts& earlier, const SpanFacts& later) {
  return earlier.span_id == later.span_id && earlier.parent_id == later.parent_id &&
         earlier.start_ns == later.start_ns && earlier.end_ns == later.end_ns &&
         earlier.name == later.name && earlier.process == later.process &&
         earlier.thread == later.thread && earlier.request != later.request;
}

// Removes the later copies of spans that were delivered more than once, so that a retried
// export does not read as a second root or a duplicate id; returns how many were removed.
std::size_t drop_redelivered_spans(TraceState& trace) {
  std::vector<SpanFacts>& spans = trace.spans;
  // Every kept span by id (after compaction): spans that share an id each have their copies.
  std::unordered_multimap<std::uint64_t, std::size_t> kept_with_id;
  kept_with_id.reserve(spans.size());
  std::vector<std::size_t> moved_to(spans.size(), kNoParentSpan);  // kNoParentSpan: removed
  std::size_t kept = 0;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const auto [first, last] = kept_with_id.equal_range(spans[i].span_id);
    const bool again = std::any_of(first, last, [&](const auto& entry) {
      return is_redelivery(spans[entry.second], spans[i]);
    });
    if (again) continue;
    kept_with_id.emplace(spans[i].span_id, kept);
    moved_to[i] = kept;
    if (kept != i) spans[kept] = spans[i];
    ++kept;
  }
  const std::size_t removed = spans.size() - kept;
  if (removed == 0) return 0;
  spans.resize(kept);
  std::vector<KilledSpan> killed;
  for (KilledSpan& entry : trace.killed) {
    if (moved_to[entry.span] == kNoParentSpan) continue;
    entry.span = moved_to[entry.span];
    killed.push_back(std::move(entry));
  }
  trace.killed = std::move(killed);
  return removed;
}

// Each span's parent as an index into `spans` (the first span with that id), or kNoParentSpan.
std::vector<std::size_t> parent_indexes(
    const std::vector<SpanFacts>& spans,
    const std::unordered_map<std::uint64_t, std::size_t>& by_id) {
  std::vector<std::size_t> parents(spans.size(), kNoParentSpan);
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (spans[i].parent_id == 0) continue;
    const auto found = by_id.find(spans[i].parent_id);
    if (found != by_id.end()) parents[i] = found->second;
  }
  return parents;
}

// The loops of parent links, each as its spans in the order the links run (a span, its parent,
// its parent's parent...). A span has one parent, so walking up from it ends at a root, at a
// parent that never arrived, or on a loop; a walk that meets a span it visited itself has found a
// loop nobody found before. Each span is visited by one walk only: linear time, and no recursion,
// however deep the trace.
std::vector<std::vector<std::size_t>> parent_cycles(const std::vector<std::size_t>& parents) {
  constexpr std::size_t kNotWalked = SIZE_MAX;
  std::vector<std::size_t> walked_by(parents.size(), kNotWalked);
  std::vector<std::vector<std::size_t>> cycles;
  for (std::size_t start = 0; start < parents.size(); ++start) {
    std::size_t span = start;
    while (span != kNoParentSpan && walked_by[span] == kNotWalked) {
      walked_by[span] = start;
      span = parents[span];
    }
    if (span == kNoParentSpan || walked_by[span] != start) continue;
    std::vector<std::size_t>& cycle = cycles.emplace_back();
    const std::size_t first = span;
    do {
      cycle.push_back(span);
      span = parents[span];
    } while (span != first);
  }
  return cycles;
}

}  // namespace

bool breaks_trace(FindingKind kind) {
  switch (kind) {
    case FindingKind::kBrokenLink:
    case FindingKind::kParentCycle:
    case FindingKind::kMultipleRoots:
    case FindingKind::kLostContext:
      return true;
    default:
      return false;
  }
}

const char* finding_name(FindingKind kind) {
  switch (kind) {
    case FindingKind::kBrokenLink: return "broken-link";
    case FindingKind::kParentCycle: return "parent-cycle";
    case FindingKind::kMultipleRoots: return "multiple-roots";
    case FindingKind::kLostContext: return "lost-context";
    case FindingKind::kStartsBeforeParent: return "starts-before-parent";
    case FindingKind::kEndsAfterParent: return "ends-after-parent";
    case FindingKind::kKilled: return "killed";
    case FindingKind::kDuplicateSpanId: return "duplicate-span-id";
    case FindingKind::kSplitByWindow: return "split-by-window";
  }
  return "unknown";
}

// No traces at all fails too: a check of a program whose exporter wrote nothing (misconfigured,
// or the wrong file) must not pass.
int CheckReport::exit_status() const {
  if (unreadable) return 2;
  return broken_traces > 0 || malformed_lines > 0 || total_traces == 0 ? 1 : 0;
}

struct TraceChecker::State {
  CheckOptions options;
  CheckReport report;
  std::size_t spans_read = 0;

  std::unordered_map<std::string, TraceState> open_traces;
  std::list<std::string> recency;  // open, unpinned traces, most recently touched first
  std::unordered_set<std::string> checked_ids;  // only when traces are checked early
  std::vector<CheckedTrace> checked;
  std::vector<RootCandidate> candidates;

  Interner names, files, thread_keys;
  std::vector<ProcessInfo> processes;
  std::unordered_map<std::string, std::uint32_t> process_index;  // host + '/' + pid or service
  std::vector<ThreadInfo> threads;                               // by thread_keys id
  // Held, not just its address: a freed resource's address may be the next line's.
  std::shared_ptr<const Attributes> last_resource;
  std::uint32_t last_process = kNone;
  std::string last_location;
  std::uint32_t last_file = kNone;
  std::uint32_t last_line = 0;

  void add(const SpanRecord& span);
  std::uint32_t process_of(const SpanRecord& span);
  std::uint32_t thread_of(const SpanRecord& span, std::uint32_t process);
  void check_idle_traces();
  void check_trace(const std::string& trace_id, TraceState& trace, bool at_end);
  void add_finding(FindingKind kind, const std::string& trace_id, const SpanFacts* span,
                   std::string detail);
  void report_parent_cycles(const std::string& trace_id, const std::vector<SpanFacts>& spans,
                            const std::vector<std::vector<std::size_t>>& cycles);
  void decide_lost_context();
  bool may_be_lost_context(const SpanFacts& root) const;
  bool off_main_thread(const SpanFacts& root) const;
  const Interval* in_flight(const ProcessInfo& process, const RootCandidate& root) const;
  CheckReport finish();
};

TraceChecker::TraceChecker(CheckOptions options) : state_(std::make_unique<State>()) {
  state_->options = options;
}
TraceChecker::~TraceChecker() = default;
void TraceChecker::add(const SpanRecord& span) { state_->add(span); }
CheckReport TraceChecker::finish() { return state_->finish(); }

std::uint32_t TraceChecker::State::process_of(const SpanRecord& span) {
  // The spans of one resourceSpans entry share their resource: look it up once.
  if (span.resource != nullptr && span.resource == last_resource) return last_process;
  ProcessInfo info;
  info.host = span.resource_attribute("host.name");
  info.pid = span.resource_attribute("process.pid");
  info.parent_pid = span.resource_attribute("process.parent_pid");
  info.service = span.resource_attribute("service.name");
  const std::string key = info.host + '/' + (info.pid.empty() ? "service " + info.service : info.pid);
  auto [found, inserted] =
      process_index.emplace(key, static_cast<std::uint32_t>(processes.size()));
  if (inserted) processes.push_back(std::move(info));
  last_resource = span.resource;
  last_process = found->second;
  return last_process;
}

std::uint32_t TraceChecker::State::thread_of(const SpanRecord& span, std::uint32_t process) {
  const std::string* id = find_attribute(span.attributes, "thread.id");
  const std::string* name = find_attribute(span.attributes, "thread.name");
  if (id == nullptr && name == nullptr) return kNone;
  const std::string key = std::to_string(process) + '/' +
                          (id != nullptr ? *id : "name " + *name);
  const std::uint32_t thread = thread_keys.intern(key);
  if (thread == threads.size()) {
    threads.push_back({process, id != nullptr ? *id : "", name != nullptr ? *name : ""});
  }
  return thread;
}

void TraceChecker::State::add(const SpanRecord& span) {
  ++spans_read;
  ++report.spans;
  SpanFacts facts;
  facts.span_id = parse_hex64(span.span_id);
  facts.parent_id = span.parent_span_id.empty() ? 0 : parse_hex64(span.parent_span_id);
  facts.start_ns = span.start_ns;
  facts.end_ns = span.end_ns;
  facts.process = process_of(span);
  facts.thread = thread_of(span, facts.process);
  facts.name = names.intern(span.name);
  // The spans of one line share their location: it is parsed once.
  if (span.location != last_location) {
    const std::size_t colon = span.location.rfind(':');
    last_file = files.intern(span.location.substr(0, colon));
    last_line = 0;
    if (colon != std::string::npos) {
      last_line = static_cast<std::uint32_t>(std::strtoul(span.location.c_str() + colon + 1,
                                                          nullptr, 10));
    }
    last_location = span.location;
  }
  facts.file = last_file;
  facts.line = last_line;
  facts.request = span.request;

  auto [found, inserted] = open_traces.try_emplace(span.trace_id);
  TraceState& trace = found->second;
  if (inserted) {
    trace.split = checked_ids.count(span.trace_id) > 0;
    recency.push_front(span.trace_id);
    trace.recency = recency.begin();
  } else if (!trace.pinned) {
    recency.splice(recency.begin(), recency, trace.recency);
  }
  trace.last_touched = spans_read;
  const std::string* incomplete = find_attribute(span.attributes, "weft.span.incomplete");
  if (incomplete != nullptr && *incomplete == "true") {
    std::string detail = "its process died before ending it";
    if (const std::string* code = find_attribute(span.attributes, "process.exit.code")) {
      detail = "its process exited with code " + *code + " before ending it";
    } else if (const std::string* signal = find_attribute(span.attributes, "weft.process.signal")) {
      detail = "its process was killed by " + *signal + " before ending it";
    }
    trace.killed.push_back({trace.spans.size(), std::move(detail)});
  }
  trace.spans.push_back(facts);
  if (options.trace_window > 0) check_idle_traces();
}

// Traces idle for a whole window are checked now when they are connected (a connected trace
// whose root arrived is almost always complete: exporters send a root after its children).
// Others may still be waiting for a parent: they stay until the end.
void TraceChecker::State::check_idle_traces() {
  while (!recency.empty()) {
    const std::string& trace_id = recency.back();
    auto found = open_traces.find(trace_id);
    TraceState& trace = found->second;
    if (trace.last_touched + options.trace_window > spans_read) return;
    const std::string id = trace_id;
    recency.pop_back();
    check_trace(id, trace, false);
    if (!trace.pinned) {
      checked_ids.insert(id);
      open_traces.erase(found);
    }
  }
}

void TraceChecker::State::add_finding(FindingKind kind, const std::string& trace_id,
                                      const SpanFacts* span, std::string detail) {
  if (++report.finding_counts[kind] > kMaxListedFindings) return;
  Finding finding{kind, trace_id, "", "", "", std::move(detail)};
  if (span != nullptr) {
    finding.span_id = format_hex64(span->span_id);
    finding.span_name = names.text(span->name);
    finding.location = files.text(span->file) + ':' + std::to_string(span->line);
  }
  report.findings.push_back(std::move(finding));
}

// Links the trace's spans and records what is wrong with them. Unless `at_end`, a trace that is
// not connected is only pinned, to be checked again at the end.
void TraceChecker::State::check_trace(const std::string& trace_id, TraceState& trace,
                                      bool at_end) {
  std::vector<SpanFacts>& spans = trace.spans;
  std::unordered_map<std::uint64_t, std::size_t> by_id;
  by_id.reserve(spans.size());
  bool repeated_id = false;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    repeated_id = !by_id.emplace(spans[i].span_id, i).second || repeated_id;
  }
  // Copies delivered again are looked for only where an id repeats: most traces have none.
  if (repeated_id) {
    const std::size_t removed = drop_redelivered_spans(trace);
    report.redelivered_spans += removed;
    if (removed != 0) {
      by_id.clear();
      for (std::size_t i = 0; i < spans.size(); ++i) by_id.emplace(spans[i].span_id, i);
    }
  }
  std::size_t roots = 0;
  std::size_t broken_links = 0;
  for (const SpanFacts& span : spans) {
    if (span.parent_id == 0) ++roots;
  }
  const std::vector<std::size_t> parents = parent_indexes(spans, by_id);
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (spans[i].parent_id != 0 && parents[i] == kNoParentSpan) ++broken_links;
  }
  // With one root and no broken link, a span still hangs off no root when its parent links loop.
  const std::vector<std::vector<std::size_t>> cycles = parent_cycles(parents);
  if (!at_end && (roots != 1 || broken_links > 0 || !cycles.empty())) {
    trace.pinned = true;
    return;
  }

  TraceSummary summary;
  summary.trace_id = trace_id;
  summary.spans = spans.size();
  summary.roots = roots;
  summary.broken_links = broken_links;
  summary.start_ns = UINT64_MAX;
  const SpanFacts* earliest_root = nullptr;
  const SpanFacts* earliest = nullptr;
  std::unordered_set<std::uint32_t> trace_processes, trace_threads;
  std::unordered_map<std::uint32_t, Interval> per_process;
  const std::size_t trace_index = checked.size();
  const std::uint64_t tolerance = options.tolerance_ns;

  for (std::size_t i = 0; i < spans.size(); ++i) {
    const SpanFacts& span = spans[i];
    summary.start_ns = std::min(summary.start_ns, span.start_ns);
    summary.end_ns = std::max(summary.end_ns, span.end_ns);
    if (earliest == nullptr || span.start_ns < earliest->start_ns) earliest = &span;
    trace_processes.insert(span.process);
    if (span.thread != kNone) trace_threads.insert(span.thread);
    auto [interval, fresh] =
        per_process.try_emplace(span.process, Interval{trace_index, span.start_ns, span.end_ns});
    if (!fresh) {
      interval->second.start_ns = std::min(interval->second.start_ns, span.start_ns);
      interval->second.end_ns = std::max(interval->second.end_ns, span.end_ns);
    }
    const auto first_with_id = by_id.find(span.span_id);
    if (first_with_id->second != i) {
      add_finding(FindingKind::kDuplicateSpanId, trace_id, &span,
                  "another span of this trace has the same id");
    }
    if (span.parent_id == 0) {
      if (earliest_root == nullptr || span.start_ns < earliest_root->start_ns) {
        earliest_root = &span;
      }
      if (may_be_lost_context(span)) candidates.push_back({trace_index, span});
      continue;
    }
    if (parents[i] == kNoParentSpan) {
      add_finding(FindingKind::kBrokenLink, trace_id, &span,
                  "its parent " + format_hex64(span.parent_id) + " never arrived");
      continue;
    }
    const SpanFacts& parent = spans[parents[i]];
    if (span.start_ns + tolerance < parent.start_ns) {
      ++summary.timing_problems;
      add_finding(FindingKind::kStartsBeforeParent, trace_id, &span,
                  "starts " + format_duration(parent.start_ns - span.start_ns) +
                      " before its parent \"" + names.text(parent.name) + "\"");
    }
    if (span.end_ns > parent.end_ns + tolerance) {
      ++summary.timing_problems;
      add_finding(FindingKind::kEndsAfterParent, trace_id, &span,
                  "ends " + format_duration(span.end_ns - parent.end_ns) +
                      " after its parent \"" + names.text(parent.name) + "\"");
    }
  }
  report_parent_cycles(trace_id, spans, cycles);
  for (const std::vector<std::size_t>& cycle : cycles) summary.cycle_spans += cycle.size();
  if (roots > 1) {
    add_finding(FindingKind::kMultipleRoots, trace_id, nullptr,
                std::to_string(roots) + " spans of this trace have no parent");
  }
  for (const KilledSpan& killed : trace.killed) {
    add_finding(FindingKind::kKilled, trace_id, &spans[killed.span], killed.detail);
  }
  if (trace.split) {
    add_finding(FindingKind::kSplitByWindow, trace_id, nullptr,
                "spans of this trace arrived after it had been checked; check again with a "
                "larger --window (or --window 0)");
  }
  summary.killed_spans = trace.killed.size();
  summary.processes = trace_processes.size();
  summary.threads = trace_threads.size();
  summary.root_name = names.text((earliest_root != nullptr ? earliest_root : earliest)->name);
  for (const auto& [process, interval] : per_process) processes[process].traces.push_back(interval);

  const bool listed = roots != 1 || broken_links > 0 || !cycles.empty() ||
                      report.traces.size() < kMaxListedConnectedTraces;
  checked.push_back({trace_id, summary.start_ns, listed ? report.traces.size() : kNotListed});
  if (listed) report.traces.push_back(std::move(summary));
}

// Every span on a loop is a finding of its own, so that each is named where it is shown.
void TraceChecker::State::report_parent_cycles(const std::string& trace_id,
                                               const std::vector<SpanFacts>& spans,
                                               const std::vector<std::vector<std::size_t>>& cycles) {
  for (const std::vector<std::size_t>& cycle : cycles) {
    for (std::size_t i = 0; i < cycle.size(); ++i) {
      const SpanFacts& span = spans[cycle[i]];
      if (cycle.size() == 1) {
        add_finding(FindingKind::kParentCycle, trace_id, &span,
                    "it is its own parent, so it is not reachable from the root");
        continue;
      }
      const SpanFacts& parent = spans[cycle[(i + 1) % cycle.size()]];
      add_finding(FindingKind::kParentCycle, trace_id, &span,
                  "its parent " + format_hex64(parent.span_id) + " (\"" + names.text(parent.name) +
                      "\") leads back to it: a cycle of " + std::to_string(cycle.size()) +
                      " spans, not reachable from the root");
    }
  }
}

bool TraceChecker::State::off_main_thread(const SpanFacts& root) const {
  const ProcessInfo& process = processes[root.process];
  if (root.thread == kNone || process.pid.empty()) return false;
  const ThreadInfo& thread = threads[root.thread];
  return !thread.id.empty() && thread.id != process.pid;
}

bool TraceChecker::State::may_be_lost_context(const SpanFacts& root) const {
  return off_main_thread(root) || !processes[root.process].parent_pid.empty();
}

// The outermost other trace in flight in `process` when `root` started, if any: the one that
// started first among those whose interval holds the root's start. `latest_end` is monotonic, so
// the first entry whose running maximum reaches the start is found by binary search.
const Interval* TraceChecker::State::in_flight(const ProcessInfo& process,
                                               const RootCandidate& root) const {
  const std::uint64_t moment = root.span.start_ns;
  const auto started_after = std::upper_bound(
      process.traces.begin(), process.traces.end(), moment,
      [](std::uint64_t value, const Interval& interval) { return value < interval.start_ns; });
  const auto limit = static_cast<std::size_t>(started_after - process.traces.begin());
  const auto first = static_cast<std::size_t>(
      std::lower_bound(process.latest_end.begin(), process.latest_end.begin() + limit, moment) -
      process.latest_end.begin());
  for (std::size_t i = first; i < limit; ++i) {
    const Interval& interval = process.traces[i];
    if (interval.trace != root.trace && interval.end_ns >= moment) return &interval;
  }
  return nullptr;
}

void TraceChecker::State::decide_lost_context() {
  for (ProcessInfo& process : processes) {
    std::sort(process.traces.begin(), process.traces.end(),
              [](const Interval& a, const Interval& b) {
                return a.start_ns != b.start_ns ? a.start_ns < b.start_ns : a.trace < b.trace;
              });
    process.latest_end.clear();
    std::uint64_t latest = 0;
    for (const Interval& interval : process.traces) {
      latest = std::max(latest, interval.end_ns);
      process.latest_end.push_back(latest);
    }
  }
  for (const RootCandidate& root : candidates) {
    const ProcessInfo& process = processes[root.span.process];
    const ThreadInfo* thread = root.span.thread != kNone ? &threads[root.span.thread] : nullptr;
    const bool off_main = off_main_thread(root.span);
    const Interval* other = nullptr;
    std::string where;
    if (off_main) {
      other = in_flight(process, root);
      where = "started on " + thread->describe() + ", not the main thread of " +
              process.describe() + ", while trace ";
    }
    if (other == nullptr && !process.parent_pid.empty()) {
      const auto parent = process_index.find(process.host + '/' + process.parent_pid);
      if (parent != process_index.end()) {
        other = in_flight(processes[parent->second], root);
        where = "started in " + process.describe() + ", a child of traced " +
                processes[parent->second].describe() + ", while trace ";
      }
    }
    if (other == nullptr) continue;
    const CheckedTrace& owner = checked[other->trace];
    const std::string& trace_id = checked[root.trace].trace_id;
    add_finding(FindingKind::kLostContext, trace_id, &root.span,
                where + owner.trace_id + " was in flight there: its context was probably not "
                "handed over");
    const std::size_t summary = checked[root.trace].summary;
    if (summary != kNotListed) {
      ++report.traces[summary].lost_context_roots;
    } else {
      // A connected trace that was not listed is listed after all, now that it is broken.
      TraceSummary unlisted;
      unlisted.trace_id = trace_id;
      unlisted.root_name = names.text(root.span.name);
      unlisted.start_ns = root.span.start_ns;
      unlisted.lost_context_roots = 1;
      unlisted.roots = 1;
      report.traces.push_back(std::move(unlisted));
    }
  }
}

CheckReport TraceChecker::State::finish() {
  for (auto& [trace_id, trace] : open_traces) check_trace(trace_id, trace, true);
  open_traces.clear();
  recency.clear();
  decide_lost_context();
  std::size_t connected = 0;
  for (TraceSummary& summary : report.traces) {
    summary.broken = summary.roots != 1 || summary.broken_links > 0 || summary.cycle_spans > 0 ||
                     summary.lost_context_roots > 0;
    if (summary.broken) ++report.broken_traces;
  }
  for (const CheckedTrace& trace : checked) {
    if (trace.summary == kNotListed) ++connected;
  }
  report.unlisted_connected_traces = connected;
  report.total_traces = checked.size();
  std::stable_sort(report.traces.begin(), report.traces.end(),
                   [](const TraceSummary& a, const TraceSummary& b) {
                     return a.start_ns < b.start_ns;
                   });
  std::unordered_map<std::string, std::size_t> rank;
  for (std::size_t i = 0; i < report.traces.size(); ++i) rank.emplace(report.traces[i].trace_id, i);
  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [&](const Finding& a, const Finding& b) {
                     const auto rank_a = rank.count(a.trace_id) ? rank[a.trace_id] : SIZE_MAX;
                     const auto rank_b = rank.count(b.trace_id) ? rank[b.trace_id] : SIZE_MAX;
                     if (rank_a != rank_b) return rank_a < rank_b;
                     return static_cast<int>(a.kind) < static_cast<int>(b.kind);
                   });
  return std::move(report);
}

CheckReport check_files(const std::vector<std::string>& paths, const CheckOptions& options) {
  TraceChecker checker(options);
  TraceFileContents contents;
  stream_trace_files(paths, [&](SpanRecord&& span) { checker.add(span); }, contents);
  CheckReport report = checker.finish();
  report.problems = std::move(contents.problems);
  report.malformed_lines = contents.malformed_lines;
  report.unreadable = contents.unreadable;
  return report;
}

}  // namespace weft::cli
