// weft view FILE...: prints the traces of OTLP/JSON lines files as trees.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.h"
#include "trace_tree.h"

namespace weft::cli {

void add_view_command(CLI::App& app, int& exit_code) {
  struct Arguments {
    std::vector<std::string> files;
    bool show_attributes = false;
    bool color = false;
  };
  auto arguments = std::make_shared<Arguments>();
  CLI::App* view = app.add_subcommand(
      "view", "Print the traces of OTLP/JSON lines files (weft's or the Collector's) as trees");
  view->add_option("FILE", arguments->files,
                    "OTLP/JSON lines files to read (- for standard input)")
      ->required();
  view->add_flag("-a,--attributes", arguments->show_attributes,
                 "Show attributes, events, links and status under each span");
  view->add_flag("--color", arguments->color, "Color the output when it goes to a terminal");
  view->callback([arguments, &exit_code] {
    ViewOptions options;
    options.show_attributes = arguments->show_attributes;
    // Escape sequences are noise in a file or a pipe.
    options.color = arguments->color && isatty(fileno(stdout)) != 0;
    exit_code = view_files(arguments->files, options, std::cout, std::cerr);
  });
}

}  // namespace weft::cli
