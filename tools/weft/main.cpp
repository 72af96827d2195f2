// weft: keeps OpenTelemetry traces connected across threads and processes, and shows them.
#include <CLI/CLI.hpp>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"weft: OpenTelemetry traces that stay connected across threads and processes"};
  app.require_subcommand(1);
  int exit_code = 0;
  weft::cli::add_demo_command(app, exit_code);
  weft::cli::add_view_command(app, exit_code);
  weft::cli::add_collect_command(app, exit_code);
  weft::cli::add_check_command(app, exit_code);
  weft::cli::add_html_command(app, exit_code);
  weft::cli::add_run_command(app, exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
