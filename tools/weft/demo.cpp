// weft demo: runs the threading scenarios, exports them to an OTLP/JSON lines file, prints each
// trace as a tree, and says whether every trace came out connected.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "commands.h"
#include "check_report.h"
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
  std::string output = "weft-demo.jsonl";
  bool show_attributes = false;
};

struct TraceHealth {
  std::size_t spans = 0;
  std::size_t roots = 0;
  std::size_t broken_links = 0;
  std::set<std::int64_t> threads;
};

// Checks what the exporter received: one root per trace, every parent present.
std::map<TraceId, TraceHealth> check_traces(const std::vector<SpanData>& spans) {
  std::map<TraceId, std::set<SpanId>> ids;
  for (const SpanData& span : spans) ids[span.context.trace_id].insert(span.context.span_id);
  std::map<TraceId, TraceHealth> health;
  for (const SpanData& span : spans) {
    TraceHealth& trace = health[span.context.trace_id];
    ++trace.spans;
    trace.threads.insert(span.thread_id);
    if (!span.parent_span_id.is_valid()) {
      ++trace.roots;
    } else if (ids[span.context.trace_id].count(span.parent_span_id) == 0) {
      ++trace.broken_links;
    }
  }
  return health;
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
  auto provider = TracerProvider::create(std::move(provider_options));
  Tracer tracer = provider->tracer("weft.demo", WEFT_VERSION);
  set_thread_name("main");

  std::cout << "Scenario 1: context handed to three std::threads explicitly (Context + Scope)\n"
            << "Scenario 2: the same work on a weft::ThreadPool, which carries the context itself\n\n";
  const TraceId explicit_trace = run_explicit_handoff_scenario(tracer);
  const TraceId pool_trace = run_thread_pool_scenario(tracer);
  if (!provider->shutdown(std::chrono::seconds(10))) {
    std::cerr << "weft demo: export did not finish in time\n";
  }

  ViewOptions view;
  view.show_attributes = options.show_attributes;
  const int view_status = view_files({options.output}, view, std::cout, std::cerr);

  bool all_connected = true;
  const auto health = check_traces(received->spans());
  std::cout << '\n';
  for (const auto& [name, trace_id] :
       {std::pair<const char*, TraceId>{"explicit hand-off", explicit_trace},
        std::pair<const char*, TraceId>{"thread pool", pool_trace}}) {
    const auto found = health.find(trace_id);
    const bool connected = found != health.end() && found->second.roots == 1 &&
                           found->second.broken_links == 0;
    all_connected = all_connected && connected;
    std::cout << name << ": trace " << trace_id.to_hex() << ", "
              << (found == health.end() ? 0 : found->second.spans) << " spans on "
              << (found == health.end() ? 0 : found->second.threads.size()) << " threads, "
              << (connected ? "connected (one root, every parent present)" : "BROKEN") << '\n';
  }
  std::cout << "\nSpans written to " << options.output << " (OTLP/JSON lines; view again with "
            << "`weft view " << options.output << "`)\n";

  // What weft's own checker and report make of the file.
  const CheckReport check = check_files({options.output}, CheckOptions{});
  std::cout << "weft check " << options.output << ": " << check_verdict(check) << '\n';
  const std::string report = html_report_path(options.output);
  const int html_status = write_html_report({options.output}, report, std::cerr);
  if (html_status != 2) std::cout << "HTML report: " << report << " (open it in a browser)\n";
  if (view_status != 0) return view_status;
  if (check.exit_status() != 0 || html_status != 0) return std::max(check.exit_status(), html_status);
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
  demo->callback([options, &exit_code] { exit_code = run_demo(*options); });
}

}  // namespace weft::cli
