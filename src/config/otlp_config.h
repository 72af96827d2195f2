// OTEL_EXPORTER_OTLP_* (and their OTEL_EXPORTER_OTLP_TRACES_* forms) -> OtlpHttpOptions. A bad
// value adds a warning that names the variable, and the default is used instead.
#pragma once

#include <string>
#include <vector>

#include "weft/config.h"
#include "weft/otlp_exporter.h"

namespace weft::detail {

OtlpHttpOptions otlp_options_from_environment(const Environment& environment,
                                              std::vector<std::string>& warnings);

// The URL for OTEL_EXPORTER_OTLP_ENDPOINT's value: "/v1/traces" appended to the base URL.
std::string traces_url_from_base(std::string_view base);

}  // namespace weft::detail
