// weft html FILE... -o report.html: writes one self-contained HTML page showing the traces.
#include <iostream>
#include <memory>

#include "commands.h"
#include "html_report.h"

namespace weft::cli {

void add_html_command(CLI::App& app, int& exit_code) {
  struct Arguments {
    std::vector<std::string> files;
    std::string output = "weft-report.html";
  };
  auto arguments = std::make_shared<Arguments>();
  CLI::App* html = app.add_subcommand(
      "html", "Write a self-contained HTML report: traces, their health, and waterfalls");
  html->footer(
      "The report lists the traces with their health (as `weft check` judges it) and draws a\n"
      "waterfall per trace: one lane per process and thread, nested spans below their parents,\n"
      "hand-offs to other threads and processes as dotted lines, spans whose parent is missing and\n"
      "lost-context roots highlighted. Click a span for its attributes, events and status;\n"
      "Ctrl+wheel zooms, dragging pans. Open report.html#span=SPANID to start at a span.\n"
      "Exit status: 0 written, 1 written but malformed lines were skipped, 2 unreadable input or\n"
      "the report could not be written.");
  html->add_option("FILE", arguments->files,
                    "OTLP/JSON lines files to read (- for standard input)")
      ->required();
  html->add_option("-o,--output", arguments->output, "Where to write the report")
      ->capture_default_str();
  html->callback([arguments, &exit_code] {
    exit_code = write_html_report(arguments->files, arguments->output, std::cerr);
    if (exit_code != 2) std::cout << "Report written to " << arguments->output << '\n';
  });
}

}  // namespace weft::cli
