#include "export/span_ring.h"

#include <algorithm>
#include <new>
#include <utility>

#include "diagnostics/counters.h"
#include "trace/record_pool.h"

namespace weft::detail {
namespace {

// The largest power of two not above `value` (at least 1).
std::size_t round_down_to_power_of_two(std::size_t value) {
  std::size_t result = 1;
  while (result <= value / 2) result <<= 1;
  return result;
}

}  // namespace

// Slots are left uninitialized: a slot is written in full by the producer before it is published.
// A failed allocation leaves `slots` null (the caller checks).
SpanRing::Segment::Segment(std::size_t slot_count)
    : capacity(slot_count), mask(slot_count - 1), slots(new (std::nothrow) QueuedSpan[slot_count]) {}

SpanRing::SpanRing(std::size_t limit, std::weak_ptr<ProducerExitListener> listener)
    : limit_(limit < 1 ? 1 : limit), listener_(std::move(listener)) {
  const std::size_t first = round_down_to_power_of_two(std::min(limit_, kFirstSegment));
  auto segment = std::make_unique<Segment>(first);
  if (segment->slots == nullptr) throw std::bad_alloc();
  producing_ = consuming_ = segment.release();
  allocated_slots_.store(first, std::memory_order_relaxed);
}

void SpanRing::mark_producer_gone() noexcept {
  producer_gone_.store(true, std::memory_order_release);
  if (consumer_gone()) return;
  if (const std::shared_ptr<ProducerExitListener> listener = listener_.lock()) {
    listener->producer_exited();
  }
}

SpanRing::~SpanRing() {
  std::vector<SpanRecord*> records;
  const std::size_t stranded = consume(limit_, [&](const QueuedSpan& slot, const SlotRun&) {
    if (slot.record != nullptr) records.push_back(slot.record);
  });
  for (Segment* segment = consuming_; segment != nullptr;) {
    Segment* next = segment->next.load(std::memory_order_acquire);
    delete segment;
    segment = next;
  }
  if (stranded == 0) return;
  count(counters().spans_dropped_after_shutdown, stranded);
  release_records(records);
}

// The producer's segment has no room for `count` more slots. A new one, twice its size but no
// bigger than the room left under the limit (yet big enough for `count`), takes the span; the
// consumer frees the old one once it has drained it.
// Memory, for spans of one slot: every segment but the oldest (which the consumer may have partly
// drained) is full or is the producer's, and the producer's was sized to the room left by all the
// others' waiting spans, so the slots allocated never exceed the oldest segment plus the limit:
// twice the limit. (When the consumer keeps up, below, the new segment and the full one are at
// most the limit each, with one drained segment the consumer has yet to free: for that moment, up
// to three times the limit.) A span with an extension takes up to 1 + kMaxExtensionSlots slots.
QueuedSpan* SpanRing::claim_in_new_segment(std::size_t count) noexcept {
  cached_consumed_ = consumed_.load(std::memory_order_acquire);
  const std::size_t waiting = produced_ - cached_consumed_;
  if (waiting >= limit_) return nullptr;
  // Room for the spans still allowed, each the size of this one: a plain span takes one slot, so
  // does every span of a thread that has only plain ones, and the bound below holds for it. A
  // thread whose spans take several slots gets segments that hold as many spans, or it would
  // allocate a new segment for every few it queues.
  // When the full segment has been drained and refilled (it wrapped around) and holds every span
  // waiting, the consumer keeps up: the segment filled in the time one export took to start. Then
  // the new segment may take the whole limit, so that it is the last: a queue that fills to the
  // same backlog after every export would otherwise allocate (and page in) a new segment every
  // few thousand spans. A queue filled from empty keeps to the room left.
  const bool consumer_keeps_up =
      producing_->tail.load(std::memory_order_relaxed) > producing_->capacity &&
      waiting * count <= producing_->capacity;
  const std::size_t room = round_down_to_power_of_two(
      std::min((consumer_keeps_up ? limit_ : limit_ - waiting) * count, kMaxSegmentSlots));
  std::size_t capacity = std::min(2 * producing_->capacity, room);
  while (capacity < count) capacity *= 2;
  auto* segment = new (std::nothrow) Segment(capacity);
  if (segment == nullptr || segment->slots == nullptr) {  // out of memory: the span is dropped
    delete segment;
    return nullptr;
  }
  allocated_slots_.fetch_add(capacity, std::memory_order_relaxed);
  ++segments_added_;
  // Release: the consumer that sees `next` sees every span published into the full segment.
  producing_->next.store(segment, std::memory_order_release);
  producing_ = segment;
  cached_head_ = 0;
  return &segment->slots[0];
}

// The consumer's segment looks empty. If the producer has moved on from it, spans it published
// there before are visible now: drain them first; once none are left, free the segment.
bool SpanRing::move_past_drained_segment() noexcept {
  Segment* segment = consuming_;
  Segment* next = segment->next.load(std::memory_order_acquire);
  if (next == nullptr) return false;
  if (segment->tail.load(std::memory_order_acquire) !=
      segment->head.load(std::memory_order_relaxed)) {
    return true;
  }
  consuming_ = next;
  allocated_slots_.fetch_sub(segment->capacity, std::memory_order_relaxed);
  delete segment;
  return true;
}

std::size_t SpanRing::size() const noexcept {
  std::size_t waiting = 0;
  for (const Segment* segment = consuming_; segment != nullptr;
       segment = segment->next.load(std::memory_order_acquire)) {
    waiting += segment->tail.load(std::memory_order_acquire) -
               segment->head.load(std::memory_order_relaxed);
  }
  return waiting;
}

const QueuedThread* SpanRing::thread_for(std::int64_t id, const std::string& name) {
  last_thread_serial_ = 0;
  const auto same = [&](const QueuedThread& known) { return known.id == id && known.name == name; };
  if (!threads_.empty() && same(*threads_.back())) return threads_.back().get();
  // Renamed (or spans started on other threads): reuse one seen before, so the list stays as
  // short as the set of threads and names, then make it the last one.
  for (auto& known : threads_) {
    if (same(*known)) {
      std::swap(known, threads_.back());
      return threads_.back().get();
    }
  }
  // Spans started on many threads and ended on this one: beyond a few, they are queued as their
  // records instead, so the list (kept for the queue's life) and its scan stay short.
  if (threads_.size() >= kMaxThreads) return nullptr;
  threads_.push_back(std::make_unique<const QueuedThread>(QueuedThread{id, name}));
  return threads_.back().get();
}

}  // namespace weft::detail
