// What a finished span has beyond a queue slot's fixed fields (attributes, events, a status
// message, a trace state, a long name, dropped counts), written as bytes into the slots that
// follow its own.
//
// A span with attributes used to be queued as its record: the export thread read it, cleared it
// and handed it back through the shared pool, and the next span that took it wrote into memory
// last touched by another core. That round trip was half the cost of a span with four attributes
// and an event. Written into the queue instead, the record stays with its thread, warm, and the
// export thread rebuilds the span from the bytes. Spans with links, array values or a trace state
// too long for its 512-character header are rare enough to keep the record path.
#pragma once

#include <cstddef>
#include <cstdint>

#include "export/queued_span.h"

namespace weft::detail {

// At most this many slots follow a span (1.8 KB); a span needing more is queued as its record.
// It bounds a queue's memory: spans waiting, times 1 + this, 112 bytes each.
constexpr std::size_t kMaxExtensionSlots = 16;

// The slots `record`'s extension needs (0 when it has none), or kQueueAsRecord when it cannot be
// written (links, array values, a shortened trace state, more than kMaxExtensionSlots).
constexpr std::size_t kQueueAsRecord = ~std::size_t{0};
std::size_t extension_slots_for(const SpanRecord& record) noexcept;

// Writes the extension of a record that extension_slots_for() sized at `slots` slots, from `run`'s
// first slot on.
void write_extension(const SpanRecord& record, const SlotRun& run, std::size_t slots) noexcept;

// Reads it back from the `slots` slots of `run` into `out` (a SpanData reused from batch to batch), replacing its attributes,
// events, status message, trace state and dropped counts, and its name when the slot did not hold
// it. Throws std::bad_alloc only.
void read_extension(const SlotRun& run, std::size_t slots, SpanData& out);

}  // namespace weft::detail
