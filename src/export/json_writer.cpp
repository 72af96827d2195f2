#include "export/json_writer.h"

#include <charconv>
#include <cmath>

#include "export/utf8_text.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace weft::detail {

void JsonWriter::key(std::string_view name) {
  separate();
  out_.push_back('"');
  append_escaped(name);
  out_.append("\":");
  first_ = true;  // the value follows without a comma
}

void JsonWriter::string(std::string_view text) {
  separate();
  out_.push_back('"');
  append_escaped(text);
  out_.push_back('"');
}

void JsonWriter::number(std::int64_t value) {
  separate();
  char buffer[24];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out_.append(buffer, result.ptr);
}

void JsonWriter::number(std::uint64_t value) {
  separate();
  char buffer[24];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out_.append(buffer, result.ptr);
}

void JsonWriter::number(double value) {
  if (std::isnan(value)) return string("NaN");
  if (std::isinf(value)) return string(value > 0 ? "Infinity" : "-Infinity");
  separate();
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out_.append(buffer, result.ptr);
}

void JsonWriter::quoted_number(std::uint64_t value) { quoted(value); }
void JsonWriter::quoted_number(std::int64_t value) { quoted(value); }

namespace {

// The length of the prefix of `text` that JSON takes as it is: printable ASCII other than '"' and
// '\\'. Most of a span's text is such a run, so it is found 16 bytes at a time and appended whole.
std::size_t plain_prefix(std::string_view text) noexcept {
  std::size_t i = 0;
#if defined(__SSE2__)
  for (; i + 16 <= text.size(); i += 16) {
    const __m128i chars = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
    // Signed: bytes of 0x80 and over are negative, so below 0x20 too (UTF-8 needs checking).
    const __m128i special = _mm_or_si128(
        _mm_cmplt_epi8(chars, _mm_set1_epi8(0x20)),
        _mm_or_si128(_mm_cmpeq_epi8(chars, _mm_set1_epi8('"')),
                     _mm_cmpeq_epi8(chars, _mm_set1_epi8('\\'))));
    const int stops = _mm_movemask_epi8(special);
    if (stops != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(stops)));
  }
#endif
  for (; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
  }
  return i;
}

}  // namespace

void JsonWriter::append_escaped(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t plain = plain_prefix(text.substr(i));
    if (plain != 0) {
      out_.append(text.data() + i, plain);
      i += plain;
      if (i == text.size()) break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out_.push_back('\\');
      out_.push_back(static_cast<char>(c));
      ++i;
    } else if (c < 0x20) {
      switch (c) {
        case '\n': out_.append("\\n"); break;
        case '\r': out_.append("\\r"); break;
        case '\t': out_.append("\\t"); break;
        case '\b': out_.append("\\b"); break;
        case '\f': out_.append("\\f"); break;
        default:
          out_.append("\\u00");
          out_.push_back(kHex[c >> 4]);
          out_.push_back(kHex[c & 0x0f]);
      }
      ++i;
    } else if (c < 0x80) {
      out_.push_back(static_cast<char>(c));
      ++i;
    } else {
      const std::size_t length = utf8_sequence_length(text.substr(i));
      if (length == 0) {
        out_.append("\xef\xbf\xbd");  // U+FFFD REPLACEMENT CHARACTER
        ++i;
      } else {
        out_.append(text.substr(i, length));
        i += length;
      }
    }
  }
}

}  // namespace weft::detail
