#include "weft/ids.h"

#include "ids/hex.h"

namespace weft {
namespace {

std::uint64_t load_big_endian(const std::uint8_t* bytes) noexcept {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | bytes[i];
  return value;
}

void store_big_endian(std::uint64_t value, std::uint8_t* bytes) noexcept {
  for (int i = 7; i >= 0; --i) {
    bytes[i] = static_cast<std::uint8_t>(value & 0xff);
    value >>= 8;
  }
}

}  // namespace

TraceId TraceId::from_words(std::uint64_t high, std::uint64_t low) noexcept {
  TraceId id;
  store_big_endian(high, id.bytes_.data());
  store_big_endian(low, id.bytes_.data() + 8);
  return id;
}

std::optional<TraceId> TraceId::from_hex(std::string_view hex) noexcept {
  TraceId id;
  if (!detail::hex_to_bytes(hex, id.bytes_.data(), kSize)) return std::nullopt;
  return id;
}

std::uint64_t TraceId::high() const noexcept { return load_big_endian(bytes_.data()); }
std::uint64_t TraceId::low() const noexcept { return load_big_endian(bytes_.data() + 8); }

std::string TraceId::to_hex() const {
  std::string text(2 * kSize, '0');
  to_hex(text.data());
  return text;
}

void TraceId::to_hex(char* out) const noexcept { detail::bytes_to_hex(bytes_.data(), kSize, out); }

SpanId SpanId::from_word(std::uint64_t value) noexcept {
  SpanId id;
  store_big_endian(value, id.bytes_.data());
  return id;
}

std::optional<SpanId> SpanId::from_hex(std::string_view hex) noexcept {
  SpanId id;
  if (!detail::hex_to_bytes(hex, id.bytes_.data(), kSize)) return std::nullopt;
  return id;
}

std::uint64_t SpanId::word() const noexcept { return load_big_endian(bytes_.data()); }

std::string SpanId::to_hex() const {
  std::string text(2 * kSize, '0');
  to_hex(text.data());
  return text;
}

void SpanId::to_hex(char* out) const noexcept { detail::bytes_to_hex(bytes_.data(), kSize, out); }

}  // namespace weft
