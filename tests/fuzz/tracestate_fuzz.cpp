// Fuzzes the W3C `tracestate` parser. Properties: an accepted header serializes to at most 512
// characters that parse again; when nothing had to be shortened the members come back unchanged.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "weft/trace_state.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  const auto parsed = weft::TraceState::parse(header);
  if (!parsed) return 0;
  WEFT_FUZZ_CHECK(parsed->size() <= weft::TraceState::kMaxMembers);
  for (const auto& [key, value] : parsed->entries()) {
    WEFT_FUZZ_CHECK(weft::TraceState::is_valid_key(key));
    WEFT_FUZZ_CHECK(weft::TraceState::is_valid_value(value));
  }
  const std::string serialized = parsed->to_header();
  WEFT_FUZZ_CHECK(serialized.size() <= weft::TraceState::kMaxHeaderLength);
  const auto reparsed = weft::TraceState::parse(serialized);
  WEFT_FUZZ_CHECK(reparsed.has_value());
  WEFT_FUZZ_CHECK(reparsed->to_header() == serialized);
  if (reparsed->size() == parsed->size()) WEFT_FUZZ_CHECK(*reparsed == *parsed);
  return 0;
}
