// How `weft check` shows a CheckReport: a readable summary for people, JSON for machines.
#pragma once

#include <ostream>
#include <string>

#include "trace_check.h"

namespace weft::cli {

// Totals, one line per trace (all of them up to a few dozen, otherwise the broken ones), the
// findings, the reading problems, and the verdict.
void print_check_report(const CheckReport& report, std::ostream& out);

// The same as one JSON document: {"verdict", "exit_status", "totals", "traces", "findings",
// "problems"}.
void write_check_json(const CheckReport& report, std::ostream& out);

// One line: "all 2 traces connected" or "1 of 3 traces broken (1 broken link, ...)".
std::string check_verdict(const CheckReport& report);

}  // namespace weft::cli
