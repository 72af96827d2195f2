// Text that must be valid UTF-8 on the wire: OTLP/JSON is JSON, and protobuf's `string` fields are
// UTF-8 (collectors refuse a whole request over one bad string). A span's text comes from the
// application and may hold any bytes, so the exporters replace each byte that starts no valid
// UTF-8 sequence with U+FFFD, as the JSON writer always has.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace weft::detail {

// The length of the valid UTF-8 sequence at the start of `text` (not empty), or 0 if there is
// none: overlong forms, surrogates and values beyond U+10FFFF are not valid.
std::size_t utf8_sequence_length(std::string_view text) noexcept;

// Whether `text` holds a byte of 0x80 or over. Loads whole words, overlapping at the end, rather
// than looking at each byte: most of a span's text is a few ASCII bytes, checked on every export.
inline bool has_non_ascii(std::string_view text) noexcept {
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  const char* const data = text.data();
  const std::size_t size = text.size();
  if (size >= 8) {
    std::uint64_t any = 0;
    std::uint64_t word;
    for (std::size_t i = 0; i + 8 <= size; i += 8) {
      std::memcpy(&word, data + i, sizeof word);
      any |= word;
    }
    std::memcpy(&word, data + size - 8, sizeof word);  // the last 8, overlapping
    return ((any | word) & kHighBits) != 0;
  }
  if (size >= 4) {
    std::uint32_t head, tail;
    std::memcpy(&head, data, sizeof head);
    std::memcpy(&tail, data + size - 4, sizeof tail);
    return ((head | tail) & 0x80808080U) != 0;
  }
  if (size == 0) return false;
  // The first, middle and last bytes are every byte of a text of 1 to 3 bytes.
  return ((data[0] | data[size / 2] | data[size - 1]) & 0x80) != 0;
}

// Whether `text` is valid UTF-8 (out of line: only text that is not ASCII gets here).
bool is_valid_non_ascii_utf8(std::string_view text) noexcept;

inline bool is_valid_utf8(std::string_view text) noexcept {
  return !has_non_ascii(text) || is_valid_non_ascii_utf8(text);
}

// A copy of `text` with U+FFFD for each byte that starts no valid sequence.
std::string with_replacement_characters(std::string_view text);

// use_as_valid_utf8() for text that is not ASCII: out of line, so that the ASCII path builds no
// string and needs no cleanup.
template <class Use>
__attribute__((noinline)) void use_non_ascii_as_valid_utf8(std::string_view text, Use& use) {
  if (is_valid_non_ascii_utf8(text)) {
    use(text);
    return;
  }
  const std::string cleaned = with_replacement_characters(text);
  use(std::string_view(cleaned));
}

// Calls `use` with `text` made valid UTF-8: `text` itself (nearly always), or a cleaned copy.
template <class Use>
void use_as_valid_utf8(std::string_view text, Use&& use) {
  if (__builtin_expect(!has_non_ascii(text), 1)) {
    use(text);
  } else {
    use_non_ascii_as_valid_utf8(text, use);
  }
}

}  // namespace weft::detail
