// A span while it is being recorded: the exported SpanData plus what the SDK needs to finish it.
// Records are recycled through record_pool.h, so their vectors and strings keep their capacity.
#pragma once

#include "weft/span_data.h"

namespace weft::detail {

struct TracerState;

struct SpanRecord final : SpanData {
  const TracerState* tracer = nullptr;
};

}  // namespace weft::detail
