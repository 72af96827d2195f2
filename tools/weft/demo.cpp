// weft demo: runs the threading scenarios, exports them to an OTLP/JSON lines file, prints each
// trace as a tree, and says whether every trace came out connected.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "commands.h"
#include "check_report.h"
#include "demo_process_scenarios.h"
#include "demo_scenarios.h"
#include "html_report.h"
#include "trace_tree.h"
#include "weft/exporter.h"
#include "weft/processor.h"
#include "weft/provider.h"
#include "weft/thread_name.h"

namespace weft::cli {
namespace {

struct DemoOptions {
  std::string self_path;  // this program, spawned by the spawn scenario
  std::string output = "weft-demo.jsonl";
  bool show_attributes = false;
};

struct TraceHealth {
  std::size_t spans = 0;
  std::size_t roots = 0;
  std::size_t broken_links = 0;
  std::set<std::pair<std::int64_t, std::int64_t>> threads;  // (process, thread)
  std::set<std::int64_t> processes;
};

std::int64_t pid_of(const SpanData& span) {
  const AttributeValue* pid = span.resource ? span.resource->get("process.pid") : nullptr;
  return pid != nullptr && std::holds_alternative<std::int64_t>(*pid) ? std::get<std::int64_t>(*pid)
                                                                       : 0;
}

// Checks what the exporter received: one root per trace, every parent present.
std::map<TraceId, TraceHealth> check_traces(const std::vector<SpanData>& spans) {
  std::map<TraceId, std::set<SpanId>> ids;
  for (const SpanData& span : spans) ids[span.context.trace_id].insert(span.context.span_id);
  std::map<TraceId, TraceHealth> health;
  for (const SpanData& span : spans) {
    TraceHealth& trace = health[span.context.trace_id];
    ++trace.spans;
    trace.threads.insert({pid_of(span), span.thread_id});
    trace.processes.insert(pid_of(span));
    if (!span.parent_span_id.is_valid()) {
      ++trace.roots;
    } else if (ids[span.context.trace_id].count(span.parent_span_id) == 0) {
      ++trace.broken_links;
    }
  }
  return health;
}

// OTEL_TRACES_EXPORTER=otlp (and the OTEL_EXPORTER_OTLP_* variables) also send the demo's spans
// to a collector, besides the file the demo prints from.
void add_otlp_processor_if_configured(Options& provider_options) {
  const char* exporters = std::getenv("OTEL_TRACES_EXPORTER");
  if (exporters == nullptr || std::string(exporters).find("otlp") == std::string::npos) return;
  Options otlp_only;
  otlp_only.exporter = "otlp";
  Config config = finalize_config(std::move(otlp_only));
  for (const std::string& warning : config.warnings) std::cerr << "weft demo: " << warning << '\n';
  for (auto& processor : config.processors) provider_options.processors.push_back(processor);
  std::cout << "Also exporting over OTLP/HTTP (OTEL_TRACES_EXPORTER=otlp)\n";
}

// "weft-demo.jsonl" -> "weft-demo.html": the report goes next to the trace file.
std::string html_report_path(const std::string& trace_file) {
  const std::size_t slash = trace_file.rfind('/');
  const std::size_t dot = trace_file.rfind('.');
  const bool has_extension = dot != std::string::npos && (slash == std::string::npos || dot > slash);
  return (has_extension ? trace_file.substr(0, dot) : trace_file) + ".html";
}

int run_demo(const DemoOptions& options) {
  std::remove(options.output.c_str());  // a fresh file for each run
  std::string error;
  auto file_exporter = make_file_exporter(options.output, &error);
  if (!file_exporter) {
    std::cerr << "weft demo: " << error << '\n';
    return 2;
  }
  auto received = std::make_shared<InMemorySpans>();
  Options provider_options;
  provider_options.service_name = "weft-demo";
  provider_options.processors.push_back(make_batch_processor(std::move(file_exporter)));
  provider_options.processors.push_back(make_simple_processor(make_memory_exporter(received)));
  add_otlp_processor_if_configured(provider_options);
  auto provider = TracerProvider::create(std::move(provider_options));
  set_global_provider(provider);  // child processes relay their spans to the global provider
  Tracer tracer = provider->tracer("weft.demo", WEFT_VERSION);
  set_thread_name("main");

  std::cout << "Scenario 1: context handed to three std::threads explicitly (Context + Scope)\n"
            << "Scenario 2: five tasks on a three-worker weft::ThreadPool, which carries the "
               "context itself\n"
            << "Scenario 3: tasks fanning out to their own pool and a second pool, 4 levels deep\n"
            << "Scenario 4: three requests whose tasks take turns on one reused pool worker\n"
            << "Scenario 5: a pool task that throws\n"
            << "Scenario 6: workers check the expected trace; a plain std::thread forgets the "
               "context\n"
            << "Scenario 7: three worker processes sum squares over 1M-element chunks\n"
            << "Scenario 8: four tasks on a two-process weft::ProcessPool\n"
            << "Scenario 9: hybrid: four batches on two processes, each fanning out to threads\n"
            << "Scenario 10: weft::spawn() of a program that joins the trace from its environment\n"
            << "Scenario 11: a forked child killed by SIGKILL in the middle of a span\n\n";
  std::vector<std::pair<std::string, TraceId>> expected;
  expected.emplace_back("explicit hand-off", run_explicit_handoff_scenario(tracer));
  expected.emplace_back("thread pool", run_thread_pool_scenario(tracer));
  const TraceId fan_out_trace = run_nested_fan_out_scenario(tracer);
  expected.emplace_back("nested fan-out", fan_out_trace);
  const std::vector<TraceId> requests = run_reused_worker_scenario(tracer);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    expected.emplace_back("reused worker, request " + std::to_string(i + 1), requests[i]);
  }
  const ExceptionScenario failure = run_exception_scenario(tracer);
  expected.emplace_back("exception", failure.trace);
  const MonitoringScenario monitoring = run_monitoring_scenario(tracer);
  expected.emplace_back("monitoring", monitoring.trace);
  expected.emplace_back("multiprocessing", run_multiprocessing_scenario());
  expected.emplace_back("process pool", run_process_pool_scenario());
  expected.emplace_back("hybrid", run_hybrid_scenario());
  expected.emplace_back("spawned program", run_spawn_scenario(options.self_path));
  expected.emplace_back("killed child", run_killed_child_scenario());
  if (!provider->shutdown(std::chrono::seconds(10))) {
    std::cerr << "weft demo: export did not finish in time\n";
  }

  ViewOptions view;
  view.show_attributes = options.show_attributes;
  const int view_status = view_files({options.output}, view, std::cout, std::cerr);

  bool all_connected = true;
  const auto health = check_traces(received->spans());
  std::cout << '\n';
  for (const auto& [name, trace_id] : expected) {
    const auto found = health.find(trace_id);
    const bool connected = found != health.end() && found->second.roots == 1 &&
                           found->second.broken_links == 0;
    all_connected = all_connected && connected;
    std::cout << name << ": trace " << trace_id.to_hex() << ", "
              << (found == health.end() ? 0 : found->second.spans) << " spans on "
              << (found == health.end() ? 0 : found->second.threads.size()) << " threads in "
              << (found == health.end() ? 0 : found->second.processes.size()) << " process(es), "
              << (connected ? "connected (one root, every parent present)" : "BROKEN") << '\n';
  }
  const bool failure_handled = failure.future_rethrew && failure.next_task_clean;
  std::cout << "exception: the future " << (failure.future_rethrew ? "rethrew" : "DID NOT rethrow")
            << " the task's exception; the worker's next task "
            << (failure.next_task_clean ? "ran under its own submitter's context" : "DID NOT")
            << '\n';
  const bool lost_detected = monitoring.checks_passed == kMonitoredWorkers &&
                             monitoring.lost_check != ContextCheck::kOk &&
                             monitoring.lost_roots_counted >= 1 &&
                             monitoring.lost_trace != monitoring.trace;
  std::cout << "monitoring: " << monitoring.checks_passed << " of " << kMonitoredWorkers
            << " workers found the expected trace; the plain std::thread started trace "
            << monitoring.lost_trace.to_hex() << " instead, "
            << (lost_detected ? "detected" : "NOT DETECTED") << " (check_context: "
            << to_string(monitoring.lost_check) << ", root spans off the main thread counted: "
            << monitoring.lost_roots_counted << ")\n";
  all_connected = all_connected && failure_handled && lost_detected;
  std::cout << "\nSpans written to " << options.output << " (OTLP/JSON lines; view again with "
            << "`weft view " << options.output << "`)\n";

  // What weft's own checker and report make of the file. The monitoring scenario plants one
  // lost-context root on purpose: the checker must find exactly that one broken trace.
  const CheckReport check = check_files({options.output}, CheckOptions{});
  std::cout << "weft check " << options.output << ": " << check_verdict(check) << '\n';
  const std::string planted = monitoring.lost_trace.to_hex();
  bool planted_found = false;
  bool other_broken = check.unreadable || check.malformed_lines != 0;
  for (const TraceSummary& trace : check.traces) {
    if (!trace.broken) continue;
    (trace.trace_id == planted ? planted_found : other_broken) = true;
  }
  std::cout << "  the un-propagated std::thread's trace " << planted << " was "
            << (planted_found ? "flagged as lost context, as planted" : "NOT FLAGGED") << "; "
            << (other_broken ? "OTHER TRACES ARE BROKEN" : "no other trace is broken") << '\n';
  // Scenario 3's tasks are fire-and-forget: they may outlive the span that started them, which
  // the checker reports without calling the trace broken. Say so rather than leave it unexplained.
  const std::string fan_out = fan_out_trace.to_hex();
  const auto outliving = std::count_if(
      check.findings.begin(), check.findings.end(), [&](const Finding& finding) {
        return finding.kind == FindingKind::kEndsAfterParent && finding.trace_id == fan_out;
      });
  if (outliving > 0) {
    std::cout << "  " << outliving << " of the spans ending after their parent are scenario 3's "
              << "fire-and-forget tasks, which may outlive the span that started them: reported, "
                 "not a break\n";
  }
  const std::string report = html_report_path(options.output);
  const int html_status = write_html_report({options.output}, report, std::cerr);
  if (html_status != 2) std::cout << "HTML report: " << report << " (open it in a browser)\n";
  if (view_status != 0) return view_status;
  if (html_status != 0) return html_status;
  if (!planted_found || other_broken) return 1;
  return all_connected ? 0 : 1;
}

}  // namespace

void add_demo_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<DemoOptions>();
  CLI::App* demo = app.add_subcommand(
      "demo", "Run the threading scenarios, export them to a file and print their traces");
  demo->add_option("-o,--output", options->output, "Where to write the OTLP/JSON lines file")
      ->capture_default_str();
  demo->add_flag("-a,--attributes", options->show_attributes,
                 "Show attributes, events and status under each span");
  demo->callback([options, &exit_code] {
    options->self_path = "/proc/self/exe";
    char path[4096];
    const ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
    if (length > 0) options->self_path.assign(path, static_cast<std::size_t>(length));
    exit_code = run_demo(*options);
  });
  // What the spawn scenario runs: a program that joins the trace from its environment.
  CLI::App* child = app.add_subcommand("demo-child", "");
  child->group("");  // hidden
  child->callback([&exit_code] { exit_code = run_demo_child(); });
}

}  // namespace weft::cli
