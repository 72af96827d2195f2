#include "config/env_values.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace weft::detail {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      decoded.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hex_value(text[i + 1]);
    const int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    decoded.push_back(static_cast<char>((high << 4) | low));
    i += 2;
  }
  return decoded;
}


std::string_view trim(std::string_view text) noexcept {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string to_lower(std::string_view text) {
  std::string lowered(text);
  for (char& c : lowered) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lowered;
}

std::optional<bool> parse_bool(std::string_view text) {
  const std::string value = to_lower(trim(text));
  if (value == "true") return true;
  if (value == "false") return false;
  return std::nullopt;
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  text = trim(text);
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::chrono::milliseconds timeout_from_milliseconds(std::uint64_t milliseconds) noexcept {
  const auto limit = static_cast<std::uint64_t>(kIndefiniteTimeout.count());
  if (milliseconds == 0 || milliseconds > limit) return kIndefiniteTimeout;
  return std::chrono::milliseconds(static_cast<std::int64_t>(milliseconds));
}

std::optional<double> parse_double(std::string_view text) {
  const std::string value(trim(text));
  if (value.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double parsed = std::strtod(value.c_str(), &end);
  if (end != value.c_str() + value.size() || errno != 0 || !std::isfinite(parsed)) {
    return std::nullopt;
  }
  return parsed;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_key_value_list(
    std::string_view text) {
  std::vector<std::pair<std::string, std::string>> members;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view member = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (member.empty()) continue;
    const std::size_t equals = member.find('=');
    if (equals == std::string_view::npos) return std::nullopt;
    const std::string_view key = trim(member.substr(0, equals));
    if (key.empty()) return std::nullopt;
    auto value = percent_decode(trim(member.substr(equals + 1)));
    if (!value) return std::nullopt;
    auto decoded_key = percent_decode(key);
    if (!decoded_key) return std::nullopt;
    members.emplace_back(std::move(*decoded_key), std::move(*value));
  }
  return members;
}

std::vector<std::string> parse_name_list(std::string_view text) {
  std::vector<std::string> names;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view name = trim(text.substr(0, comma));
    if (!name.empty()) names.push_back(to_lower(name));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return names;
}

}  // namespace weft::detail
