// Fuzzes the W3C `baggage` parser. Properties: the result respects the specification's limits,
// and serializing is stable: what it writes parses back to the same members.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "weft/baggage.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  const weft::Baggage parsed = weft::Baggage::parse(header);
  WEFT_FUZZ_CHECK(parsed.size() <= weft::Baggage::kMaxMembers);
  const std::string serialized = parsed.to_header();
  WEFT_FUZZ_CHECK(serialized.size() <= weft::Baggage::kMaxHeaderBytes);
  const weft::Baggage reparsed = weft::Baggage::parse(serialized);
  WEFT_FUZZ_CHECK(reparsed.to_header() == serialized);
  if (reparsed.size() == parsed.size()) WEFT_FUZZ_CHECK(reparsed == parsed);
  return 0;
}
