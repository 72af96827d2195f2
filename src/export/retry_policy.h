// When the OTLP exporter tries again: the retryable answers of the OTLP/HTTP specification,
// exponential backoff with jitter, and the server's Retry-After.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace weft::detail {

// 429, 502, 503 and 504, and no response at all (status 0: refused, reset, timed out).
bool is_retryable_status(long status) noexcept;

// Retry-After as delay-seconds or an HTTP-date (relative to `now`); nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) noexcept;

// The wait before retry number `retry` (0 for the first): initial * 2^retry capped at `max`, then
// scaled by a factor in [0.5, 1] taken from `random_unit` (in [0, 1)), so that many exporters
// failing together do not retry in step.
std::chrono::milliseconds backoff_delay(unsigned retry, std::chrono::milliseconds initial,
                                        std::chrono::milliseconds max, double random_unit) noexcept;

}  // namespace weft::detail
