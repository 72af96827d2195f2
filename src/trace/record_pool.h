// Span records are reused instead of freed: each thread keeps a small cache, refilled from and
// spilled to one shared pool in chunks, so starting a span allocates nothing in the steady state
// and takes the shared pool's lock only once per chunk.
#pragma once

#include <vector>

#include "runtime/thread_state.h"
#include "trace/span_record.h"

namespace weft::detail {

SpanRecord* acquire_record_slowly();
void keep_record_slowly(SpanRecord* record) noexcept;
constexpr std::size_t kRecordCacheLimit = 256;  // records a thread keeps before spilling

// A record from the calling thread's cache (inline: the span path's common case is a pop).
inline SpanRecord* acquire_record() {
  std::vector<SpanRecord*>& cache = thread_state().free_records;
  if (__builtin_expect(cache.empty(), 0)) return acquire_record_slowly();
  SpanRecord* record = cache.back();
  cache.pop_back();
  return record;
}

// Clears the record and keeps it for reuse (by the calling thread first). A kept record keeps its
// attributes and events in the vector form (SpanRecord::attributes_as_bytes): a span start sets
// its own form, and the relay hub and the multi-processor, which fill records otherwise, need
// that one.
void recycle_record(SpanRecord* record) noexcept;
// The same for a record with no attributes, events, links, status message or trace state (one
// copied into a queue slot): only its status code, form and pending end need resetting (every
// start sets the rest).
inline void recycle_plain_record(SpanRecord* record) noexcept {
  record->status.code = StatusCode::kUnset;
  record->attributes_as_bytes = false;
  record->events_as_bytes = false;
  record->end_time_pending = false;
  std::vector<SpanRecord*>& cache = thread_state().free_records;
  // Within capacity, a push cannot throw or allocate.
  if (__builtin_expect(cache.size() < cache.capacity() && cache.size() < kRecordCacheLimit, 1)) {
    cache.push_back(record);
  } else {
    keep_record_slowly(record);
  }
}
// Clears records and hands them to the shared pool, touching no thread state (for thread exit).
void release_records(std::vector<SpanRecord*>& records) noexcept;

}  // namespace weft::detail
