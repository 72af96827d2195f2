// The span processors of weft itself (batch, simple, relay, multi). They read what a span holds and
// never change its thread identity, so the span path may trust a recycled record's thread name by
// its serial number instead of comparing the text (see TracerState and record_pool).
#pragma once

#include "weft/processor.h"

namespace weft::detail {

class BuiltinProcessor : public SpanProcessor {};

}  // namespace weft::detail
