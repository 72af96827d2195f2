// Comparing text with a lowercase ASCII word in any case: HTTP header names, level names. ASCII
// only, unlike strcasecmp, whose result depends on the locale.
#pragma once

#include <string_view>

namespace weft::detail {

inline char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

// Whether `text` begins with `lowercase_prefix`, in any case.
inline bool starts_with_ignoring_case(std::string_view text,
                                      std::string_view lowercase_prefix) noexcept {
  if (text.size() < lowercase_prefix.size()) return false;
  for (std::size_t i = 0; i < lowercase_prefix.size(); ++i) {
    if (ascii_lower(text[i]) != lowercase_prefix[i]) return false;
  }
  return true;
}

// Whether `text` is `lowercase_word`, in any case.
inline bool equals_ignoring_case(std::string_view text, std::string_view lowercase_word) noexcept {
  return text.size() == lowercase_word.size() && starts_with_ignoring_case(text, lowercase_word);
}

}  // namespace weft::detail
