// Optional white space (OWS) as RFC 7230 defines it: spaces and horizontal tabs. The W3C headers
// allow it around list members, and HTTP strips it around a whole field value.
#pragma once

#include <string_view>

namespace weft::detail {

inline bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

inline std::string_view trim_ows(std::string_view text) noexcept {
  while (!text.empty() && is_ows(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_ows(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace weft::detail
