// weft check FILE...: says whether the traces in OTLP/JSON lines files are connected, and where
// they break.
#include <iostream>
#include <memory>

#include "check_report.h"
#include "commands.h"
#include "trace_check.h"

namespace weft::cli {
namespace {

constexpr const char* kDescription =
    "Check that the traces in OTLP/JSON lines files are connected, and say where they break.\n"
    "\n"
    "Reports, per trace and in total: roots; spans whose parent never arrived (broken links);\n"
    "spans whose parent links loop back to them (parent cycles, out of the root's reach);\n"
    "traces with more than one root; roots that look like lost context; children that start\n"
    "before their parent or end after it by more than --tolerance; spans reported as killed with\n"
    "their process (weft.span.incomplete); and the processes and threads each trace spans.\n"
    "\n"
    "Lost context: a root span is suspicious when it started on a thread that is not its\n"
    "process's main thread (thread.id != process.pid), or in a process whose parent process\n"
    "(process.parent_pid, same host.name) is in the input too, while that process (for a child,\n"
    "the parent) had another trace in flight: spans of another trace began before the root and\n"
    "ended after its start. That is how a plain std::thread or a child process started without\n"
    "the context looks. A thread that deliberately starts a new trace meanwhile is reported too.\n"
    "\n"
    "Files are read as a stream. A connected trace none of whose spans came in the last --window\n"
    "spans is checked and forgotten; traces not connected yet are kept to the end.\n"
    "\n"
    "Exit status: 0 when every trace is connected, 1 when a trace is broken (a broken link, a\n"
    "parent cycle, several roots, a lost-context root) or malformed lines were skipped, 2 when a file cannot be read.";

}  // namespace

void add_check_command(CLI::App& app, int& exit_code) {
  struct Arguments {
    std::vector<std::string> files;
    bool json = false;
    double tolerance_ms = 1.0;
    std::size_t window = 100000;
  };
  auto arguments = std::make_shared<Arguments>();
  CLI::App* check = app.add_subcommand("check", "Check that traces are connected; say where not");
  check->footer(kDescription);
  check->add_option("FILE", arguments->files,
                    "OTLP/JSON lines files to read (- for standard input)")
      ->required();
  check->add_flag("--json", arguments->json, "Write the report as JSON");
  check->add_option("--tolerance", arguments->tolerance_ms,
                    "Milliseconds a child may start before or end after its parent")
      ->check(CLI::Validator(
          [](const std::string& text) -> std::string {
            // Up to a day: beyond it the check would pass anything, and nanoseconds overflow.
            try {
              std::size_t used = 0;
              const double value = std::stod(text, &used);
              if (used == text.size() && value >= 0 && value <= 86400000) return {};
            } catch (const std::exception&) {
            }
            return "must be a number of milliseconds from 0 to 86400000 (a day), not " + text;
          },
          "MS"))
      ->capture_default_str();
  check->add_option("--window", arguments->window,
                    "Spans after which an idle, connected trace is checked and forgotten "
                    "(0: keep every trace to the end)")
      ->capture_default_str();
  check->callback([arguments, &exit_code] {
    CheckOptions options;
    options.tolerance_ns = static_cast<std::uint64_t>(arguments->tolerance_ms * 1e6);
    options.trace_window = arguments->window;
    const CheckReport report = check_files(arguments->files, options);
    if (arguments->json) {
      write_check_json(report, std::cout);
    } else {
      print_check_report(report, std::cout);
    }
    exit_code = report.exit_status();
  });
}

}  // namespace weft::cli
