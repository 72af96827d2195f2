// What may go into an HTTP request's header section (RFC 9110, section 5): headers configured by
// the user (OTEL_EXPORTER_OTLP_HEADERS, percent-decoded) are checked against it before they are
// sent, since a CR or LF in a value would end the header and start another one of the user's
// choosing, and a name that is not a token makes a strict server refuse every request.
#pragma once

#include <algorithm>
#include <string_view>

namespace weft::detail {

// field-name = token: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" /
// "_" / "`" / "|" / "~" / DIGIT / ALPHA.
inline bool is_header_name(std::string_view name) noexcept {
  constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kSymbols.find(c) != std::string_view::npos;
  });
}

// field-value: visible characters, spaces, tabs and bytes from 0x80 up; no other control
// character (CR, LF, NUL, DEL ...).
inline bool is_header_value(std::string_view value) noexcept {
  return std::all_of(value.begin(), value.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte == '\t' || (byte >= 0x20 && byte != 0x7f);
  });
}

}  // namespace weft::detail
