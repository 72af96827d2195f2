// The propagator named by an OTEL_PROPAGATORS value; propagation::global() builds it once.
#pragma once

#include <memory>
#include <string_view>

#include "weft/propagation.h"

namespace weft::detail {

// `value` is a comma-separated list of names, matched case-insensitively, repeated names used
// once. Empty (or only commas and spaces) means unset: "tracecontext,baggage". "none" gives a
// propagator that does nothing. Names weft does not support (b3, jaeger, xray, ...) are skipped
// with one warning each. Never returns null.
std::shared_ptr<const Propagator> make_propagator_from_env_value(std::string_view value);

}  // namespace weft::detail
