// A finished span waiting in a batch processor's queue, in one 112-byte slot.
//
// A span is copied into the queue, so its record is reused at once, still warm in the cache, by
// the thread that ended it: its fixed fields and a name of up to 32 bytes go into its slot, and
// anything else it has (attributes, events, a status message, a longer name) into the slots that
// follow (span_extension.h). A plain span costs one slot. The export thread turns slots back into
// SpanData for the exporter. A span with links or array values keeps its record:
// the slot then only points at it, and the export thread recycles it.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "runtime/short_text.h"
#include "sdk/provider_state.h"
#include "trace/span_record.h"

namespace weft::detail {

// The thread that started a queued span. A queue keeps one per thread (and name) it has seen, for
// its whole life, so a slot holds a pointer instead of the id and the name.
struct QueuedThread {
  std::int64_t id;
  std::string name;
};

struct alignas(16) QueuedSpan {
  static constexpr std::size_t kInlineName = 32;
  // name_length of a span whose name is in its extension.
  static constexpr std::uint8_t kNameInExtension = 0xff;

  // Set for a span that did not fit: everything else is unused.
  SpanRecord* record;
  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;
  std::uint64_t start_time_unix_nano;
  std::uint64_t end_time_unix_nano;
  // The span's scope and resource are its tracer's (fits_in_slot checks it).
  const TracerState* tracer;
  const QueuedThread* thread;  // owned by the queue the slot is in
  TraceFlags flags;
  SpanKind kind;
  StatusCode status_code;
  bool parent_is_remote;
  bool trace_is_remote;
  std::uint8_t name_length;
  std::uint16_t extension_slots;  // slots after this one that hold the span's other parts
  char name[kInlineName];
};
static_assert(sizeof(QueuedSpan) == 112, "a queued span is 112 bytes");

// A run of queue slots seen as bytes (a span's extension): `first` is the index of its first
// slot, counted modulo the segment (mask + 1 slots), so a run may wrap around a segment's end.
struct SlotRun {
  QueuedSpan* slots;
  std::size_t mask;
  std::size_t first;
};

// Whether the span's scope and resource are its tracer's, which a slot keeps as the tracer.
inline bool slot_can_hold_origin(const SpanRecord& record) noexcept {
  return record.tracer != nullptr && record.scope == &record.tracer->scope &&
         record.resource == &record.tracer->provider->config.resource;
}

// Whether `record` is plain: it fits in one slot, with nothing in the slots after it.
inline bool fits_in_slot(const SpanRecord& record) noexcept {
  return record.name.size() <= QueuedSpan::kInlineName && record.attributes.empty() &&
         record.attribute_bytes.empty() && record.events.empty() && record.event_bytes.empty() &&
         record.links.empty() && record.status.message.empty() &&
         record.context.trace_state.empty() && record.dropped_attributes_count == 0 &&
         record.dropped_events_count == 0 && record.dropped_links_count == 0 &&
         slot_can_hold_origin(record);
}

// Copies the fixed fields of `record` into `slot`, followed by `extension_slots` slots of its
// other parts (written by write_extension). `thread` has the record's thread id and name.
inline void copy_into_slot(const SpanRecord& record, const QueuedThread* thread,
                           std::size_t extension_slots, QueuedSpan& slot) noexcept {
  slot.record = nullptr;
  slot.trace_id = record.context.trace_id;
  slot.span_id = record.context.span_id;
  slot.parent_span_id = record.parent_span_id;
  slot.start_time_unix_nano = record.start_time_unix_nano;
  slot.end_time_unix_nano = record.end_time_unix_nano;
  slot.tracer = record.tracer;
  slot.thread = thread;
  slot.flags = record.context.flags;
  slot.kind = record.kind;
  slot.status_code = record.status.code;
  slot.parent_is_remote = record.parent_is_remote;
  slot.trace_is_remote = record.context.is_remote;
  slot.extension_slots = static_cast<std::uint16_t>(extension_slots);
  const std::size_t name_size = record.name.size();
  if (name_size <= QueuedSpan::kInlineName) {
    slot.name_length = static_cast<std::uint8_t>(name_size);
    copy_short_text(record.name.data(), name_size, slot.name);
  } else {
    slot.name_length = QueuedSpan::kNameInExtension;
  }
}

// Rebuilds the fixed fields of a copied slot in `out`, a SpanData reused from batch to batch (its
// strings and vectors keep their capacity). A slot with no extension also empties what an
// extension would have filled; read_extension() fills it otherwise.
inline void copy_from_slot(const QueuedSpan& slot, SpanData& out) {
  out.context.trace_id = slot.trace_id;
  out.context.span_id = slot.span_id;
  out.context.flags = slot.flags;
  out.context.is_remote = slot.trace_is_remote;
  out.parent_span_id = slot.parent_span_id;
  out.parent_is_remote = slot.parent_is_remote;
  // A batch's SpanData are reused, and most spans have the name and the thread of the span that
  // used the same SpanData last time: comparing costs less than assigning.
  if (slot.name_length != QueuedSpan::kNameInExtension) {
    const std::string_view name(slot.name, slot.name_length);
    if (!same_text(out.name, name)) out.name.assign(name);
  }
  out.kind = slot.kind;
  out.start_time_unix_nano = slot.start_time_unix_nano;
  out.end_time_unix_nano = slot.end_time_unix_nano;
  out.status.code = slot.status_code;
  out.thread_id = slot.thread->id;
  if (!same_text(out.thread_name, slot.thread->name)) out.thread_name.assign(slot.thread->name);
  out.scope = &slot.tracer->scope;
  out.resource = &slot.tracer->provider->config.resource;
  if (slot.extension_slots == 0) {
    out.attributes.clear();
    out.dropped_attributes_count = 0;
    out.events.clear();
    out.dropped_events_count = 0;
    out.status.message.clear();
    out.context.trace_state = TraceState();
  }
}

}  // namespace weft::detail
