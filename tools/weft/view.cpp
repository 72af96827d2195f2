// weft view FILE...: prints the traces of OTLP/JSON lines files as trees.
#include <iostream>

#include "commands.h"
#include "trace_tree.h"

namespace weft::cli {

void add_view_command(CLI::App& app, int& exit_code) {
  struct Arguments {
    std::vector<std::string> files;
    ViewOptions options;
  };
  auto arguments = std::make_shared<Arguments>();
  CLI::App* view = app.add_subcommand(
      "view", "Print the traces of OTLP/JSON lines files (weft's or the Collector's) as trees");
  view->add_option("files", arguments->files, "OTLP/JSON lines files")->required();
  view->add_flag("-a,--attributes", arguments->options.show_attributes,
                 "Show attributes, events and status under each span");
  view->callback([arguments, &exit_code] {
    exit_code = view_files(arguments->files, arguments->options, std::cout, std::cerr);
  });
}

}  // namespace weft::cli
