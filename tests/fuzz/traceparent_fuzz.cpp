// Fuzzes the W3C `traceparent` parser. Property: whatever it accepts formats back to a header
// that parses to the same ids and the same known flags.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "weft/propagation.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  const auto parsed = weft::parse_traceparent(header);
  if (!parsed) return 0;
  WEFT_FUZZ_CHECK(parsed->is_valid());
  WEFT_FUZZ_CHECK(parsed->is_remote);
  const std::string formatted = weft::format_traceparent(*parsed);
  const auto reparsed = weft::parse_traceparent(formatted);
  WEFT_FUZZ_CHECK(reparsed.has_value());
  WEFT_FUZZ_CHECK(reparsed->trace_id == parsed->trace_id);
  WEFT_FUZZ_CHECK(reparsed->span_id == parsed->span_id);
  WEFT_FUZZ_CHECK(reparsed->flags.sampled() == parsed->flags.sampled());
  WEFT_FUZZ_CHECK(weft::format_traceparent(*reparsed) == formatted);
  return 0;
}
