#include "export/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "export/utf8_text.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace weft::detail {

void JsonWriter::string(std::string_view text) {
  separate();
  put('"');
  append_escaped(text);
  put('"');
}

void JsonWriter::number(std::int64_t value) {
  separate();
  put_number(value);
}

void JsonWriter::number(std::uint64_t value) {
  separate();
  put_number(value);
}

void JsonWriter::number(double value) {
  if (std::isnan(value)) return string("NaN");
  if (std::isinf(value)) return string(value > 0 ? "Infinity" : "-Infinity");
  separate();
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  put(buffer, static_cast<std::size_t>(result.ptr - buffer));
}

void JsonWriter::quoted_number(std::uint64_t value) { quoted(value); }
void JsonWriter::quoted_number(std::int64_t value) { quoted(value); }

namespace {

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

void put_pair(char* at, std::uint32_t pair) { std::memcpy(at, kDigitPairs + 2 * pair, 2); }

// Writes the 8 digits of `value` (below 10^8, with leading zeros) that end at `end`.
char* put_eight_digits(char* end, std::uint32_t value) {
  const std::uint32_t high = value / 10000;
  const std::uint32_t low = value % 10000;
  end -= 8;
  put_pair(end, high / 100);
  put_pair(end + 2, high % 100);
  put_pair(end + 4, low / 100);
  put_pair(end + 6, low % 100);
  return end;
}

}  // namespace

// From the end, eight digits at a time in 32-bit arithmetic, then two at a time from a table of
// the hundred pairs: timestamps have 19 digits, and std::to_chars (which counts the digits first,
// then takes two at a time in 64-bit arithmetic) took 280 instructions for one.
void JsonWriter::put_number(std::uint64_t value) {
  char buffer[20];  // 2^64 - 1 has 20 digits
  char* first = buffer + sizeof buffer;
  while (value >= 100000000) {
    first = put_eight_digits(first, static_cast<std::uint32_t>(value % 100000000));
    value /= 100000000;
  }
  auto rest = static_cast<std::uint32_t>(value);
  while (rest >= 100) {
    first -= 2;
    put_pair(first, rest % 100);
    rest /= 100;
  }
  if (rest >= 10) {
    first -= 2;
    put_pair(first, rest);
  } else {
    *--first = static_cast<char>('0' + rest);
  }
  put(first, static_cast<std::size_t>(buffer + sizeof buffer - first));
}

void JsonWriter::put_number(std::int64_t value) {
  if (value >= 0) return put_number(static_cast<std::uint64_t>(value));
  put('-');
  // The magnitude in unsigned arithmetic: -INT64_MIN does not fit an int64_t.
  put_number(std::uint64_t{0} - static_cast<std::uint64_t>(value));
}

void JsonWriter::put_long(const char* data, std::size_t length) {
  flush();
  if (length <= kStageSize) {
    std::memcpy(stage_, data, length);
    used_ = length;
  } else {
    out_.append(data, length);
  }
}

namespace {

#if defined(__SSE2__)
// A bit per byte of `chars` that JSON does not take as it is.
inline unsigned special_bytes(__m128i chars) noexcept {
  // Signed: bytes of 0x80 and over are negative, so below 0x20 too (UTF-8 needs checking).
  const __m128i special = _mm_or_si128(
      _mm_cmplt_epi8(chars, _mm_set1_epi8(0x20)),
      _mm_or_si128(_mm_cmpeq_epi8(chars, _mm_set1_epi8('"')),
                   _mm_cmpeq_epi8(chars, _mm_set1_epi8('\\'))));
  return static_cast<unsigned>(_mm_movemask_epi8(special));
}
#endif

// The length of the prefix of `text` that JSON takes as it is: printable ASCII other than '"' and
// '\\'. Most of a span's text is such a run, so it is found 16 bytes at a time and appended whole;
// a shorter rest (most names and values are short) is copied into a window of 16 first.
std::size_t plain_prefix(std::string_view text) noexcept {
  std::size_t i = 0;
#if defined(__SSE2__)
  for (; i + 16 <= text.size(); i += 16) {
    const __m128i chars = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
    const unsigned stops = special_bytes(chars);
    if (stops != 0) return i + static_cast<std::size_t>(__builtin_ctz(stops));
  }
  const std::size_t rest = text.size() - i;
  if (rest == 0) return i;
  char window[16] = {};
  std::memcpy(window, text.data() + i, rest);
  // The window's zero bytes past the rest are special too: the scan stops at the end at most.
  const unsigned stops = special_bytes(_mm_loadu_si128(reinterpret_cast<const __m128i*>(window)));
  return i + static_cast<std::size_t>(__builtin_ctz(stops));
#else
  for (; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
  }
  return i;
#endif
}

}  // namespace

void JsonWriter::append_escaped(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t plain = plain_prefix(text.substr(i));
    if (plain != 0) {
      put(text.data() + i, plain);
      i += plain;
      if (i == text.size()) break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      put('\\');
      put(static_cast<char>(c));
      ++i;
    } else if (c < 0x20) {
      switch (c) {
        case '\n': put("\\n", 2); break;
        case '\r': put("\\r", 2); break;
        case '\t': put("\\t", 2); break;
        case '\b': put("\\b", 2); break;
        case '\f': put("\\f", 2); break;
        default:
          put("\\u00", 4);
          put(kHex[c >> 4]);
          put(kHex[c & 0x0f]);
      }
      ++i;
    } else if (c < 0x80) {
      put(static_cast<char>(c));
      ++i;
    } else {
      const std::size_t length = utf8_sequence_length(text.substr(i));
      if (length == 0) {
        put("\xef\xbf\xbd", 3);  // U+FFFD REPLACEMENT CHARACTER
        ++i;
      } else {
        put(text.data() + i, length);
        i += length;
      }
    }
  }
}

}  // namespace weft::detail
