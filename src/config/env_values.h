// Parsing the values of OTEL_* environment variables. Each parser returns nullopt for a value it
// cannot accept, so the caller can warn with the variable's name and fall back to the default.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::detail {

std::string_view trim(std::string_view text) noexcept;
std::string to_lower(std::string_view text);

// Decodes %XX escapes (either case); nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);
// "true"/"false", case-insensitive (the OpenTelemetry specification's boolean).
std::optional<bool> parse_bool(std::string_view text);
// A non-negative decimal integer that fits in 64 bits.
std::optional<std::uint64_t> parse_unsigned(std::string_view text);
// The value of a Timeout variable (OTEL_BSP_EXPORT_TIMEOUT, OTEL_EXPORTER_OTLP_TIMEOUT), in
// milliseconds. The specification: "Implementations SHOULD interpret timeout zero values ... as
// indefinite" and MAY substitute the largest number of milliseconds a 32-bit integer holds (about
// 24.8 days), which is what 0 becomes here; longer values are capped there too.
inline constexpr std::chrono::milliseconds kIndefiniteTimeout{INT32_MAX};
std::chrono::milliseconds timeout_from_milliseconds(std::uint64_t milliseconds) noexcept;
// A finite decimal number.
std::optional<double> parse_double(std::string_view text);
// "key1=value1,key2=value2" with percent-encoded values (OTEL_RESOURCE_ATTRIBUTES,
// OTEL_EXPORTER_OTLP_HEADERS). nullopt when any member is malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_key_value_list(
    std::string_view text);
// The comma-separated names of a list variable (OTEL_TRACES_EXPORTER, OTEL_PROPAGATORS), trimmed
// and lowercased, empty names skipped.
std::vector<std::string> parse_name_list(std::string_view text);

}  // namespace weft::detail
