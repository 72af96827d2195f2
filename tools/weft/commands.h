// The subcommands of the `weft` program. Each add_*_command registers one subcommand; when the
// subcommand runs it stores the process exit status in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace weft::cli {

void add_demo_command(CLI::App& app, int& exit_code);
void add_view_command(CLI::App& app, int& exit_code);
void add_collect_command(CLI::App& app, int& exit_code);
void add_check_command(CLI::App& app, int& exit_code);
void add_html_command(CLI::App& app, int& exit_code);
void add_run_command(CLI::App& app, int& exit_code);

}  // namespace weft::cli
