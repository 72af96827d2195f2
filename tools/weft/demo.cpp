// weft demo — work in progress (replaced by the threading scenarios in this issue).
#include "commands.h"

namespace weft::cli {
void add_demo_command(CLI::App& app, int& exit_code) {
  app.add_subcommand("demo", "Run the threading scenarios and print their traces")
      ->callback([&exit_code] { exit_code = 1; });
}
}  // namespace weft::cli
