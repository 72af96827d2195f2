#include "trace_line_values.h"

#include <cmath>
#include <cstdlib>
#include <string>

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

namespace {

// Whether `text` is a number in JSON's syntax: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view text) {
  std::size_t at = 0;
  const auto digits = [&] {
    const std::size_t first = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    return at - first;
  };
  if (at < text.size() && text[at] == '-') ++at;
  if (at < text.size() && text[at] == '0') {
    ++at;
  } else if (digits() == 0) {
    return false;
  }
  if (at < text.size() && text[at] == '.') {
    ++at;
    if (digits() == 0) return false;
  }
  if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
    ++at;
    if (at < text.size() && (text[at] == '+' || text[at] == '-')) ++at;
    if (digits() == 0) return false;
  }
  return at == text.size();
}

}  // namespace

std::optional<double> double_from_number(std::string_view number) {
  const std::string copy(number);  // NUL-terminated for strtod; rare in OTLP/JSON
  const double value = std::strtod(copy.c_str(), nullptr);
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<DoubleText> double_from_text(std::string_view text) {
  if (text == "NaN" || text == "Infinity" || text == "-Infinity") return DoubleText{};
  if (!is_json_number(text)) return std::nullopt;
  // Read as a number is: "1e-400" is 0 either way, and "2e308" is refused either way.
  const std::optional<double> number = double_from_number(text);
  if (!number) return std::nullopt;
  return DoubleText{*number};
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
