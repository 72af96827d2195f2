// Span records are reused instead of freed: each thread keeps a small cache, refilled from and
// spilled to one shared pool in chunks, so starting a span allocates nothing in the steady state
// and takes the shared pool's lock only once per chunk.
#pragma once

#include <vector>

#include "trace/span_record.h"

namespace weft::detail {

SpanRecord* acquire_record();
// Clears the record and keeps it for reuse (by the calling thread first).
void recycle_record(SpanRecord* record) noexcept;
// The same for a record with no attributes, events, links, status message or trace state (one
// copied into a queue slot): only its scalars need resetting.
void recycle_plain_record(SpanRecord* record) noexcept;
// Clears records and hands them to the shared pool, touching no thread state (for thread exit).
void release_records(std::vector<SpanRecord*>& records) noexcept;

}  // namespace weft::detail
