#include "html_report.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <string_view>
#include <unordered_map>

#include "check_report.h"
#include "report_page.h"

namespace weft::cli {
namespace {

using nlohmann::json;

// Bits of the page's `flags` column (FLAG in report.html).
enum SpanFlag : int {
  kFlagBroken = 1,   // its parent never arrived
  kFlagLost = 2,     // a root that looks like lost context
  kFlagKilled = 4,   // killed with its process
  kFlagError = 8,    // status ERROR
  kFlagTiming = 16,  // outside its parent's time
  kFlagCycle = 32,   // on a loop of parent links
};

const char* kind_name(int kind) {
  static const char* const kNames[] = {"unspecified", "internal", "server",
                                       "client",      "producer", "consumer"};
  return kind >= 0 && kind < 6 ? kNames[kind] : "unknown";
}

std::string status_text(const SpanRecord& span) {
  std::string text = span.status_code == kStatusError ? "ERROR"
                     : span.status_code == kStatusOk  ? "OK"
                                                      : "unset";
  if (!span.status_message.empty()) text += ": " + span.status_message;
  return text;
}

json key_values(const Attributes& attributes) {
  json list = json::array();
  for (const auto& [key, value] : attributes) list.push_back({key, value});
  return list;
}

// "service 1234 on host" and "worker-1 (1235)": what a lane is called.
json lane_of(const SpanRecord& span) {
  const std::string service = span.resource_attribute("service.name");
  const std::string pid = span.resource_attribute("process.pid");
  const std::string host = span.resource_attribute("host.name");
  std::string process = service.empty() ? "process" : service;
  if (!pid.empty()) process += " pid " + pid;
  if (!host.empty()) process += " on " + host;
  const std::string thread_id = span.attribute("thread.id");
  const std::string thread_name = span.attribute("thread.name");
  std::string thread = thread_name.empty() ? (thread_id.empty() ? "thread ?" : "thread")
                                           : thread_name;
  if (!thread_id.empty()) thread += " (" + thread_id + ")";
  return {{"process", process}, {"thread", thread}};
}

// The findings that concern one span, keyed by trace id and span id.
struct SpanFindings {
  int flags = 0;
  json texts = json::array();
};

std::map<std::pair<std::string, std::string>, SpanFindings> findings_by_span(
    const CheckReport& check) {
  std::map<std::pair<std::string, std::string>, SpanFindings> by_span;
  for (const Finding& finding : check.findings) {
    if (finding.span_id.empty()) continue;
    SpanFindings& entry = by_span[{finding.trace_id, finding.span_id}];
    switch (finding.kind) {
      case FindingKind::kBrokenLink: entry.flags |= kFlagBroken; break;
      case FindingKind::kParentCycle: entry.flags |= kFlagCycle; break;
      case FindingKind::kLostContext: entry.flags |= kFlagLost; break;
      case FindingKind::kKilled: entry.flags |= kFlagKilled; break;
      case FindingKind::kStartsBeforeParent:
      case FindingKind::kEndsAfterParent: entry.flags |= kFlagTiming; break;
      default: break;
    }
    entry.texts.push_back({{"text", std::string(finding_name(finding.kind)) + ": " + finding.detail},
                           {"warn", !breaks_trace(finding.kind)}});
  }
  return by_span;
}

std::string trace_issues(const TraceSummary& summary) {
  std::vector<std::string> parts;
  auto add = [&](std::size_t count, const char* one, const char* many) {
    if (count > 0) parts.push_back(std::to_string(count) + ' ' + (count == 1 ? one : many));
  };
  add(summary.broken_links, "broken link", "broken links");
  add(summary.cycle_spans, "span in a parent cycle", "spans in a parent cycle");
  if (summary.roots != 1) add(summary.roots, "root", "roots");
  add(summary.lost_context_roots, "lost-context root", "lost-context roots");
  add(summary.killed_spans, "killed span", "killed spans");
  add(summary.timing_problems, "span outside its parent's time", "spans outside their parent's time");
  std::string text;
  for (const std::string& part : parts) text += (text.empty() ? "" : ", ") + part;
  return text;
}

CheckReport check_loaded(const LoadedTraces& loaded) {
  TraceChecker checker;
  for (const TraceTree& tree : loaded.traces) {
    for (const SpanRecord& span : tree.spans) checker.add(span);
  }
  return checker.finish();
}

}  // namespace

json html_report_data(const LoadedTraces& loaded, const CheckReport& check,
                      const std::vector<std::string>& files) {
  const auto span_findings = findings_by_span(check);
  std::unordered_map<std::string, const TraceSummary*> summaries;
  for (const TraceSummary& summary : check.traces) summaries.emplace(summary.trace_id, &summary);

  json traces = json::array();
  json lanes = json::array();
  json names = json::array();
  std::unordered_map<std::string, std::size_t> lane_index, name_index;
  json column_trace = json::array(), column_lane = json::array(), column_start = json::array(),
       column_end = json::array(), column_name = json::array(), column_parent = json::array(),
       column_flags = json::array();
  json details = json::array();
  std::size_t next_span = 0;

  for (std::size_t t = 0; t < loaded.traces.size(); ++t) {
    const TraceTree& tree = loaded.traces[t];
    std::uint64_t origin = UINT64_MAX, last = 0;
    for (const SpanRecord& span : tree.spans) {
      origin = std::min(origin, span.start_ns);
      last = std::max({last, span.end_ns, span.start_ns});
    }
    std::unordered_map<std::string_view, std::size_t> index_of_id;  // first span with the id
    for (std::size_t i = 0; i < tree.spans.size(); ++i) {
      index_of_id.emplace(tree.spans[i].span_id, next_span + i);
    }
    const auto summary = summaries.find(tree.trace_id);
    const bool broken = summary != summaries.end() && summary->second->broken;
    const std::string root_name =
        tree.roots.empty() ? std::string() : tree.spans[tree.roots.front().span].name;
    traces.push_back({{"id", tree.trace_id},
                      {"name", root_name},
                      {"first", next_span},
                      {"spans", tree.spans.size()},
                      {"processes", tree.process_count},
                      {"threads", tree.thread_count},
                      {"duration", tree.spans.empty() ? 0 : last - origin},
                      {"broken", broken},
                      {"issues", summary != summaries.end() ? trace_issues(*summary->second) : ""}});
    for (const SpanRecord& span : tree.spans) {
      json lane = lane_of(span);
      const std::string lane_key = lane["process"].get<std::string>() + '\n' +
                                   lane["thread"].get<std::string>();
      const auto [lane_found, new_lane] = lane_index.emplace(lane_key, lanes.size());
      if (new_lane) lanes.push_back(std::move(lane));
      const auto [name_found, new_name] = name_index.emplace(span.name, names.size());
      if (new_name) names.push_back(span.name);
      const auto parent = span.parent_span_id.empty() ? index_of_id.end()
                                                      : index_of_id.find(span.parent_span_id);
      int flags = span.status_code == kStatusError ? kFlagError : 0;
      json finding_texts = json::array();
      const auto found = span_findings.find({tree.trace_id, span.span_id});
      if (found != span_findings.end()) {
        flags |= found->second.flags;
        finding_texts = found->second.texts;
      }
      if (!span.parent_span_id.empty() && parent == index_of_id.end()) flags |= kFlagBroken;

      column_trace.push_back(t);
      column_lane.push_back(lane_found->second);
      column_start.push_back(span.start_ns - origin);
      column_end.push_back(std::max(span.end_ns, span.start_ns) - origin);
      column_name.push_back(name_found->second);
      column_parent.push_back(parent == index_of_id.end() ? -1
                                                          : static_cast<long long>(parent->second));
      column_flags.push_back(flags);
      json events = json::array();
      for (const SpanEvent& event : span.events) {
        events.push_back({event.time_ns >= origin ? event.time_ns - origin : 0, event.name,
                          key_values(event.attributes)});
      }
      json links = json::array();
      for (const SpanLink& link : span.links) links.push_back({link.trace_id, link.span_id});
      details.push_back({{"id", span.span_id},
                         {"parent", span.parent_span_id},
                         {"kind", kind_name(span.kind)},
                         {"status", status_text(span)},
                         {"location", span.location},
                         {"attributes", key_values(span.attributes)},
                         {"events", std::move(events)},
                         {"links", std::move(links)},
                         {"findings", std::move(finding_texts)}});
    }
    next_span += tree.spans.size();
  }
  return {{"files", files},
          {"summary",
           {{"traces", check.total_traces},
            {"spans", check.spans},
            {"broken", check.broken_traces > 0},
            {"verdict", check_verdict(check)}}},
          {"traces", std::move(traces)},
          {"lanes", std::move(lanes)},
          {"names", std::move(names)},
          {"spans",
           {{"trace", std::move(column_trace)},
            {"lane", std::move(column_lane)},
            {"start", std::move(column_start)},
            {"end", std::move(column_end)},
            {"name", std::move(column_name)},
            {"parent", std::move(column_parent)},
            {"flags", std::move(column_flags)}}},
          {"details", std::move(details)}};
}

std::string html_report_page(const json& data) {
  // Inside <script>, "</script>" or "<!--" in a name would end the block or change how it is
  // read; '<' only ever occurs inside JSON strings, where \u003c means the same.
  std::string text = data.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    if (c == '<') {
      escaped += "\\u003c";
    } else {
      escaped += c;
    }
  }
  std::string page(kReportPage, kReportPageSize);
  const std::string placeholder = "/*WEFT_DATA*/";
  const std::size_t at = page.find(placeholder);
  page.replace(at, placeholder.size(), escaped);
  return page;
}

int write_html_report(const std::vector<std::string>& paths, const std::string& output,
                      std::ostream& err) {
  const LoadedTraces loaded = load_traces(paths);
  for (const std::string& problem : loaded.problems) err << problem << '\n';
  if (loaded.unreadable) return 2;
  CheckReport check = check_loaded(loaded);
  check.malformed_lines = loaded.malformed_lines;
  const std::string page = html_report_page(html_report_data(loaded, check, paths));
  errno = 0;
  std::ofstream file(output, std::ios::binary | std::ios::trunc);
  const int open_error = file ? 0 : errno;
  file << page;
  file.close();
  if (!file) {
    err << "weft html: cannot write " << output;
    if (open_error != 0) err << ": " << std::strerror(open_error);
    err << '\n';
    return 2;
  }
  return loaded.malformed_lines > 0 ? 1 : 0;
}

}  // namespace weft::cli
