// Fuzzes `weft collect`'s JSON request decoding. Properties: a body is refused with 400 or
// stored as one line with no newline in it, and storing is stable (the stored line, received
// again, is stored unchanged).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "otlp_receiver.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const weft::cli::ReceivedTraces received = weft::cli::receive_traces(body, "application/json");
  WEFT_FUZZ_CHECK(received.status == 200 || received.status == 400);
  if (received.status != 200 || received.line.empty()) return 0;
  WEFT_FUZZ_CHECK(received.line.find('\n') == std::string::npos);
  const weft::cli::ReceivedTraces again =
      weft::cli::receive_traces(received.line, "application/json");
  WEFT_FUZZ_CHECK(again.status == 200);
  WEFT_FUZZ_CHECK(again.span_count == received.span_count);
  WEFT_FUZZ_CHECK(again.line == received.line);
  return 0;
}
