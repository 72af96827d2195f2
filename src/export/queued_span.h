// A finished span waiting in a batch processor's queue, in one 128-byte slot (two cache lines).
//
// Most spans are plain: no attributes beyond thread.id/thread.name, no events or links, no status
// message, no trace state and a short name. Such a span is copied into the slot, so its record is
// reused at once, still warm in the cache, by the thread that ended it, and a queued span costs
// 128 bytes. The export thread turns slots back into SpanData for the exporter. Any other span
// keeps its record: the slot then only points at it, and the export thread recycles it.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "trace/span_record.h"

namespace weft::detail {

struct alignas(64) QueuedSpan {
  static constexpr std::size_t kInlineName = 34;

  // Set for a span that did not fit: everything else is unused.
  SpanRecord* record;
  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;
  std::uint64_t start_time_unix_nano;
  std::uint64_t end_time_unix_nano;
  const InstrumentationScope* scope;
  const Resource* resource;
  std::int64_t thread_id;
  // Owned by the queue the slot is in (see SpanRing::thread_name_for), so it outlives the slot.
  const std::string* thread_name;
  TraceFlags flags;
  SpanKind kind;
  StatusCode status_code;
  bool parent_is_remote;
  bool trace_is_remote;
  std::uint8_t name_length;
  char name[kInlineName];
};
static_assert(sizeof(QueuedSpan) == 128, "a queued span is two cache lines");

// Whether `record` is plain enough to be copied into a slot.
inline bool fits_in_slot(const SpanRecord& record) noexcept {
  return record.name.size() <= QueuedSpan::kInlineName && record.attributes.empty() &&
         record.events.empty() && record.links.empty() && record.status.message.empty() &&
         record.context.trace_state.empty() && record.dropped_attributes_count == 0 &&
         record.dropped_events_count == 0 && record.dropped_links_count == 0;
}

// Copies a plain record (fits_in_slot) into `slot`. `thread_name` equals record.thread_name.
inline void copy_into_slot(const SpanRecord& record, const std::string* thread_name,
                           QueuedSpan& slot) noexcept {
  slot.record = nullptr;
  slot.trace_id = record.context.trace_id;
  slot.span_id = record.context.span_id;
  slot.parent_span_id = record.parent_span_id;
  slot.start_time_unix_nano = record.start_time_unix_nano;
  slot.end_time_unix_nano = record.end_time_unix_nano;
  slot.scope = record.scope;
  slot.resource = record.resource;
  slot.thread_id = record.thread_id;
  slot.thread_name = thread_name;
  slot.flags = record.context.flags;
  slot.kind = record.kind;
  slot.status_code = record.status.code;
  slot.parent_is_remote = record.parent_is_remote;
  slot.trace_is_remote = record.context.is_remote;
  slot.name_length = static_cast<std::uint8_t>(record.name.size());
  std::memcpy(slot.name, record.name.data(), record.name.size());
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
  out.thread_id = slot.thread_id;
  out.thread_name.assign(*slot.thread_name);
  out.scope = slot.scope;
  out.resource = slot.resource;
}

}  // namespace weft::detail
