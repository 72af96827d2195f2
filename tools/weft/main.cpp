// weft: keeps OpenTelemetry traces connected across threads and processes, and shows them.
#include <CLI/CLI.hpp>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"weft: OpenTelemetry traces that stay connected across threads and processes"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "weft " WEFT_VERSION);
  int exit_code = 0;
  weft::cli::add_demo_command(app, exit_code);
  weft::cli::add_view_command(app, exit_code);
  weft::cli::add_collect_command(app, exit_code);
  weft::cli::add_check_command(app, exit_code);
  weft::cli::add_html_command(app, exit_code);
  weft::cli::add_run_command(app, exit_code);
  std::vector<char*> arguments = weft::cli::separate_run_command(argc, argv);
  try {
    app.parse(static_cast<int>(arguments.size()), arguments.data());
  } catch (const CLI::ParseError& error) {
    // --help and --version print and succeed; a usage error prints why and exits 2, the
    // convention, rather than one of CLI11's own codes (106...), which `weft run` could not tell
    // apart from its command's.
    return app.exit(error) == 0 ? 0 : 2;
  }
  return exit_code;
}
