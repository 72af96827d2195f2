// Fuzzes `weft collect`'s protobuf request decoding. Properties: a body is refused with 400 or
// becomes one JSON line; that line, sent back as a JSON request, is accepted unchanged (protobuf
// and JSON senders store the same thing), and weft view reads it without a problem.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "otlp_receiver.h"
#include "trace_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const weft::cli::ReceivedTraces received =
      weft::cli::receive_traces(body, "application/x-protobuf");
  WEFT_FUZZ_CHECK(received.status == 200 || received.status == 400);
  if (received.status != 200) {
    WEFT_FUZZ_CHECK(!received.error.empty());
    return 0;
  }
  WEFT_FUZZ_CHECK(received.line.find('\n') == std::string::npos);
  if (received.line.empty()) return 0;

  const weft::cli::ReceivedTraces as_json =
      weft::cli::receive_traces(received.line, "application/json");
  WEFT_FUZZ_CHECK(as_json.status == 200);
  WEFT_FUZZ_CHECK(as_json.span_count == received.span_count);
  WEFT_FUZZ_CHECK(as_json.line == received.line);

  std::istringstream file(received.line + "\n");
  weft::cli::TraceFileContents contents;
  weft::cli::read_trace_stream(file, "collected.jsonl", contents);
  WEFT_FUZZ_CHECK(contents.malformed_lines == 0);
  WEFT_FUZZ_CHECK(contents.spans.size() == received.span_count);
  return 0;
}
