// Traces as trees: spans grouped by trace id, children under their parents, printed with box
// characters. Spans whose parent never arrived are shown as extra roots and marked.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "trace_file.h"

namespace weft::cli {

struct TraceTree {
  std::string trace_id;
  std::vector<const ViewedSpan*> roots;           // spans without a parent id
  std::vector<const ViewedSpan*> orphans;         // spans whose parent is not in the trace
  std::vector<std::vector<std::size_t>> children; // by index into `spans`
  std::vector<const ViewedSpan*> spans;
  std::size_t threads = 0;
  std::size_t processes = 0;
};

// Builds one tree per trace, ordered by the start of their earliest span.
std::vector<TraceTree> build_trace_trees(const std::vector<ViewedSpan>& spans);

struct ViewOptions {
  bool show_attributes = false;
};

void print_trace_tree(const TraceTree& tree, const ViewOptions& options, std::ostream& out);

// Reads the files and prints every trace. Returns 0 when everything was read, 1 when some lines
// were malformed (the rest is still printed), 2 when a file could not be read.
int view_files(const std::vector<std::string>& paths, const ViewOptions& options,
               std::ostream& out, std::ostream& err);

// "12.3 ms", "850 µs", ...
std::string format_duration(std::uint64_t nanoseconds);

}  // namespace weft::cli
