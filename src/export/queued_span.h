// A finished span waiting in a batch processor's queue, in one 112-byte slot.
//
// Most spans are plain: no attributes beyond thread.id/thread.name, no events or links, no status
// message, no trace state and a short name. Such a span is copied into the slot, so its record is
// reused at once, still warm in the cache, by the thread that ended it, and a queued span costs
// 112 bytes. The export thread turns slots back into SpanData for the exporter. Any other span
// keeps its record: the slot then only points at it, and the export thread recycles it.
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
  static constexpr std::size_t kInlineName = 34;

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
  char name[kInlineName];
};
static_assert(sizeof(QueuedSpan) == 112, "a queued span is 112 bytes");

// Whether `record` is plain enough to be copied into a slot.
inline bool fits_in_slot(const SpanRecord& record) noexcept {
  return record.name.size() <= QueuedSpan::kInlineName && record.attributes.empty() &&
         record.events.empty() && record.links.empty() && record.status.message.empty() &&
         record.context.trace_state.empty() && record.dropped_attributes_count == 0 &&
         record.dropped_events_count == 0 && record.dropped_links_count == 0 &&
         record.tracer != nullptr && record.scope == &record.tracer->scope &&
         record.resource == &record.tracer->provider->config.resource;
}

// Copies a plain record (fits_in_slot) into `slot`. `thread` has the record's thread id and name.
inline void copy_into_slot(const SpanRecord& record, const QueuedThread* thread,
                           QueuedSpan& slot) noexcept {
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
  const std::size_t name_size = record.name.size();
  slot.name_length = static_cast<std::uint8_t>(name_size);
  copy_short_text(record.name.data(), name_size, slot.name);
}

// Rebuilds the span of a copied slot in `out`, a SpanData reused from batch to batch (its strings
// keep their capacity; its vectors are empty, as plain spans have none).
inline void copy_from_slot(const QueuedSpan& slot, SpanData& out) {
  out.context.trace_id = slot.trace_id;
  out.context.span_id = slot.span_id;
  out.context.flags = slot.flags;
  out.context.is_remote = slot.trace_is_remote;
  out.parent_span_id = slot.parent_span_id;
  out.parent_is_remote = slot.parent_is_remote;
  out.name.assign(slot.name, slot.name_length);
  out.kind = slot.kind;
  out.start_time_unix_nano = slot.start_time_unix_nano;
  out.end_time_unix_nano = slot.end_time_unix_nano;
  out.status.code = slot.status_code;
  out.thread_id = slot.thread->id;
  out.thread_name.assign(slot.thread->name);
  out.scope = &slot.tracer->scope;
  out.resource = &slot.tracer->provider->config.resource;
}

}  // namespace weft::detail
