// Lowercase hexadecimal encoding and strict decoding of id bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace weft::detail {

inline constexpr char kHexDigits[] = "0123456789abcdef";

inline void bytes_to_hex(const std::uint8_t* bytes, std::size_t count, char* out) noexcept {
  for (std::size_t i = 0; i < count; ++i) {
    out[2 * i] = kHexDigits[bytes[i] >> 4];
    out[2 * i + 1] = kHexDigits[bytes[i] & 0x0f];
  }
}

// -1 for anything but 0-9 and a-f (uppercase is not valid in W3C Trace Context).
inline int lower_hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes exactly 2*count lowercase hex digits into `bytes`; false on any other character.
inline bool hex_to_bytes(std::string_view hex, std::uint8_t* bytes, std::size_t count) noexcept {
  if (hex.size() != 2 * count) return false;
  for (std::size_t i = 0; i < count; ++i) {
    const int high = lower_hex_value(hex[2 * i]);
    const int low = lower_hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    bytes[i] = static_cast<std::uint8_t>((high << 4) | low);
  }
  return true;
}

}  // namespace weft::detail
