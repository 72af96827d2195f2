// Traces as trees: spans grouped by trace id, each under its parent, printed with box characters.
//
// A span whose parent never arrived, or whose parent links loop, is drawn as an extra root and
// marked, so that every span read is printed exactly once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "trace_file.h"

namespace weft::cli {

// Why a span is drawn at the top of its trace.
enum class RootReason {
  kRoot,           // it has no parent
  kMissingParent,  // its parent is not among the spans read
  kParentCycle,    // following parent links from it comes back to it
};

struct TreeRoot {
  std::size_t span;  // index into TraceTree::spans
  RootReason reason;
};

struct TraceTree {
  std::string trace_id;
  std::vector<SpanRecord> spans;                   // by start time
  std::vector<std::vector<std::size_t>> children;  // per span: indexes into `spans`, by start time
  std::vector<TreeRoot> roots;     // real roots by start time, then the extra roots by start time
  std::vector<bool> duplicate_id;  // per span: an earlier span of the trace has the same id
  std::size_t thread_count = 0;    // distinct thread.id / thread.name per process (see .cpp)
  std::size_t process_count = 0;   // distinct process.pid (or service.name) per host
  // Later copies of spans read more than once (a retried export), left out of `spans`.
  std::size_t redelivered = 0;

  // When the trace began: the start of its first root.
  std::uint64_t start_ns() const;
};

// Groups the spans by trace and builds their trees. Traces come in order of start time.
std::vector<TraceTree> build_trace_trees(std::vector<SpanRecord> spans);

// What a set of OTLP/JSON lines files holds, as trees, for the commands that look at traces.
struct LoadedTraces {
  std::vector<TraceTree> traces;
  std::vector<std::string> problems;  // as in TraceFileContents
  std::size_t malformed_lines = 0;
  bool unreadable = false;
};

LoadedTraces load_traces(const std::vector<std::string>& paths);

struct ViewOptions {
  bool show_attributes = false;  // list attributes, events, links and status under each span
  bool color = false;            // ANSI colors, for terminals
};

// A header line with the trace id and its span, thread and process counts, then one line per
// span: name, duration, [thread, pid] and the reason it is an extra root, if it is one.
void print_trace_tree(const TraceTree& tree, const ViewOptions& options, std::ostream& out);

// Reads the files and prints every trace to `out`, problems to `err`. Returns 0 when everything
// was read, 1 when some lines were malformed (the rest is still printed), 2 when a file could not
// be read.
int view_files(const std::vector<std::string>& paths, const ViewOptions& options, std::ostream& out,
               std::ostream& err);

// "850 ns", "12.3 µs", "250 ms", "1.00 s": three significant digits.
std::string format_duration(std::uint64_t nanoseconds);

}  // namespace weft::cli
