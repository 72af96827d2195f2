// The self-contained HTML report of `weft html`: a list of traces with their health, and a
// waterfall per trace (one lane per process and thread, spans as bars on a shared time axis,
// nesting, broken links and lost-context roots highlighted, a span's details on click).
//
//   write_html_report({"traces.jsonl"}, "report.html", std::cerr);
//
// The page embeds its data as JSON and loads nothing from the network. It draws only the bars in
// view, so that 100,000 spans stay usable.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "trace_check.h"
#include "trace_tree.h"

namespace weft::cli {

// What the page shows, as the JSON the page reads (see report/report.html for the layout).
nlohmann::json html_report_data(const LoadedTraces& loaded, const CheckReport& check,
                                const std::vector<std::string>& files);

// The whole page with `data` embedded.
std::string html_report_page(const nlohmann::json& data);

// Reads the files and writes the report to `output`. Returns 0 when written from everything,
// 1 when written but malformed lines were skipped, 2 when a file could not be read or the report
// could not be written; problems go to `err`.
int write_html_report(const std::vector<std::string>& paths, const std::string& output,
                      std::ostream& err);

}  // namespace weft::cli
