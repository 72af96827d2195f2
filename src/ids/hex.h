// Lowercase hexadecimal encoding and strict decoding of id bytes. Every id crosses a process
// boundary as hex (traceparent, OTLP/JSON, the relay), so 8 bytes <-> 16 digits have an SSE2 path
// that handles them at once; the scalar loops are the reference and the tail.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__) && defined(__x86_64__)
#define WEFT_HEX_SSE2 1
#include <emmintrin.h>
#endif

namespace weft::detail {

inline constexpr char kHexDigits[] = "0123456789abcdef";

// -1 for anything but 0-9 and a-f (uppercase is not valid in W3C Trace Context).
inline int lower_hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Writes the 16 digits of 8 bytes (in memory order).
inline void eight_bytes_to_hex(const std::uint8_t* bytes, char* out) noexcept {
#if defined(WEFT_HEX_SSE2)
  const __m128i raw = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(bytes));
  const __m128i low_nibble = _mm_set1_epi8(0x0f);
  const __m128i high = _mm_and_si128(_mm_srli_epi16(raw, 4), low_nibble);
  const __m128i low = _mm_and_si128(raw, low_nibble);
  const __m128i nibbles = _mm_unpacklo_epi8(high, low);  // high, low, high, low, ...
  // '0' + n, and 'a' - 10 + n (39 more) for n > 9.
  const __m128i letters = _mm_and_si128(_mm_cmpgt_epi8(nibbles, _mm_set1_epi8(9)),
                                        _mm_set1_epi8('a' - 10 - '0'));
  const __m128i text = _mm_add_epi8(_mm_add_epi8(nibbles, _mm_set1_epi8('0')), letters);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), text);
#else
  for (std::size_t i = 0; i < 8; ++i) {
    out[2 * i] = kHexDigits[bytes[i] >> 4];
    out[2 * i + 1] = kHexDigits[bytes[i] & 0x0f];
  }
#endif
}

// The byte of two characters known to be lowercase hex digits: a digit's low nibble is its value,
// and a letter ('a' is 0x61) adds 9 to it.
inline std::uint8_t checked_hex_byte(const char* text) noexcept {
  const auto value = [](char c) {
    const auto byte = static_cast<unsigned>(static_cast<unsigned char>(c));
    return (byte & 0x0fU) + 9U * (byte >> 6);
  };
  return static_cast<std::uint8_t>((value(text[0]) << 4) | value(text[1]));
}

// The same for 16 digits, into 8 bytes returned as they lie in memory (the first byte in the
// lowest address).
inline std::uint64_t checked_hex_eight_bytes(const char* text) noexcept {
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

#if defined(WEFT_HEX_SSE2)
// Bit i is set where text[i] (of 16) is a lowercase hex digit.
inline unsigned lower_hex_digits_of_16(const char* text) noexcept {
  const __m128i in = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text));
  // Each range with one signed comparison: adding 0x80 - '0' makes '0' the smallest signed byte
  // (-128) and every byte outside '0'-'9' (0x80 and over too) -118 or more; the same for 'a'-'f'.
  const auto in_range = [in](char first, int count) {
    const __m128i shifted = _mm_add_epi8(in, _mm_set1_epi8(static_cast<char>(0x80 - first)));
    return _mm_cmplt_epi8(shifted, _mm_set1_epi8(static_cast<char>(0x80 + count)));
  };
  const __m128i digit = in_range('0', 10);
  const __m128i letter = in_range('a', 6);
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(digit, letter)));
}
#endif

// Decodes 16 lowercase hex digits into 8 bytes, returned as they lie in memory (the first byte in
// the lowest address). False on any other character.
inline bool hex_to_eight_bytes(const char* text, std::uint64_t& bytes) noexcept {
#if defined(WEFT_HEX_SSE2)
  if (lower_hex_digits_of_16(text) != 0xffff) return false;
  bytes = checked_hex_eight_bytes(text);
  return true;
#else
  std::uint8_t out[8];
  for (std::size_t i = 0; i < 8; ++i) {
    const int high = lower_hex_value(text[2 * i]);
    const int low = lower_hex_value(text[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    out[i] = static_cast<std::uint8_t>((high << 4) | low);
  }
  std::memcpy(&bytes, out, sizeof out);
  return true;
#endif
}

inline void bytes_to_hex(const std::uint8_t* bytes, std::size_t count, char* out) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= count; i += 8) eight_bytes_to_hex(bytes + i, out + 2 * i);
  for (; i < count; ++i) {
    out[2 * i] = kHexDigits[bytes[i] >> 4];
    out[2 * i + 1] = kHexDigits[bytes[i] & 0x0f];
  }
}

// Decodes exactly 2*count lowercase hex digits into `bytes`; false on any other character.
inline bool hex_to_bytes(std::string_view hex, std::uint8_t* bytes, std::size_t count) noexcept {
  if (hex.size() != 2 * count) return false;
  std::size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    std::uint64_t eight;
    if (!hex_to_eight_bytes(hex.data() + 2 * i, eight)) return false;
    std::memcpy(bytes + i, &eight, sizeof eight);
  }
  for (; i < count; ++i) {
    const int high = lower_hex_value(hex[2 * i]);
    const int low = lower_hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    bytes[i] = static_cast<std::uint8_t>((high << 4) | low);
  }
  return true;
}

}  // namespace weft::detail
