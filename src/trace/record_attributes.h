// Setting an attribute of a span being recorded, under the span limits, wherever its record keeps
// its attributes (as bytes or as a vector: see SpanRecord::attributes_as_bytes).
#pragma once

#include <string_view>

#include "trace/span_record.h"
#include "weft/config.h"

namespace weft::detail {

// Any value: a scalar or a string goes where the record keeps its attributes; an array value
// first moves any kept as bytes into the vector, which keeps them all from then on.
void put_record_attribute(SpanRecord& record, std::string_view key, AttributeValue value,
                          const SpanLimits& limits);

}  // namespace weft::detail
