#include "export/retry_policy.h"

#include <time.h>

#include <algorithm>
#include <string>

#include "config/env_values.h"

namespace weft::detail {

bool is_retryable_status(long status) noexcept {
  return status == 0 || status == 429 || status == 502 || status == 503 || status == 504;
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) noexcept {
  value = trim(value);
  if (auto seconds = parse_unsigned(value)) {
    if (*seconds > 86400) return std::chrono::hours(24);  // no sane server asks for more
    return std::chrono::seconds(*seconds);
  }
  // HTTP-date, e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
  try {
    std::tm parts{};
    const std::string text(value);
    const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
    if (end == nullptr || *end != '\0') return std::nullopt;
    const auto when = std::chrono::system_clock::from_time_t(timegm(&parts));
    if (when <= now) return std::chrono::milliseconds(0);
    return std::chrono::duration_cast<std::chrono::milliseconds>(when - now);
  } catch (...) {
    return std::nullopt;
  }
}

std::chrono::milliseconds backoff_delay(unsigned retry, std::chrono::milliseconds initial,
                                        std::chrono::milliseconds max,
                                        double random_unit) noexcept {
  std::chrono::milliseconds delay = initial;
  for (unsigned step = 0; step < retry && delay < max; ++step) delay *= 2;
  delay = std::min(delay, max);
  const double factor = 0.5 + 0.5 * std::clamp(random_unit, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(delay.count() * factor));
}

}  // namespace weft::detail
