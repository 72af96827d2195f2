// A span while it is being recorded: the exported SpanData plus what the SDK needs to finish it.
// Records are recycled through record_pool.h, so their vectors and strings keep their capacity.
#pragma once

#include <algorithm>

#include "runtime/clock.h"
#include "trace/attribute_bytes.h"
#include "trace/event_bytes.h"
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
  // Whether the span's attributes are kept in `attribute_bytes` (and `attributes` stays empty),
  // and its events in `event_bytes` (and `events` stays empty): set at the start of a span whose
  // only processor is a batch processor, which copies the bytes into its queue as they are
  // (attribute_bytes.h, event_bytes.h). Each is cleared when an array value comes (as an
  // attribute, or one of an event's): settle_*_bytes() then moves the bytes into the vector. A
  // span queued as its record has both moved by the export thread.
  bool attributes_as_bytes = false;
  bool events_as_bytes = false;
  // The span has ended at "now" but `end_time_unix_nano` is not read yet: set by Span::end() when
  // the one processor is a batch processor, which reads the clock only once it has room for the
  // span (settle_end_time), so that a span dropped from a full queue costs no clock read. True only
  // from that end() until the processor claims a slot (and reads the clock) or drops the span.
  bool end_time_pending = false;
  AttributeBytes attribute_bytes;
  EventBytes event_bytes;
  // Where an event's attributes are put under the event limits before the event is added to
  // `event_bytes`. The record's, not the thread's: a span may record while its thread exits, after
  // the thread's own thread_local objects are gone.
  AttributeBytes next_event_attributes;
};

// The span's own attributes so far, in whichever form the record keeps them.
inline std::size_t own_attribute_count(const SpanRecord& record) noexcept {
  return record.attributes_as_bytes ? record.attribute_bytes.count() : record.attributes.size();
}

// Reads the end time of a span that ended with it pending (see end_time_pending): now, and never
// before the span's start (the span clock's calibration may move by a few nanoseconds).
inline void settle_end_time(SpanRecord& record) noexcept {
  if (!record.end_time_pending) return;
  record.end_time_unix_nano = std::max(now_unix_nano(), record.start_time_unix_nano);
  record.end_time_pending = false;
}

// Move what a record kept as bytes into its vectors, for good. Each throws std::bad_alloc only,
// and then changes nothing.
inline void settle_attribute_bytes(SpanRecord& record) {
  if (!record.attributes_as_bytes) return;
  record.attribute_bytes.move_to(record.attributes);
  record.attributes_as_bytes = false;
}
inline void settle_event_bytes(SpanRecord& record) {
  if (!record.events_as_bytes) return;
  record.event_bytes.move_to(record.events);
  record.events_as_bytes = false;
}

}  // namespace weft::detail
