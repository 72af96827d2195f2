#include "weft/ids.h"

#include "ids/hex.h"

namespace weft {

std::optional<TraceId> TraceId::from_hex(std::string_view hex) noexcept {
  TraceId id;
  if (!detail::hex_to_bytes(hex, id.bytes_.data(), kSize)) return std::nullopt;
  return id;
}

std::string TraceId::to_hex() const {
  std::string text(2 * kSize, '0');
  to_hex(text.data());
  return text;
}

void TraceId::to_hex(char* out) const noexcept { detail::bytes_to_hex(bytes_.data(), kSize, out); }

std::optional<SpanId> SpanId::from_hex(std::string_view hex) noexcept {
  SpanId id;
  if (!detail::hex_to_bytes(hex, id.bytes_.data(), kSize)) return std::nullopt;
  return id;
}


std::string SpanId::to_hex() const {
  std::string text(2 * kSize, '0');
  to_hex(text.data());
  return text;
}

void SpanId::to_hex(char* out) const noexcept { detail::bytes_to_hex(bytes_.data(), kSize, out); }

}  // namespace weft
