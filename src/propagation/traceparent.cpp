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

// The byte of two characters already known to be lowercase hex digits: a digit's low nibble is its
// value, and a letter ('a' is 0x61) adds 9 to it.
std::uint8_t checked_hex_byte(const char* text) noexcept {
  const auto value = [](char c) {
    const auto byte = static_cast<unsigned>(static_cast<unsigned char>(c));
    return (byte & 0x0fU) + 9U * (byte >> 6);
  };
  return static_cast<std::uint8_t>((value(text[0]) << 4) | value(text[1]));
}

// The same for 16 digits, into 8 bytes as they lie in memory (the first in the lowest address).
std::uint64_t checked_hex_eight_bytes(const char* text) noexcept {
#if defined(WEFT_HEX_SSE2)
  const __m128i in = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text));
  // (c & 0x0f) + 9 * (c >> 6), per byte: bit 6 is set for the letters only.
  const __m128i letters = _mm_and_si128(_mm_srli_epi16(in, 6), _mm_set1_epi8(1));
  const __m128i nibbles = _mm_add_epi8(_mm_and_si128(in, _mm_set1_epi8(0x0f)),
                                       _mm_mullo_epi16(letters, _mm_set1_epi16(9)));
  // Each 16-bit lane holds (first digit, second digit): make it first << 4 | second.
  const __m128i pairs = _mm_and_si128(
      _mm_or_si128(_mm_slli_epi16(nibbles, 4), _mm_srli_epi16(nibbles, 8)), _mm_set1_epi16(0xff));
  return static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_packus_epi16(pairs, pairs)));
#else
  std::uint8_t bytes[8];
  for (std::size_t i = 0; i < 8; ++i) bytes[i] = checked_hex_byte(text + 2 * i);
  std::uint64_t word;
  std::memcpy(&word, bytes, sizeof word);
  return word;
#endif
}

// Whether the first 55 characters have the version-00 layout: lowercase hex digits everywhere but
// at the three dashes. Later versions keep this layout as their prefix.
#if defined(WEFT_HEX_SSE2)
// Bit i of the result is set where text[i] (of 16) is a lowercase hex digit; of `dashes`, a '-'.
unsigned hex_digits_of_16(const char* text, unsigned& dashes) noexcept {
  const __m128i in = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text));
  // Signed comparisons: bytes over 0x7f are negative, below both ranges.
  const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(in, _mm_set1_epi8('0' - 1)),
                                      _mm_cmplt_epi8(in, _mm_set1_epi8('9' + 1)));
  const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(in, _mm_set1_epi8('a' - 1)),
                                       _mm_cmplt_epi8(in, _mm_set1_epi8('f' + 1)));
  dashes = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(in, _mm_set1_epi8('-'))));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(digit, letter)));
}

bool has_version_00_layout(const char* text) noexcept {
  // Four loads cover the 55 characters: 0-15, 16-31, 32-47 and 39-54 (overlapping).
  std::uint64_t hex = 0;
  std::uint64_t dashes = 0;
  constexpr std::size_t kOffsets[] = {0, 16, 32, detail::kTraceparentLength - 16};
  for (const std::size_t offset : kOffsets) {
    unsigned block_dashes = 0;
    hex |= static_cast<std::uint64_t>(hex_digits_of_16(text + offset, block_dashes)) << offset;
    dashes |= static_cast<std::uint64_t>(block_dashes) << offset;
  }
  constexpr std::uint64_t kDashes =
      (1ULL << (kTraceIdAt - 1)) | (1ULL << (kSpanIdAt - 1)) | (1ULL << (kFlagsAt - 1));
  constexpr std::uint64_t kHexDigits = ((1ULL << detail::kTraceparentLength) - 1) & ~kDashes;
  return (hex & kHexDigits) == kHexDigits && (dashes & kDashes) == kDashes;
}
#else
bool has_version_00_layout(const char* text) noexcept {
  for (std::size_t i = 0; i < detail::kTraceparentLength; ++i) {
    const bool dash_here = i == kTraceIdAt - 1 || i == kSpanIdAt - 1 || i == kFlagsAt - 1;
    if (dash_here ? text[i] != '-' : detail::lower_hex_value(text[i]) < 0) return false;
  }
  return true;
}
#endif

}  // namespace

std::optional<SpanContext> parse_traceparent(std::string_view header) noexcept {
  header = detail::trim_ows(header);
  if (header.size() < detail::kTraceparentLength || !has_version_00_layout(header.data())) {
    return std::nullopt;
  }
  const std::uint8_t version = checked_hex_byte(header.data());
  if (version == kInvalidVersion) return std::nullopt;
  if (header.size() > detail::kTraceparentLength) {
    // Version 00 is exactly 55 characters. A later version may append fields, each after a '-';
    // they are not interpreted (the specification forbids assuming anything about them).
    if (version == 0 || !is_dash_at(header, detail::kTraceparentLength)) return std::nullopt;
  }

  // The layout is checked: these decode digits known to be lowercase hex.
  const std::uint64_t trace_high = checked_hex_eight_bytes(header.data() + kTraceIdAt);
  const std::uint64_t trace_low = checked_hex_eight_bytes(header.data() + kTraceIdAt + 16);
  const std::uint64_t span = checked_hex_eight_bytes(header.data() + kSpanIdAt);
  const std::uint8_t flags = checked_hex_byte(header.data() + kFlagsAt);
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
