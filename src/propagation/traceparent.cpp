// W3C traceparent: "version-traceid-parentid-flags", parsed without allocating.
#include <cstring>

#include "ids/hex.h"
#include "weft/propagation.h"

namespace weft {
namespace {

constexpr std::size_t kVersion00Length = 55;

bool parse_hex_byte(std::string_view text, std::uint8_t& out) {
  return detail::hex_to_bytes(text, &out, 1);
}

}  // namespace

std::optional<SpanContext> parse_traceparent(std::string_view header) noexcept {
  if (header.size() < kVersion00Length) return std::nullopt;
  std::uint8_t version = 0;
  if (!parse_hex_byte(header.substr(0, 2), version) || version == 0xff) return std::nullopt;
  // Version 00 is exactly 55 characters; a later version may append fields after a '-'.
  if (version == 0 && header.size() != kVersion00Length) return std::nullopt;
  if (header.size() > kVersion00Length && header[kVersion00Length] != '-') return std::nullopt;
  if (header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;
  auto trace_id = TraceId::from_hex(header.substr(3, 32));
  auto span_id = SpanId::from_hex(header.substr(36, 16));
  std::uint8_t flags = 0;
  if (!trace_id || !span_id || !parse_hex_byte(header.substr(53, 2), flags)) return std::nullopt;
  if (!trace_id->is_valid() || !span_id->is_valid()) return std::nullopt;
  SpanContext context;
  context.trace_id = *trace_id;
  context.span_id = *span_id;
  // Only the flags defined so far (sampled, random) are kept; others must be ignored.
  context.flags = TraceFlags(flags & (TraceFlags::kSampled | TraceFlags::kRandom));
  context.is_remote = true;
  return context;
}

std::string format_traceparent(const SpanContext& context) {
  if (!context.is_valid()) return {};
  char text[kVersion00Length];
  std::memcpy(text, "00-", 3);
  context.trace_id.to_hex(text + 3);
  text[35] = '-';
  context.span_id.to_hex(text + 36);
  text[52] = '-';
  const std::uint8_t flags = context.flags.value() & (TraceFlags::kSampled | TraceFlags::kRandom);
  detail::bytes_to_hex(&flags, 1, text + 53);
  return std::string(text, sizeof text);
}

}  // namespace weft
