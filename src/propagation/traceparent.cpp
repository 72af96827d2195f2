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

#include <array>
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

// 0-15 for '0'-'9' and 'a'-'f', 0xff for anything else (uppercase is not valid here). A table and
// no branch per character: this is the hot part of extracting a context.
constexpr std::array<std::uint8_t, 256> kHexValues = [] {
  std::array<std::uint8_t, 256> values{};
  for (std::uint8_t& value : values) value = 0xff;
  for (int c = '0'; c <= '9'; ++c) values[c] = static_cast<std::uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) values[c] = static_cast<std::uint8_t>(c - 'a' + 10);
  return values;
}();

// Decodes 2 * count hex digits starting at `text[at]`; false if any is not lowercase hex.
bool decode_hex(std::string_view text, std::size_t at, std::size_t count,
                std::uint8_t* out) noexcept {
  std::uint8_t invalid = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t high = kHexValues[static_cast<unsigned char>(text[at + 2 * i])];
    const std::uint8_t low = kHexValues[static_cast<unsigned char>(text[at + 2 * i + 1])];
    invalid |= high | low;
    out[i] = static_cast<std::uint8_t>((high << 4) | low);
  }
  return (invalid & 0xf0) == 0;
}

template <std::size_t kSize>
bool all_zero(const std::array<std::uint8_t, kSize>& bytes) noexcept {
  std::uint8_t any = 0;
  for (std::uint8_t byte : bytes) any |= byte;
  return any == 0;
}

}  // namespace

std::optional<SpanContext> parse_traceparent(std::string_view header) noexcept {
  header = detail::trim_ows(header);
  if (header.size() < detail::kTraceparentLength) return std::nullopt;

  std::uint8_t version = 0;
  if (!decode_hex(header, 0, 1, &version) || version == kInvalidVersion) return std::nullopt;
  if (header.size() > detail::kTraceparentLength) {
    // Version 00 is exactly 55 characters. A later version may append fields, each after a '-';
    // they are not interpreted (the specification forbids assuming anything about them).
    if (version == 0 || !is_dash_at(header, detail::kTraceparentLength)) return std::nullopt;
  }
  if (!is_dash_at(header, kTraceIdAt - 1) || !is_dash_at(header, kSpanIdAt - 1) ||
      !is_dash_at(header, kFlagsAt - 1)) {
    return std::nullopt;
  }

  std::array<std::uint8_t, TraceId::kSize> trace_bytes{};
  std::array<std::uint8_t, SpanId::kSize> span_bytes{};
  std::uint8_t flags = 0;
  // Each call stays inside the first 55 characters, which the size check above guarantees.
  if (!decode_hex(header, kTraceIdAt, TraceId::kSize, trace_bytes.data()) ||
      !decode_hex(header, kSpanIdAt, SpanId::kSize, span_bytes.data()) ||
      !decode_hex(header, kFlagsAt, 1, &flags)) {
    return std::nullopt;
  }

  if (all_zero(trace_bytes) || all_zero(span_bytes)) return std::nullopt;  // forbidden ids

  SpanContext context;
  context.trace_id = TraceId(trace_bytes);
  context.span_id = SpanId(span_bytes);
  context.flags = TraceFlags(flags & kKnownFlags);
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
