// A span while it is being recorded: the exported SpanData plus what the SDK needs to finish it.
// Records are recycled through record_pool.h, so their vectors and strings keep their capacity.
#pragma once

#include "weft/span_data.h"

namespace weft::detail {

struct TracerState;

struct SpanRecord final : SpanData {
  const TracerState* tracer = nullptr;
  // The process that started the span. A fork()ed child holds a copy of every span open at the
  // fork; the parent's copy is the one that ends and is exported, the child's is discarded.
  std::int32_t owner_pid = 0;
  // Which thread name `thread_name` holds (ThreadState::thread_name_serial); 0 when unknown. A
  // recycled record keeps its name, so the start path copies the name only when this differs.
  std::uint64_t thread_name_serial = 0;
};

}  // namespace weft::detail
