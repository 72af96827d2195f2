#include "trace_tree.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_map>

namespace weft::cli {
namespace {

std::string thread_label(const ViewedSpan& span) {
  std::string name = span.attribute("thread.name");
  return name.empty() ? span.attribute("thread.id") : name;
}

std::string process_key(const ViewedSpan& span) {
  return span.process_id.empty() ? span.service_name : span.process_id;
}

void print_details(const ViewedSpan& span, const std::string& indent, std::ostream& out) {
  for (const auto& [key, value] : span.attributes) {
    out << indent << "  · " << key << " = " << value << '\n';
  }
  for (const auto& [name, attributes] : span.events) {
    out << indent << "  ◦ event " << name << (attributes.empty() ? "" : " {" + attributes + "}")
        << '\n';
  }
  if (span.status_code != 0) {
    out << indent << "  ! status " << (span.status_code == 2 ? "error" : "ok")
        << (span.status_message.empty() ? "" : ": " + span.status_message) << '\n';
  }
}

}  // namespace

std::string format_duration(std::uint64_t nanoseconds) {
  char text[32];
  const double value = static_cast<double>(nanoseconds);
  if (nanoseconds < 1000) {
    std::snprintf(text, sizeof text, "%llu ns", static_cast<unsigned long long>(nanoseconds));
  } else if (nanoseconds < 1000000) {
    std::snprintf(text, sizeof text, "%.1f µs", value / 1e3);
  } else if (nanoseconds < 1000000000) {
    std::snprintf(text, sizeof text, "%.1f ms", value / 1e6);
  } else {
    std::snprintf(text, sizeof text, "%.2f s", value / 1e9);
  }
  return text;
}

std::vector<TraceTree> build_trace_trees(const std::vector<ViewedSpan>& spans) {
  std::map<std::string, TraceTree> by_trace;
  for (const ViewedSpan& span : spans) by_trace[span.trace_id].spans.push_back(&span);
  std::vector<TraceTree> trees;
  for (auto& [trace_id, tree] : by_trace) {
    tree.trace_id = trace_id;
    std::stable_sort(tree.spans.begin(), tree.spans.end(),
                     [](const ViewedSpan* a, const ViewedSpan* b) { return a->start_ns < b->start_ns; });
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < tree.spans.size(); ++i) index.emplace(tree.spans[i]->span_id, i);
    tree.children.assign(tree.spans.size(), {});
    std::set<std::pair<std::string, std::string>> threads;
    std::set<std::string> processes;
    for (std::size_t i = 0; i < tree.spans.size(); ++i) {
      const ViewedSpan& span = *tree.spans[i];
      threads.emplace(process_key(span), thread_label(span));
      processes.insert(process_key(span));
      if (span.parent_span_id.empty()) {
        tree.roots.push_back(&span);
        continue;
      }
      auto parent = index.find(span.parent_span_id);
      if (parent == index.end() || parent->second == i) {
        tree.orphans.push_back(&span);
      } else {
        tree.children[parent->second].push_back(i);
      }
    }
    tree.threads = threads.size();
    tree.processes = processes.size();
    trees.push_back(std::move(tree));
  }
  std::stable_sort(trees.begin(), trees.end(), [](const TraceTree& a, const TraceTree& b) {
    return a.spans.front()->start_ns < b.spans.front()->start_ns;
  });
  return trees;
}

void print_trace_tree(const TraceTree& tree, const ViewOptions& options, std::ostream& out) {
  out << "trace " << tree.trace_id << "  (" << tree.spans.size() << " spans, " << tree.threads
      << (tree.threads == 1 ? " thread, " : " threads, ") << tree.processes
      << (tree.processes == 1 ? " process" : " processes") << ")\n";
  std::unordered_map<const ViewedSpan*, std::size_t> index;
  for (std::size_t i = 0; i < tree.spans.size(); ++i) index.emplace(tree.spans[i], i);
  std::vector<bool> printed(tree.spans.size(), false);

  struct Pending {
    std::size_t span;
    std::string prefix;  // drawn before this span's branch
    bool last;
    bool orphan;
  };
  std::vector<const ViewedSpan*> tops = tree.roots;
  tops.insert(tops.end(), tree.orphans.begin(), tree.orphans.end());
  std::vector<Pending> stack;  // an explicit stack: no recursion depth limit on deep traces
  for (std::size_t i = tops.size(); i-- > 0;) {
    const bool orphan = i >= tree.roots.size();
    stack.push_back({index.at(tops[i]), "", i + 1 == tops.size(), orphan});
  }
  while (!stack.empty()) {
    Pending item = stack.back();
    stack.pop_back();
    if (printed[item.span]) continue;  // a parent cycle: print each span once
    printed[item.span] = true;
    const ViewedSpan& span = *tree.spans[item.span];
    out << item.prefix << (item.last ? "└─ " : "├─ ") << span.name << "  "
        << format_duration(span.end_ns >= span.start_ns ? span.end_ns - span.start_ns : 0);
    const std::string thread = thread_label(span);
    out << "  [" << (thread.empty() ? "?" : thread);
    if (tree.processes > 1) out << ", pid " << process_key(span);
    out << ']';
    if (item.orphan) out << "  (parent " << span.parent_span_id << " missing)";
    out << '\n';
    const std::string child_prefix = item.prefix + (item.last ? "   " : "│  ");
    if (options.show_attributes) print_details(span, child_prefix, out);
    const auto& children = tree.children[item.span];
    for (std::size_t c = children.size(); c-- > 0;) {
      stack.push_back({children[c], child_prefix, c + 1 == children.size(), false});
    }
  }
  // Spans only reachable through a cycle of parent links.
  for (std::size_t i = 0; i < tree.spans.size(); ++i) {
    if (!printed[i]) {
      out << "└─ " << tree.spans[i]->name << "  (in a cycle of parent links)\n";
    }
  }
}

int view_files(const std::vector<std::string>& paths, const ViewOptions& options,
               std::ostream& out, std::ostream& err) {
  const TraceFile file = read_trace_files(paths);
  for (const std::string& problem : file.problems) err << "weft view: " << problem << '\n';
  const std::vector<TraceTree> trees = build_trace_trees(file.spans);
  for (std::size_t i = 0; i < trees.size(); ++i) {
    if (i != 0) out << '\n';
    print_trace_tree(trees[i], options, out);
  }
  if (trees.empty()) out << "no spans\n";
  if (file.unreadable) return 2;
  return file.problems.empty() ? 0 : 1;
}

}  // namespace weft::cli
