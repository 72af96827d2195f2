// weft view — work in progress.
#include "commands.h"

namespace weft::cli {
void add_view_command(CLI::App& app, int& exit_code) {
  app.add_subcommand("view", "Print the traces of OTLP/JSON lines files as trees")
      ->callback([&exit_code] { exit_code = 1; });
}
}  // namespace weft::cli
