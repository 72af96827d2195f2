// The propagator named by an OTEL_PROPAGATORS value.
#pragma once

#include <memory>
#include <string_view>

#include "weft/propagation.h"

namespace weft::detail {

// Unknown names are skipped with one warning each; "none" gives a propagator that does nothing.
std::shared_ptr<const Propagator> make_propagator_from_env_value(std::string_view value);

}  // namespace weft::detail
