#include "check_report.h"

#include <nlohmann/json.hpp>
#include <sstream>

namespace weft::cli {
namespace {

// Beyond this many traces only broken ones are printed, and at most this many of them.
constexpr std::size_t kMaxPrintedTraces = 50;
// Findings printed per kind; --json has them all (up to kMaxListedFindings).
constexpr std::size_t kMaxPrintedFindings = 20;

std::string plural(std::size_t count, const std::string& singular, const std::string& plural) {
  return std::to_string(count) + ' ' + (count == 1 ? singular : plural);
}

// "BROKEN: 1 broken link, 2 roots" or "connected", then what is worth a look.
std::string health(const TraceSummary& trace) {
  std::vector<std::string> parts;
  if (trace.broken_links > 0) parts.push_back(plural(trace.broken_links, "broken link", "broken links"));
  if (trace.cycle_spans > 0) {
    parts.push_back(plural(trace.cycle_spans, "span", "spans") + " in a parent cycle");
  }
  if (trace.roots != 1) parts.push_back(plural(trace.roots, "root", "roots"));
  if (trace.lost_context_roots > 0) parts.push_back("lost context");
  std::string text = trace.broken ? "BROKEN" : "connected";
  for (std::size_t i = 0; i < parts.size(); ++i) text += (i == 0 ? ": " : ", ") + parts[i];
  if (trace.killed_spans > 0) text += "; " + plural(trace.killed_spans, "killed span", "killed spans");
  if (trace.timing_problems > 0) {
    text += "; " + plural(trace.timing_problems, "span", "spans") + " outside the parent's time";
  }
  return text;
}

std::string count_of(FindingKind kind, std::size_t count) {
  switch (kind) {
    case FindingKind::kBrokenLink: return plural(count, "broken link", "broken links");
    case FindingKind::kParentCycle: return plural(count, "span", "spans") + " in a parent cycle";
    case FindingKind::kMultipleRoots:
      return plural(count, "trace with several roots", "traces with several roots");
    case FindingKind::kLostContext: return plural(count, "lost-context root", "lost-context roots");
    case FindingKind::kStartsBeforeParent:
      return plural(count, "span starting before its parent", "spans starting before their parent");
    case FindingKind::kEndsAfterParent:
      return plural(count, "span ending after its parent", "spans ending after their parent");
    case FindingKind::kKilled: return plural(count, "killed span", "killed spans");
    case FindingKind::kDuplicateSpanId: return plural(count, "duplicate span id", "duplicate span ids");
    case FindingKind::kSplitByWindow: return plural(count, "split trace", "split traces");
  }
  return std::to_string(count);
}

void print_traces(const CheckReport& report, std::ostream& out) {
  const bool only_broken = report.traces.size() > kMaxPrintedTraces;
  std::size_t printed = 0;
  std::size_t printed_broken = 0;
  for (const TraceSummary& trace : report.traces) {
    if (only_broken && !trace.broken) continue;
    if (printed == kMaxPrintedTraces) break;
    ++printed;
    if (trace.broken) ++printed_broken;
    out << "  " << trace.trace_id << "  \"" << trace.root_name << "\"  "
        << plural(trace.spans, "span", "spans") << ", "
        << plural(trace.processes, "process", "processes") << ", "
        << plural(trace.threads, "thread", "threads") << ": " << health(trace) << '\n';
  }
  if (printed < report.total_traces) {
    out << "  ... " << report.total_traces - printed << " more traces not shown ("
        << report.broken_traces - printed_broken << " of them broken); --json lists every "
        << "broken trace\n";
  }
}

void print_findings(const CheckReport& report, std::ostream& out) {
  if (report.findings.empty()) return;
  out << "\nFindings:\n";
  std::map<FindingKind, std::size_t> printed;
  for (const Finding& finding : report.findings) {
    if (++printed[finding.kind] > kMaxPrintedFindings) continue;
    out << "  " << finding_name(finding.kind) << ": trace " << finding.trace_id;
    if (!finding.span_id.empty()) {
      out << ", span \"" << finding.span_name << "\" " << finding.span_id << " (" << finding.location
          << ')';
    }
    out << ": " << finding.detail << '\n';
  }
  for (const auto& [kind, count] : report.finding_counts) {
    if (count > kMaxPrintedFindings) {
      out << "  ... " << count - kMaxPrintedFindings << " more " << finding_name(kind)
          << " findings\n";
    }
  }
}

}  // namespace

std::string check_verdict(const CheckReport& report) {
  std::string text;
  if (report.unreadable) {
    text = "some input could not be read; ";
  }
  if (report.total_traces == 0) {
    text += "no traces (nothing to check: is this the file the exporter wrote?)";
  } else if (report.broken_traces == 0) {
    text += "all " + plural(report.total_traces, "trace", "traces") + " connected";
  } else {
    text += std::to_string(report.broken_traces) + " of " +
            plural(report.total_traces, "trace", "traces") + " broken";
  }
  std::string counts;
  for (const auto& [kind, count] : report.finding_counts) {
    counts += (counts.empty() ? "" : ", ") + count_of(kind, count);
  }
  if (!counts.empty()) text += " (" + counts + ")";
  if (report.malformed_lines > 0) {
    text += "; " + plural(report.malformed_lines, "malformed line", "malformed lines") + " skipped";
  }
  if (report.redelivered_spans > 0) {
    text += "; " + plural(report.redelivered_spans, "span", "spans") +
            " delivered again (a retried export) counted once";
  }
  return text;
}

void print_check_report(const CheckReport& report, std::ostream& out) {
  out << "weft check: " << plural(report.total_traces, "trace", "traces") << ", "
      << plural(report.spans, "span", "spans") << '\n';
  print_traces(report, out);
  print_findings(report, out);
  if (!report.problems.empty()) {
    out << "\nProblems reading the input (malformed lines are skipped):\n";
    for (const std::string& problem : report.problems) out << "  " << problem << '\n';
  }
  out << "\nVerdict: " << check_verdict(report) << '\n';
}

void write_check_json(const CheckReport& report, std::ostream& out) {
  using nlohmann::json;
  json document;
  document["verdict"] = check_verdict(report);
  document["exit_status"] = report.exit_status();
  json totals = {{"traces", report.total_traces},
                 {"broken_traces", report.broken_traces},
                 {"spans", report.spans},
                 {"malformed_lines", report.malformed_lines},
                 {"redelivered_spans", report.redelivered_spans},
                 {"unlisted_connected_traces", report.unlisted_connected_traces}};
  for (const auto& [kind, count] : report.finding_counts) totals[finding_name(kind)] = count;
  document["totals"] = std::move(totals);
  json traces = json::array();
  for (const TraceSummary& trace : report.traces) {
    traces.push_back({{"trace_id", trace.trace_id},
                      {"root_name", trace.root_name},
                      {"start_time_unix_nano", trace.start_ns},
                      {"end_time_unix_nano", trace.end_ns},
                      {"spans", trace.spans},
                      {"roots", trace.roots},
                      {"broken_links", trace.broken_links},
                      {"cycle_spans", trace.cycle_spans},
                      {"lost_context_roots", trace.lost_context_roots},
                      {"timing_problems", trace.timing_problems},
                      {"killed_spans", trace.killed_spans},
                      {"processes", trace.processes},
                      {"threads", trace.threads},
                      {"broken", trace.broken}});
  }
  document["traces"] = std::move(traces);
  json findings = json::array();
  for (const Finding& finding : report.findings) {
    json entry = {{"kind", finding_name(finding.kind)},
                  {"breaks_trace", breaks_trace(finding.kind)},
                  {"trace_id", finding.trace_id},
                  {"detail", finding.detail}};
    if (!finding.span_id.empty()) {
      entry["span_id"] = finding.span_id;
      entry["span_name"] = finding.span_name;
      entry["location"] = finding.location;
    }
    findings.push_back(std::move(entry));
  }
  document["findings"] = std::move(findings);
  document["problems"] = report.problems;
  // Names come from the input and may hold invalid UTF-8: replaced rather than thrown on.
  out << document.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

}  // namespace weft::cli
