// Several processors behind one: each receives every span (all but the last get a copy).
#pragma once

#include <memory>
#include <vector>

#include "weft/processor.h"

namespace weft::detail {

std::shared_ptr<SpanProcessor> combine_processors(
    std::vector<std::shared_ptr<SpanProcessor>> processors);

}  // namespace weft::detail
