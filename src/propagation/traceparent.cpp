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

const std::uint8_t* as_bytes(const std::uint64_t& word) noexcept {
  return reinterpret_cast<const std::uint8_t*>(&word);
}

// Whether the first 55 characters have the version-00 layout: lowercase hex digits everywhere but
// at the three dashes. Later versions keep this layout as their prefix.
bool has_version_00_layout(const char* text) noexcept {
  if (text[kTraceIdAt - 1] != '-' || text[kSpanIdAt - 1] != '-' || text[kFlagsAt - 1] != '-') {
    return false;
  }
#if defined(WEFT_HEX_SSE2)
  // Four loads cover the 55 characters: 0-15, 16-31, 32-47 and 39-54 (overlapping).
  std::uint64_t digits = 0;
  for (const std::size_t offset :
       {std::size_t{0}, std::size_t{16}, std::size_t{32}, detail::kTraceparentLength - 16}) {
    digits |= static_cast<std::uint64_t>(detail::lower_hex_digits_of_16(text + offset)) << offset;
  }
  constexpr std::uint64_t kDashes =
      (1ULL << (kTraceIdAt - 1)) | (1ULL << (kSpanIdAt - 1)) | (1ULL << (kFlagsAt - 1));
  constexpr std::uint64_t kDigits = ((1ULL << detail::kTraceparentLength) - 1) & ~kDashes;
  return (digits & kDigits) == kDigits;
#else
  for (std::size_t i = 0; i < detail::kTraceparentLength; ++i) {
    const bool dash_here = i == kTraceIdAt - 1 || i == kSpanIdAt - 1 || i == kFlagsAt - 1;
    if (!dash_here && detail::lower_hex_value(text[i]) < 0) return false;
  }
  return true;
#endif
}

}  // namespace

std::optional<SpanContext> parse_traceparent(std::string_view header) noexcept {
  // Most carriers hold the value without white space around it: both ends are looked at once.
  if (!header.empty() && (detail::is_ows(header.front()) || detail::is_ows(header.back()))) {
    header = detail::trim_ows(header);
  }
  if (header.size() < detail::kTraceparentLength || !has_version_00_layout(header.data())) {
    return std::nullopt;
  }
  const std::uint8_t version = detail::checked_hex_byte(header.data());
  if (version == kInvalidVersion) return std::nullopt;
  if (header.size() > detail::kTraceparentLength) {
    // Version 00 is exactly 55 characters. A later version may append fields, each after a '-';
    // they are not interpreted (the specification forbids assuming anything about them).
    if (version == 0 || !is_dash_at(header, detail::kTraceparentLength)) return std::nullopt;
  }

  // The layout is checked: these decode digits known to be lowercase hex.
  const std::uint64_t trace_high = detail::checked_hex_eight_bytes(header.data() + kTraceIdAt);
  const std::uint64_t trace_low = detail::checked_hex_eight_bytes(header.data() + kTraceIdAt + 16);
  const std::uint64_t span = detail::checked_hex_eight_bytes(header.data() + kSpanIdAt);
  const std::uint8_t flags = detail::checked_hex_byte(header.data() + kFlagsAt);
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
