// The subcommands of the `weft` program. Each add_*_command registers one subcommand; when the
// subcommand runs it stores the process exit status in `exit_code`.
#pragma once

#include <vector>

#include <CLI/CLI.hpp>

namespace weft::cli {

void add_demo_command(CLI::App& app, int& exit_code);
void add_view_command(CLI::App& app, int& exit_code);
void add_collect_command(CLI::App& app, int& exit_code);
void add_check_command(CLI::App& app, int& exit_code);
void add_html_command(CLI::App& app, int& exit_code);
void add_run_command(CLI::App& app, int& exit_code);

// argv with "--" inserted before the command of `weft run` when it has none: everything from the
// first argument that is neither an option of `weft run` nor an option's value on belongs to the
// command ("weft run grep -a x f" runs grep with its -a). Other command lines are unchanged.
std::vector<char*> separate_run_command(int argc, char** argv);

}  // namespace weft::cli
