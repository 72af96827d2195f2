// A bounded single-producer/single-consumer queue of finished spans: the producer is the thread
// that ends spans, the consumer a batch processor's export thread. Spans are stored in the queue's
// own slots (queued_span.h): a plain span in one, a span with attributes or events in its own and
// the few after it (span_extension.h), so queuing shares no record between threads. Pushing is a
// few relaxed loads, the slots' stores and a release store; no lock, no shared counter. The limit
// counts spans, whatever their slots.
//
// The queue grows with its backlog: it starts as one small segment (kFirstSegment slots, 7 KB),
// and when a segment is full the producer links a new one twice its size and moves on, up to the
// queue's limit of spans waiting. The consumer frees a segment once it has drained it and the
// producer has moved on. A thread that ends few spans between two exports keeps a small queue; a
// busy one grows to its limit in a few steps. (A queue allocated whole had every busy thread
// paying the full limit, 224 KB at the default, however few spans it ever had waiting.) The
// spans waiting never exceed the limit; for plain spans, the slots allocated stay under twice the
// limit (an old segment the consumer is still draining, and the new ones sized to the room left).
// Spans of several slots (at most 1 + kMaxExtensionSlots) get segments as many times larger, at
// most kMaxSegmentSlots each, so the bound grows by their slots per span (17 at most).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "export/queued_span.h"
#include "runtime/prefetch.h"

namespace weft::detail {

// The consumer's side of a producer's exit: told when the thread that filled a queue has exited,
// so that the queue (7 KB at least) can be drained and freed soon, not only at the next scheduled
// export. A program that starts a thread per request exits thousands of them a second.
class ProducerExitListener {
 public:
  virtual void producer_exited() noexcept = 0;

 protected:
  ~ProducerExitListener() = default;
};

class SpanRing {
 public:
  // The first segment's slots (fewer if the limit is lower).
  static constexpr std::size_t kFirstSegment = 64;
  // The largest segment (14.7 MB), for spans of several slots.
  static constexpr std::size_t kMaxSegmentSlots = std::size_t{1} << 17;

  // At most `limit` spans wait (at least 1). `listener`, when it still exists, hears of the
  // producer's exit.
  explicit SpanRing(std::size_t limit, std::weak_ptr<ProducerExitListener> listener = {});
  // Spans still queued when both sides are gone were never exported: counted, then recycled.
  ~SpanRing();
  SpanRing(const SpanRing&) = delete;
  SpanRing& operator=(const SpanRing&) = delete;

  // Producer side: room for one span in `count` slots (its own and the extension's, see
  // span_extension.h), or null when `limit` spans wait (the caller drops the span). Returns the
  // span's own slot; extension_run() gives the others. The span is queued by publish().
  QueuedSpan* claim(std::size_t count = 1) noexcept {
    Segment& segment = *producing_;
    const std::size_t tail = segment.tail.load(std::memory_order_relaxed);
    if (tail + count - cached_head_ > segment.capacity) {
      cached_head_ = segment.head.load(std::memory_order_acquire);
      if (tail + count - cached_head_ > segment.capacity) return claim_in_new_segment(count);
    }
    if (produced_ - cached_consumed_ >= limit_) {
      cached_consumed_ = consumed_.load(std::memory_order_acquire);
      if (produced_ - cached_consumed_ >= limit_) return nullptr;
    }
    prefetch_ahead(segment, tail, count);
    return &segment.slots[tail & segment.mask];
  }
  // Producer side: the slots after the one claim() returned (they may wrap around the segment).
  SlotRun extension_run() noexcept {
    Segment& segment = *producing_;
    return {segment.slots.get(), segment.mask,
            segment.tail.load(std::memory_order_relaxed) + 1};
  }
  // Queues the claimed span, in `slots` slots (1 + its slot's extension_slots, at most what was
  // claimed).
  void publish(std::size_t slots) noexcept {
    Segment& segment = *producing_;
    segment.tail.store(segment.tail.load(std::memory_order_relaxed) + slots,
                       std::memory_order_release);
    ++produced_;
  }
  // Producer side: the thread (id and name) of a span, kept as long as this queue, for
  // QueuedSpan::thread; null when the queue already keeps kMaxThreads others. A thread is rarely
  // renamed, so this is almost always one comparison with the last one.
  static constexpr std::size_t kMaxThreads = 16;
  const QueuedThread* thread_for(std::int64_t id, const std::string& name);
  // The same for a thread known by its name's serial (SpanRecord::thread_name_serial, not 0,
  // unique per thread and name): one integer comparison in the common case.
  const QueuedThread* thread_for(std::uint64_t serial, std::int64_t id, const std::string& name) {
    if (serial != last_thread_serial_) {
      const QueuedThread* known = thread_for(id, name);
      if (known != nullptr) last_thread_serial_ = serial;
      return known;
    }
    return threads_.back().get();
  }

  // Producer side: whether at least `count` spans wait. Reads the consumer's position only when
  // the producer's cached view says so, to keep the common push free of shared reads.
  bool producer_sees_at_least(std::size_t count) noexcept {
    if (produced_ - cached_consumed_ < count) return false;
    cached_consumed_ = consumed_.load(std::memory_order_acquire);
    return produced_ - cached_consumed_ >= count;
  }
  // Producer side: the spans queued since the last report, once they are at least `step` (else
  // 0). The processor adds them up over all its queues, so that a batch's worth waiting across
  // threads triggers an export as one thread's does (batch_processor.cpp), and then calls
  // mark_reported(), so that the consumer never settles spans before they were added.
  std::size_t unreported(std::size_t step) const noexcept {
    const std::size_t count = produced_ - reported_;
    return count < step ? 0 : count;
  }
  void mark_reported(std::size_t count) noexcept {
    reported_ += count;
    reported_shared_.store(reported_, std::memory_order_release);
  }
  // Consumer side: the reported spans consumed since the last call. Each reported span is
  // settled once, so the processor's sum never drifts (it runs ahead of what waits only by
  // spans taken before their report, until this is next called), and a thread that exits with
  // spans it never reported leaves nothing behind in it.
  std::size_t settle_reported() noexcept {
    const std::size_t settled = std::min(reported_shared_.load(std::memory_order_acquire),
                                         consumed_.load(std::memory_order_relaxed));
    const std::size_t newly = settled - settled_;
    settled_ = settled;
    return newly;
  }
  // Called by the producing thread as it exits.
  void mark_producer_gone() noexcept;
  void mark_consumer_gone() noexcept { consumer_gone_.store(true, std::memory_order_release); }
  bool consumer_gone() const noexcept { return consumer_gone_.load(std::memory_order_acquire); }

  // Consumer side: calls visit(const QueuedSpan&, const SlotRun& extension) for up to `max`
  // queued spans, oldest first, then frees their slots; returns how many. `visit` must copy what
  // it needs out of the slots.
  template <class Visit>
  std::size_t consume(std::size_t max, Visit&& visit) {
    std::size_t total = 0;
    while (total < max) {
      Segment* segment = consuming_;
      std::size_t head = segment->head.load(std::memory_order_relaxed);
      const std::size_t tail = segment->tail.load(std::memory_order_acquire);
      if (head == tail) {
        if (!move_past_drained_segment()) break;
        continue;
      }
      while (head != tail && total < max) {
        const QueuedSpan& slot = segment->slots[head & segment->mask];
        visit(slot, SlotRun{segment->slots.get(), segment->mask, head + 1});
        head += 1 + slot.extension_slots;
        ++total;
      }
      segment->head.store(head, std::memory_order_release);
    }
    // A segment drained to its end is freed now, not at the next call.
    if (consuming_->head.load(std::memory_order_relaxed) ==
        consuming_->tail.load(std::memory_order_acquire)) {
      move_past_drained_segment();
    }
    if (total != 0) {
      // Only the consumer writes it: its own last store is what a relaxed load gives.
      consumed_.store(consumed_.load(std::memory_order_relaxed) + total, std::memory_order_release);
    }
    return total;
  }
  // Consumer side: the slots in use (one per plain span; 0 when no span waits).
  std::size_t size() const noexcept;
  bool producer_gone() const noexcept { return producer_gone_.load(std::memory_order_acquire); }

  // The slots the queue holds now, in all its segments (for tests and the memory benchmark).
  std::size_t allocated_slots() const noexcept {
    return allocated_slots_.load(std::memory_order_relaxed);
  }
  // Producer side: the segments allocated after the first, ever (for tests).
  std::size_t segments_added() const noexcept { return segments_added_; }

 private:
  struct Segment {
    explicit Segment(std::size_t slot_count);
    const std::size_t capacity;
    const std::size_t mask;
    std::unique_ptr<QueuedSpan[]> slots;
    alignas(64) std::atomic<std::size_t> head{0};  // written by the consumer
    alignas(64) std::atomic<std::size_t> tail{0};  // written by the producer
    // Set by the producer when this segment is full and it has moved on to the next.
    std::atomic<Segment*> next{nullptr};
  };

  // The slots of the span kPrefetchAhead spans of this size ahead are asked for, for writing, as
  // each span is claimed (see runtime/prefetch.h): by the time the producer gets there, their lines
  // are back from the export thread's core. Within the segment's end; a hint only.
  static constexpr std::size_t kPrefetchAhead = 4;
  static void prefetch_ahead(const Segment& segment, std::size_t tail, std::size_t count) noexcept {
    const std::size_t first = (tail + kPrefetchAhead * count) & segment.mask;
    const std::size_t slots = std::min(count, segment.capacity - first);
    prefetch_for_writing(reinterpret_cast<const char*>(&segment.slots[first]),
                         slots * sizeof(QueuedSpan));
  }
  QueuedSpan* claim_in_new_segment(std::size_t count) noexcept;
  bool move_past_drained_segment() noexcept;

  const std::size_t limit_;
  // The producer's: the segment it fills, and its views of the consumer's progress.
  Segment* producing_;
  std::size_t cached_head_ = 0;      // of producing_->head
  std::size_t produced_ = 0;         // spans published, ever
  std::size_t cached_consumed_ = 0;  // of consumed_
  std::size_t reported_ = 0;         // spans reported, ever (see unreported)
  std::atomic<std::size_t> reported_shared_{0};  // reported_, for the consumer
  std::size_t segments_added_ = 0;
  // The consumer's: the segment it drains (the oldest still allocated), and its count.
  Segment* consuming_;
  std::size_t settled_ = 0;  // reported spans consumed and settled (see settle_reported)
  alignas(64) std::atomic<std::size_t> consumed_{0};  // spans consumed, ever
  std::atomic<std::size_t> allocated_slots_{0};
  std::vector<std::unique_ptr<const QueuedThread>> threads_;  // the producer's, oldest first
  std::uint64_t last_thread_serial_ = 0;  // the serial of threads_.back(), or 0
  std::atomic<bool> producer_gone_{false};
  std::atomic<bool> consumer_gone_{false};
  const std::weak_ptr<ProducerExitListener> listener_;
};

}  // namespace weft::detail
