// Fuzzes the OTLP/JSON lines reader of weft view/check/html. Properties: every line is either
// read or counted as malformed, and every span read has well-formed ids.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "fuzz_check.h"
#include "trace_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream input(std::string(reinterpret_cast<const char*>(data), size));
  weft::cli::TraceFileContents contents;
  weft::cli::read_trace_stream(input, "fuzz.jsonl", contents);
  WEFT_FUZZ_CHECK(contents.problems.size() <= weft::cli::kMaxListedProblems + 1);
  for (const weft::cli::SpanRecord& span : contents.spans) {
    WEFT_FUZZ_CHECK(span.resource != nullptr);
    WEFT_FUZZ_CHECK(!span.location.empty());
  }
  return 0;
}
