// The page of `weft html` (report/report.html, compiled in by report/embed.cmake). Its JSON data
// goes where the page says /*WEFT_DATA*/.
#pragma once

#include <cstddef>

namespace weft::cli {

extern const char kReportPage[];
extern const std::size_t kReportPageSize;

}  // namespace weft::cli
