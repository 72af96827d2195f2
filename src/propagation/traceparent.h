// Writing a `traceparent` value into a caller's buffer, so the propagator can inject it without
// building a std::string.
#pragma once

#include <cstddef>

#include "weft/span_context.h"

namespace weft::detail {

inline constexpr std::size_t kTraceparentLength = 55;  // "00-" 32 "-" 16 "-" 2

// Writes "00-<trace-id>-<span-id>-<flags>": exactly kTraceparentLength characters, no terminator.
// Only the flags defined so far (sampled, random) are written. The context must be valid.
void write_traceparent(const SpanContext& context, char* out) noexcept;

}  // namespace weft::detail
