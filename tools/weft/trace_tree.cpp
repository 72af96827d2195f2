#include "trace_tree.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace weft::cli {
namespace {

constexpr std::size_t kNoParent = static_cast<std::size_t>(-1);

// Which thread ran a span, as weft's exporter records it; "" when the span does not say.
std::string thread_key(const SpanRecord& span) {
  std::string id = span.attribute("thread.id");
  return id.empty() ? span.attribute("thread.name") : id;
}

// Which process a span came from. Pids repeat across hosts, so the host is part of the key; a
// resource without a pid is told apart by its service name.
std::string process_key(const SpanRecord& span) {
  const std::string pid = span.resource_attribute("process.pid");
  return span.resource_attribute("host.name") + '/' +
         (pid.empty() ? "service " + span.resource_attribute("service.name") : pid);
}

// Spans that do not name their thread (other SDKs do not record it) count as one thread of their
// process when no span of that process names one: a process ran at least one thread. Where some
// spans do name theirs, the others may have run on those, so they add none. A trace in which no
// span names its thread has no thread count (0: not shown) rather than a guess.
void count_threads_and_processes(TraceTree& tree) {
  std::set<std::pair<std::string, std::string>> threads;
  std::set<std::string> processes;
  std::set<std::string> processes_naming_threads;
  for (const SpanRecord& span : tree.spans) {
    std::string process = process_key(span);
    std::string thread = thread_key(span);
    if (!thread.empty()) {
      processes_naming_threads.insert(process);
      threads.emplace(process, std::move(thread));
    }
    processes.insert(std::move(process));
  }
  tree.thread_count =
      threads.empty() ? 0 : threads.size() + (processes.size() - processes_naming_threads.size());
  tree.process_count = processes.size();
}

// Marks `from` and everything below it as reached. An explicit stack: traces can be deep.
void mark_reached(const TraceTree& tree, std::size_t from, std::vector<bool>& reached) {
  std::vector<std::size_t> pending = {from};
  while (!pending.empty()) {
    const std::size_t span = pending.back();
    pending.pop_back();
    if (reached[span]) continue;
    reached[span] = true;
    pending.insert(pending.end(), tree.children[span].begin(), tree.children[span].end());
  }
}

// Spans not reached from any root hang off a loop of parent links (each span has one parent, so
// walking up from such a span must come back to a span already seen). Each loop is cut above its
// earliest span, which becomes an extra root.
void break_parent_cycles(TraceTree& tree, std::vector<std::size_t>& parent) {
  std::vector<bool> reached(tree.spans.size(), false);
  for (const TreeRoot& root : tree.roots) mark_reached(tree, root.span, reached);
  std::vector<bool> walked(tree.spans.size(), false);
  for (std::size_t start = 0; start < tree.spans.size(); ++start) {
    if (reached[start]) continue;
    std::size_t in_cycle = start;
    while (!walked[in_cycle]) {
      walked[in_cycle] = true;
      in_cycle = parent[in_cycle];
    }
    std::size_t earliest = in_cycle;
    for (std::size_t span = parent[in_cycle]; span != in_cycle; span = parent[span]) {
      earliest = std::min(earliest, span);  // spans are sorted by start time
    }
    std::vector<std::size_t>& siblings = tree.children[parent[earliest]];
    siblings.erase(std::find(siblings.begin(), siblings.end(), earliest));
    parent[earliest] = kNoParent;
    tree.roots.push_back({earliest, RootReason::kParentCycle});
    mark_reached(tree, earliest, reached);
  }
}

// Whether `later` is `earlier` delivered again (an exporter retrying a request whose answer was
// lost): the same span, attribute for attribute, from the same process, read from another line
// (the same span twice in one request is an exporter's bug, shown as a duplicate id).
bool is_redelivery(const SpanRecord& earlier, const SpanRecord& later) {
  const auto same_events = [&] {
    if (earlier.events.size() != later.events.size()) return false;
    for (std::size_t i = 0; i < earlier.events.size(); ++i) {
      const SpanEvent& a = earlier.events[i];
      const SpanEvent& b = later.events[i];
      if (a.name != b.name || a.time_ns != b.time_ns || a.attributes != b.attributes) return false;
    }
    return true;
  };
  return earlier.span_id == later.span_id && earlier.parent_span_id == later.parent_span_id &&
         earlier.name == later.name && earlier.start_ns == later.start_ns &&
         earlier.end_ns == later.end_ns && earlier.kind == later.kind &&
         earlier.status_code == later.status_code &&
         earlier.status_message == later.status_message && earlier.scope_name == later.scope_name &&
         earlier.attributes == later.attributes &&
         (earlier.resource == later.resource ||
          (earlier.resource && later.resource && *earlier.resource == *later.resource)) &&
         earlier.links.size() == later.links.size() && same_events() &&
         earlier.request != later.request;
}

// Leaves out the later copies of spans that were read more than once, so that a retried export
// is not drawn as a second root or a duplicate id.
void drop_redelivered_spans(TraceTree& tree) {
  // Every kept span by id (after compaction): spans that share an id each have their copies.
  std::unordered_multimap<std::string, std::size_t> kept_with_id;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < tree.spans.size(); ++i) {
    const auto [first, last] = kept_with_id.equal_range(tree.spans[i].span_id);
    const bool again = std::any_of(first, last, [&](const auto& entry) {
      return is_redelivery(tree.spans[entry.second], tree.spans[i]);
    });
    if (again) continue;
    kept_with_id.emplace(tree.spans[i].span_id, kept);
    if (kept != i) tree.spans[kept] = std::move(tree.spans[i]);
    ++kept;
  }
  tree.redelivered = tree.spans.size() - kept;
  tree.spans.resize(kept);
}

// Links the spans of one trace into a tree.
void link_spans(TraceTree& tree) {
  std::stable_sort(
      tree.spans.begin(), tree.spans.end(),
      [](const SpanRecord& a, const SpanRecord& b) { return a.start_ns < b.start_ns; });
  const std::size_t count = tree.spans.size();
  tree.children.assign(count, {});
  tree.duplicate_id.assign(count, false);
  std::unordered_map<std::string_view, std::size_t> by_id;  // views of the ids in tree.spans
  for (std::size_t i = 0; i < count; ++i) {
    if (!by_id.emplace(tree.spans[i].span_id, i).second) tree.duplicate_id[i] = true;
  }
  std::vector<std::size_t> parent(count, kNoParent);
  std::vector<TreeRoot> extra_roots;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string& parent_id = tree.spans[i].parent_span_id;
    if (parent_id.empty()) {
      tree.roots.push_back({i, RootReason::kRoot});
      continue;
    }
    const auto found = by_id.find(parent_id);
    if (found == by_id.end()) {
      extra_roots.push_back({i, RootReason::kMissingParent});
    } else {
      parent[i] = found->second;
      tree.children[found->second].push_back(i);  // i ascends, so children stay by start time
    }
  }
  const std::size_t real_roots = tree.roots.size();
  tree.roots.insert(tree.roots.end(), extra_roots.begin(), extra_roots.end());
  break_parent_cycles(tree, parent);
  std::stable_sort(tree.roots.begin() + static_cast<std::ptrdiff_t>(real_roots), tree.roots.end(),
                   [](const TreeRoot& a, const TreeRoot& b) { return a.span < b.span; });
}

// Terminal control characters in names or values would garble the tree, or worse; they are
// shown escaped. That includes the C1 controls, U+0080 to U+009F.
std::string escaped(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const bool c1 = byte == 0xC2 && i + 1 < text.size() &&
                    static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(text[i + 1]) <= 0x9F;
    if (byte == '\n') {
      result += "\\n";
    } else if (byte == '\t') {
      result += "\\t";
    } else if (byte < 0x20 || byte == 0x7F || c1) {
      const unsigned code = c1 ? static_cast<unsigned char>(text[++i]) : byte;
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", code);
      result += buffer;
    } else {
      result += text[i];
    }
  }
  return result;
}

std::string duration_text(const SpanRecord& span) {
  if (span.end_ns == 0 || span.end_ns < span.start_ns) return "?";
  return format_duration(span.end_ns - span.start_ns);
}

std::string attributes_text(const Attributes& attributes) {
  std::string text;
  for (const auto& [key, value] : attributes) {
    text += (text.empty() ? "" : ", ") + escaped(key) + " = " + escaped(value);
  }
  return text;
}

std::string kind_name(int kind) {
  switch (kind) {
    case kKindServer:
      return "kind server";
    case kKindClient:
      return "kind client";
    case kKindProducer:
      return "kind producer";
    case kKindConsumer:
      return "kind consumer";
    default:
      return "kind " + std::to_string(kind);
  }
}

struct Palette {
  const char* bold = "";
  const char* dim = "";
  const char* red = "";
  const char* yellow = "";
  const char* reset = "";
};

Palette palette_for(const ViewOptions& options) {
  if (!options.color) return {};
  return {"\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[33m", "\x1b[0m"};
}

// Deeper spans are drawn at this depth, with their depth written out, so that a very deep trace
// does not print quadratically many columns.
constexpr std::size_t kMaxDrawnDepth = 32;

class TreePrinter {
 public:
  TreePrinter(const TraceTree& tree, const ViewOptions& options, std::ostream& out)
      : tree_(tree),
        options_(options),
        palette_(palette_for(options)),
        out_(out),
        printed_(tree.spans.size(), false) {}

  void print() {
    print_header();
    for (std::size_t i = 0; i < tree_.roots.size(); ++i) {
      if (printed_[tree_.roots[i].span]) continue;
      print_subtree(tree_.roots[i], i + 1 == tree_.roots.size());
    }
  }

 private:
  void print_header() {
    const auto count = [](std::size_t number, const char* one, const char* many) {
      return std::to_string(number) + ' ' + (number == 1 ? one : many);
    };
    out_ << palette_.bold << "trace " << tree_.trace_id << palette_.reset << "  ("
         << count(tree_.spans.size(), "span", "spans");
    // Spans from other SDKs may not say which thread ran them.
    if (tree_.thread_count != 0) out_ << ", " << count(tree_.thread_count, "thread", "threads");
    out_ << ", " << count(tree_.process_count, "process", "processes");
    if (tree_.redelivered != 0) {
      out_ << "; " << count(tree_.redelivered, "span", "spans") << " delivered again, shown once";
    }
    out_ << ")\n";
  }

  // Depth-first with an explicit stack of (span, next child) frames: the stack grows with the
  // depth of the trace, not with the number of spans, and nothing recurses.
  void print_subtree(const TreeRoot& root, bool last_root) {
    struct Frame {
      std::size_t span;
      std::size_t next_child;
      std::size_t prefix_length;  // of `prefix` before this span's column was added
    };
    std::vector<Frame> frames;
    std::string prefix;  // the tree lines left of the current depth's branches
    const auto enter = [&](std::size_t span, bool last, const TreeRoot* as_root) {
      printed_[span] = true;
      print_span_line(span, prefix, last, frames.size(), as_root);
      const std::size_t prefix_length = prefix.size();
      if (frames.size() < kMaxDrawnDepth) prefix += last ? "   " : "│  ";
      if (options_.show_attributes) {
        print_details(tree_.spans[span], prefix + (tree_.children[span].empty() ? "   " : "│  "));
      }
      frames.push_back({span, 0, prefix_length});
    };
    enter(root.span, last_root, &root);
    while (!frames.empty()) {
      Frame& frame = frames.back();
      const std::vector<std::size_t>& children = tree_.children[frame.span];
      // A span is never printed twice, even in a hand-built tree that lists it twice.
      while (frame.next_child < children.size() && printed_[children[frame.next_child]]) {
        ++frame.next_child;
      }
      if (frame.next_child == children.size()) {
        prefix.resize(frame.prefix_length);
        frames.pop_back();
        continue;
      }
      const std::size_t child = children[frame.next_child++];
      enter(child, frame.next_child == children.size(), nullptr);
    }
  }

  void print_span_line(std::size_t index, const std::string& prefix, bool last, std::size_t depth,
                       const TreeRoot* as_root) {
    const SpanRecord& span = tree_.spans[index];
    const std::string name = span.name.empty() ? "(unnamed)" : escaped(span.name);
    out_ << palette_.dim << prefix << (last ? "└─ " : "├─ ") << palette_.reset;
    if (span.status_code == kStatusError) {
      out_ << palette_.red << name << palette_.reset;  // failures stand out in color
    } else {
      out_ << name;
    }
    out_ << "  " << duration_text(span);
    std::string where = escaped(span.attribute("thread.name"));
    if (where.empty()) where = escaped(span.attribute("thread.id"));
    if (tree_.process_count > 1) {
      const std::string pid = span.resource_attribute("process.pid");
      const std::string process =
          pid.empty() ? escaped(span.resource_attribute("service.name")) : "pid " + escaped(pid);
      where += (where.empty() ? "" : ", ") + (process.empty() ? "?" : process);
    }
    if (!where.empty()) out_ << "  " << palette_.dim << '[' << where << ']' << palette_.reset;
    std::string notes;
    if (as_root != nullptr && as_root->reason == RootReason::kMissingParent) {
      notes += "  (parent " + span.parent_span_id + " missing)";
    }
    if (as_root != nullptr && as_root->reason == RootReason::kParentCycle) {
      notes += "  (parent " + span.parent_span_id + " leads back here: a cycle)";
    }
    if (index < tree_.duplicate_id.size() && tree_.duplicate_id[index])
      notes += "  (duplicate span id " + span.span_id + ")";
    if (depth >= kMaxDrawnDepth) notes += "  (depth " + std::to_string(depth) + ")";
    if (!notes.empty()) out_ << palette_.yellow << notes << palette_.reset;
    out_ << '\n';
  }

  void print_details(const SpanRecord& span, const std::string& prefix) {
    const auto line = [&](const std::string& text, const char* color = "") {
      out_ << palette_.dim << prefix << palette_.reset << color << text << palette_.reset << '\n';
    };
    if (span.kind > kKindInternal || span.kind < kKindUnspecified) line(kind_name(span.kind));
    for (const auto& [key, value] : span.attributes) line(escaped(key) + " = " + escaped(value));
    for (const SpanEvent& event : span.events) {
      std::string text = "event " + escaped(event.name);
      if (event.time_ns >= span.start_ns && span.start_ns != 0) {
        text += " at +" + format_duration(event.time_ns - span.start_ns);
      }
      if (!event.attributes.empty()) text += " {" + attributes_text(event.attributes) + '}';
      line(text);
    }
    for (const SpanLink& link : span.links) {
      std::string text = "link to trace " + link.trace_id + " span " + link.span_id;
      if (!link.attributes.empty()) text += " {" + attributes_text(link.attributes) + '}';
      line(text);
    }
    if (span.status_code == kStatusError) {
      line(
          "status ERROR" + (span.status_message.empty() ? "" : ": " + escaped(span.status_message)),
          palette_.red);
    } else if (span.status_code == kStatusOk) {
      line("status OK");
    } else if (span.status_code != kStatusUnset) {
      line("status " + std::to_string(span.status_code));
    }
  }

  const TraceTree& tree_;
  const ViewOptions& options_;
  const Palette palette_;
  std::ostream& out_;
  std::vector<bool> printed_;
};

}  // namespace

std::uint64_t TraceTree::start_ns() const {
  return roots.empty() ? 0 : spans[roots.front().span].start_ns;
}

std::vector<TraceTree> build_trace_trees(std::vector<SpanRecord> spans) {
  std::vector<TraceTree> trees;
  std::unordered_map<std::string, std::size_t> tree_of_trace;
  for (SpanRecord& span : spans) {
    const auto [found, added] = tree_of_trace.emplace(span.trace_id, trees.size());
    if (added) trees.emplace_back().trace_id = span.trace_id;
    trees[found->second].spans.push_back(std::move(span));
  }
  for (TraceTree& tree : trees) {
    drop_redelivered_spans(tree);
    link_spans(tree);
    count_threads_and_processes(tree);
  }
  std::sort(trees.begin(), trees.end(), [](const TraceTree& a, const TraceTree& b) {
    if (a.start_ns() != b.start_ns()) return a.start_ns() < b.start_ns();
    return a.trace_id < b.trace_id;
  });
  return trees;
}

LoadedTraces load_traces(const std::vector<std::string>& paths) {
  TraceFileContents contents = read_trace_files(paths);
  LoadedTraces loaded;
  loaded.traces = build_trace_trees(std::move(contents.spans));
  loaded.problems = std::move(contents.problems);
  loaded.malformed_lines = contents.malformed_lines;
  loaded.unreadable = contents.unreadable;
  return loaded;
}

void print_trace_tree(const TraceTree& tree, const ViewOptions& options, std::ostream& out) {
  TreePrinter(tree, options, out).print();
}

int view_files(const std::vector<std::string>& paths, const ViewOptions& options, std::ostream& out,
               std::ostream& err) {
  const LoadedTraces loaded = load_traces(paths);
  for (const std::string& problem : loaded.problems) err << problem << '\n';
  for (std::size_t i = 0; i < loaded.traces.size(); ++i) {
    if (i != 0) out << '\n';
    print_trace_tree(loaded.traces[i], options, out);
  }
  if (loaded.traces.empty()) out << "no spans\n";
  if (loaded.malformed_lines != 0) {
    err << loaded.malformed_lines << (loaded.malformed_lines == 1 ? " line" : " lines")
        << " skipped as malformed\n";
  }
  if (loaded.unreadable) return 2;
  return loaded.malformed_lines != 0 ? 1 : 0;
}

std::string format_duration(std::uint64_t nanoseconds) {
  // Each unit is used from the point where the smaller one would round to 1000.
  struct Unit {
    double scale;
    const char* name;
  };
  static constexpr Unit kUnits[] = {{1e3, "µs"}, {1e6, "ms"}, {1e9, "s"}};
  if (nanoseconds < 1000) return std::to_string(nanoseconds) + " ns";
  const double value = static_cast<double>(nanoseconds);
  const Unit* unit = &kUnits[0];
  while (unit != &kUnits[2] && value >= 999.5 * unit->scale) ++unit;
  const double scaled = value / unit->scale;
  const char* format = scaled < 9.995 ? "%.2f %s" : scaled < 99.95 ? "%.1f %s" : "%.0f %s";
  char text[40];
  std::snprintf(text, sizeof text, format, scaled, unit->name);
  return text;
}

}  // namespace weft::cli
