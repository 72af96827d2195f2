#include "trace_line.h"

namespace weft::cli {

std::optional<LineProblem> read_line(const std::string& line, const std::string& location,
                                     std::vector<SpanRecord>& spans,
                                     std::vector<SpanRecord>* spare) {
  if (read_line_quickly(line, location, spans, spare)) return std::nullopt;
  return read_line_thoroughly(line, location, spans);
}

}  // namespace weft::cli
