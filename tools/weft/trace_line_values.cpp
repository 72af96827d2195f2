#include "trace_line_values.h"

#include <cmath>

namespace weft::cli {

std::optional<Integer> integer_from_text(std::string_view text) {
  Integer integer;
  std::size_t position = 0;
  if (!text.empty() && text[0] == '-') {
    integer.negative = true;
    position = 1;
  }
  if (position == text.size()) return std::nullopt;
  for (; position < text.size(); ++position) {
    const char c = text[position];
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (integer.magnitude > (UINT64_MAX - digit) / 10) return std::nullopt;  // overflow
    integer.magnitude = integer.magnitude * 10 + digit;
  }
  return integer;
}

std::optional<Integer> integer_from_double(double number) {
  if (!std::isfinite(number) || number != std::trunc(number) ||
      std::fabs(number) >= 18446744073709551616.0) {
    return std::nullopt;
  }
  return Integer{number < 0, static_cast<std::uint64_t>(std::fabs(number))};
}

Integer integer_from_signed(std::int64_t number) {
  if (number >= 0) return Integer{false, static_cast<std::uint64_t>(number)};
  // Unsigned negation is defined for the most negative value too.
  return Integer{true, 0 - static_cast<std::uint64_t>(number)};
}

std::optional<std::uint64_t> as_uint64(const std::optional<Integer>& integer) {
  if (!integer || (integer->negative && integer->magnitude != 0)) return std::nullopt;
  return integer->magnitude;
}

std::optional<std::int64_t> as_int64(const std::optional<Integer>& integer) {
  const std::uint64_t limit = integer && integer->negative ? 1ULL << 63 : (1ULL << 63) - 1;
  if (!integer || integer->magnitude > limit) return std::nullopt;
  return integer->negative ? static_cast<std::int64_t>(0 - integer->magnitude)
                           : static_cast<std::int64_t>(integer->magnitude);
}

IdForm normalize_id(std::string& id, std::size_t digits) {
  if (id.empty()) return IdForm::kEmpty;
  if (id.size() != digits) return IdForm::kNotHex;
  bool all_zeros = true;
  for (char& c : id) {
    if (c >= '0' && c <= '9') {
      all_zeros = all_zeros && c == '0';
      continue;
    }
    // Setting bit 5 lowercases a letter; only 'A'-'F' and 'a'-'f' land in 'a'-'f'.
    const auto lower = static_cast<char>(c | 0x20);
    if (lower < 'a' || lower > 'f') return IdForm::kNotHex;
    c = lower;
    all_zeros = false;
  }
  return all_zeros ? IdForm::kAllZeros : IdForm::kValid;
}

}  // namespace weft::cli
