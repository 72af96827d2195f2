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

// Whether `text` is valid UTF-8. ASCII, nearly all text, is checked 8 bytes at a time.
inline bool is_valid_utf8(std::string_view text) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, sizeof word);
    if ((word & 0x8080808080808080ULL) != 0) break;
  }
  for (; i < text.size(); ++i) {
    if (static_cast<unsigned char>(text[i]) < 0x80) continue;
    const std::size_t length = utf8_sequence_length(text.substr(i));
    if (length == 0) return false;
    i += length - 1;
  }
  return true;
}

// `text` when it is valid UTF-8; otherwise a copy in `scratch` with U+FFFD for each byte that
// starts no valid sequence.
std::string_view valid_utf8(std::string_view text, std::string& scratch);

}  // namespace weft::detail
