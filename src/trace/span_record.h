// A span while it is being recorded: the exported SpanData plus what the SDK needs to finish it.
// Records are recycled through record_pool.h, so their vectors and strings keep their capacity.
#pragma once

#include "trace/attribute_bytes.h"
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
  // Whether the span's attributes are kept in `attribute_bytes` (and `attributes` stays empty):
  // set at the start of a span whose only processor is a batch processor, which copies the bytes
  // into its queue as they are (attribute_bytes.h). Cleared when the span is given an array value
  // or is queued as its record: settle_attribute_bytes() then moves them into `attributes`.
  bool attributes_as_bytes = false;
  AttributeBytes attribute_bytes;
};

// Moves the attributes of a record that kept them as bytes into its `attributes`, for good.
// Throws std::bad_alloc only, and then changes nothing.
inline void settle_attribute_bytes(SpanRecord& record) {
  if (!record.attributes_as_bytes) return;
  record.attribute_bytes.move_to(record.attributes);
  record.attributes_as_bytes = false;
}

}  // namespace weft::detail
