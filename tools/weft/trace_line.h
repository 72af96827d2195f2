// Reading one line of an OTLP/JSON lines file: the spans of one ExportTraceServiceRequest.
//
// Two readers that must agree. The quick one streams the line through RapidJSON's SAX parser and
// keeps only the span records, with no JSON document in between; it gives up on anything that is
// not a plain, well-formed request. The thorough one builds the line as a JSON document and is the
// reference: it decides every line the quick one gave up on, and says what is wrong with it.
//
// read_line() puts the two together, as the tools read a line:
//
//   std::vector<SpanRecord> spans;
//   if (std::optional<LineProblem> problem = read_line(line, "f.jsonl:3", spans)) ...
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "trace_file.h"

namespace weft::cli {

// Appends the spans of `line` to `spans`, each with `location`, and returns true. Returns false,
// leaving `spans` as it was, when the line is malformed, or holds something this reader leaves to
// the thorough one: a field given twice (or in both spellings), an array or kvlist attribute
// value, or an AnyValue with more than one kind of value set. Records in `spare` (when given)
// are reused, from the back, so that their memory is too.
bool read_line_quickly(const std::string& line, const std::string& location,
                       std::vector<SpanRecord>& spans, std::vector<SpanRecord>* spare = nullptr);

// What is wrong with a line. `path` says where in the line, as in
// "resourceSpans[0].scopeSpans[1].spans[2].spanId" (empty: the line as a whole).
struct LineProblem {
  std::string path;
  std::string reason;
};

// Appends the spans of `line` to `spans`, each with `location`, when all of it is well formed;
// otherwise leaves `spans` as it was and returns the first problem found.
std::optional<LineProblem> read_line_thoroughly(const std::string& line,
                                                const std::string& location,
                                                std::vector<SpanRecord>& spans);

// Both readers as weft view and weft check use them: the quick one, and the thorough one for
// the lines it gives up on. Appends the spans of `line` when all of it is well formed; otherwise
// leaves `spans` as it was and returns the first problem found. weft collect reads each request
// with it before storing it, so that it never stores a line the tools would skip.
std::optional<LineProblem> read_line(const std::string& line, const std::string& location,
                                     std::vector<SpanRecord>& spans,
                                     std::vector<SpanRecord>* spare = nullptr);

}  // namespace weft::cli
