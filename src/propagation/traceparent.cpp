// W3C `traceparent`: "version-traceid-parentid-flags", parsed and formatted without allocating
// (only format_traceparent's returned std::string allocates).
//
// Decisions where the specification leaves room:
// - Optional white space (spaces, tabs) around the whole value is ignored: HTTP strips it from a
//   field value (RFC 7230, section 3.2), and the W3C test suite expects it to be accepted.
// - Only the flags defined so far are kept: 0x01 "sampled" (Level 1) and 0x02 "random" (Level 2).
//   The other bits are reserved and "vendors MUST set those to zero", so they are cleared when
//   parsing, whatever the version, and never written.
#include "propagation/traceparent.h"

#include <cstdint>
#include <cstring>

#include "ids/hex.h"
#include "propagation/ows.h"
#include "weft/propagation.h"

namespace weft {
namespace {

constexpr std::uint8_t kKnownFlags = TraceFlags::kSampled | TraceFlags::kRandom;
constexpr std::uint8_t kInvalidVersion = 0xff;

// Offsets in the version-00 layout, which later versions keep as their prefix.
constexpr std::size_t kTraceIdAt = 3;
constexpr std::size_t kSpanIdAt = 36;
constexpr std::size_t kFlagsAt = 53;

bool is_dash_at(std::string_view text, std::size_t at) noexcept { return text[at] == '-'; }

// The byte of the two hex digits at `text[at]`; false unless both are lowercase hex.
bool decode_byte(std::string_view text, std::size_t at, std::uint8_t& byte) noexcept {
  return detail::hex_to_bytes(text.substr(at, 2), &byte, 1);
}

const std::uint8_t* as_bytes(const std::uint64_t& word) noexcept {
  return reinterpret_cast<const std::uint8_t*>(&word);
}

}  // namespace

std::optional<SpanContext> parse_traceparent(std::string_view header) noexcept {
  header = detail::trim_ows(header);
  if (header.size() < detail::kTraceparentLength) return std::nullopt;

  std::uint8_t version = 0;
  if (!decode_byte(header, 0, version) || version == kInvalidVersion) return std::nullopt;
  if (header.size() > detail::kTraceparentLength) {
    // Version 00 is exactly 55 characters. A later version may append fields, each after a '-';
    // they are not interpreted (the specification forbids assuming anything about them).
    if (version == 0 || !is_dash_at(header, detail::kTraceparentLength)) return std::nullopt;
  }
  if (!is_dash_at(header, kTraceIdAt - 1) || !is_dash_at(header, kSpanIdAt - 1) ||
      !is_dash_at(header, kFlagsAt - 1)) {
    return std::nullopt;
  }

  // Each call stays inside the first 55 characters, which the size check above guarantees.
  std::uint64_t trace_high = 0;
  std::uint64_t trace_low = 0;
  std::uint64_t span = 0;
  std::uint8_t flags = 0;
  if (!detail::hex_to_eight_bytes(header.data() + kTraceIdAt, trace_high) ||
      !detail::hex_to_eight_bytes(header.data() + kTraceIdAt + 16, trace_low) ||
      !detail::hex_to_eight_bytes(header.data() + kSpanIdAt, span) ||
      !decode_byte(header, kFlagsAt, flags)) {
    return std::nullopt;
  }
  if ((trace_high | trace_low) == 0 || span == 0) return std::nullopt;  // forbidden ids

  // The words hold the bytes in memory order; the ids take them as big-endian numbers.
  SpanContext context;
  context.trace_id = TraceId::from_words(detail::load_big_endian(as_bytes(trace_high)),
                                         detail::load_big_endian(as_bytes(trace_low)));
  context.span_id = SpanId::from_word(detail::load_big_endian(as_bytes(span)));
  context.flags = TraceFlags(static_cast<std::uint8_t>(flags & kKnownFlags));
  context.is_remote = true;
  return context;
}

void detail::write_traceparent(const SpanContext& context, char* out) noexcept {
  // Always version 00: the highest version this implementation knows, as the specification
  // requires when forwarding a context received with a later version.
  std::memcpy(out, "00-", 3);
  context.trace_id.to_hex(out + kTraceIdAt);
  out[kSpanIdAt - 1] = '-';
  context.span_id.to_hex(out + kSpanIdAt);
  out[kFlagsAt - 1] = '-';
  const std::uint8_t flags = context.flags.value() & kKnownFlags;
  bytes_to_hex(&flags, 1, out + kFlagsAt);
}

std::string format_traceparent(const SpanContext& context) {
  if (!context.is_valid()) return {};
  char text[detail::kTraceparentLength];
  detail::write_traceparent(context, text);
  return std::string(text, sizeof text);
}

}  // namespace weft
