// Fuzzes the OTLP/JSON lines reader of weft view/check/html. Properties: every line is either
// read or counted as malformed, and every span read has well-formed ids; and the two readers of
// one line agree: what the quick one accepts, the thorough one accepts too, with the same spans.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "trace_file.h"
#include "trace_line.h"

namespace {

using weft::cli::SpanRecord;

bool same_attributes(const weft::cli::Attributes* a, const weft::cli::Attributes* b) {
  return a != nullptr && b != nullptr && *a == *b;
}

bool same_span(const SpanRecord& a, const SpanRecord& b) {
  bool same = a.trace_id == b.trace_id && a.span_id == b.span_id &&
              a.parent_span_id == b.parent_span_id && a.name == b.name && a.kind == b.kind &&
              a.start_ns == b.start_ns && a.end_ns == b.end_ns && a.flags == b.flags &&
              a.attributes == b.attributes && a.status_code == b.status_code &&
              a.status_message == b.status_message && a.scope_name == b.scope_name &&
              a.location == b.location && same_attributes(a.resource.get(), b.resource.get()) &&
              a.events.size() == b.events.size() && a.links.size() == b.links.size();
  for (std::size_t i = 0; same && i < a.events.size(); ++i) {
    same = a.events[i].name == b.events[i].name && a.events[i].time_ns == b.events[i].time_ns &&
           a.events[i].attributes == b.events[i].attributes;
  }
  for (std::size_t i = 0; same && i < a.links.size(); ++i) {
    same = a.links[i].trace_id == b.links[i].trace_id && a.links[i].span_id == b.links[i].span_id &&
           a.links[i].attributes == b.links[i].attributes;
  }
  return same;
}

void check_readers_agree(const std::string& line) {
  std::vector<SpanRecord> quick, thorough;
  const bool quick_accepted = weft::cli::read_line_quickly(line, "fuzz:1", quick);
  const bool thorough_accepted = !weft::cli::read_line_thoroughly(line, "fuzz:1", thorough);
  if (!quick_accepted) {
    WEFT_FUZZ_CHECK(quick.empty());
    return;
  }
  WEFT_FUZZ_CHECK(thorough_accepted);
  WEFT_FUZZ_CHECK(quick.size() == thorough.size());
  for (std::size_t i = 0; i < quick.size(); ++i) WEFT_FUZZ_CHECK(same_span(quick[i], thorough[i]));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::istringstream input(text);
  weft::cli::TraceFileContents contents;
  weft::cli::read_trace_stream(input, "fuzz.jsonl", contents);
  WEFT_FUZZ_CHECK(contents.problems.size() <= weft::cli::kMaxListedProblems + 1);
  for (const weft::cli::SpanRecord& span : contents.spans) {
    WEFT_FUZZ_CHECK(span.resource != nullptr);
    WEFT_FUZZ_CHECK(!span.location.empty());
  }
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) check_readers_agree(line);
  return 0;
}
