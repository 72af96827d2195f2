// A bounded single-producer/single-consumer queue of finished spans: the producer is the thread
// that ends spans, the consumer a batch processor's export thread. Spans are stored in the queue's
// own slots (queued_span.h), so queuing allocates nothing and shares no record between threads.
// Pushing is two relaxed loads, the slot's stores and a release store; no lock, no shared counter.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "export/queued_span.h"

namespace weft::detail {

class SpanRing {
 public:
  explicit SpanRing(std::size_t min_capacity);
  // Spans still queued when both sides are gone were never exported: counted, then recycled.
  ~SpanRing();
  SpanRing(const SpanRing&) = delete;
  SpanRing& operator=(const SpanRing&) = delete;

  // Producer side: the next free slot, or null when the queue is full (the caller drops the span).
  // The slot is queued by publish().
  QueuedSpan* claim() noexcept {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - cached_head_ >= capacity_) {
      cached_head_ = head_.load(std::memory_order_acquire);
      if (tail - cached_head_ >= capacity_) return nullptr;
    }
    return &slots_[tail & mask_];
  }
  void publish() noexcept {
    tail_.store(tail_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
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
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - cached_head_ < count) return false;
    cached_head_ = head_.load(std::memory_order_acquire);
    return tail - cached_head_ >= count;
  }
  void mark_producer_gone() noexcept { producer_gone_.store(true, std::memory_order_release); }
  void mark_consumer_gone() noexcept { consumer_gone_.store(true, std::memory_order_release); }
  bool consumer_gone() const noexcept { return consumer_gone_.load(std::memory_order_acquire); }

  // Consumer side: calls visit(const QueuedSpan&) for up to `max` queued spans, oldest first, then
  // frees their slots; returns how many. `visit` must copy what it needs out of the slot.
  template <class Visit>
  std::size_t consume(std::size_t max, Visit&& visit) {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    const std::size_t tail = tail_.load(std::memory_order_acquire);
    std::size_t count = tail - head;
    if (count > max) count = max;
    for (std::size_t i = 0; i < count; ++i) {
      const QueuedSpan& slot = slots_[(head + i) & mask_];
      visit(slot);
    }
    head_.store(head + count, std::memory_order_release);
    return count;
  }
  std::size_t size() const noexcept {
    return tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_relaxed);
  }
  bool producer_gone() const noexcept { return producer_gone_.load(std::memory_order_acquire); }

 private:
  const std::size_t capacity_;
  const std::size_t mask_;
  std::unique_ptr<QueuedSpan[]> slots_;
  alignas(64) std::atomic<std::size_t> head_{0};  // written by the consumer
  alignas(64) std::atomic<std::size_t> tail_{0};  // written by the producer
  std::size_t cached_head_ = 0;                   // the producer's last view of head_
  std::vector<std::unique_ptr<const QueuedThread>> threads_;  // the producer's, oldest first
  std::uint64_t last_thread_serial_ = 0;  // the serial of threads_.back(), or 0
  std::atomic<bool> producer_gone_{false};
  std::atomic<bool> consumer_gone_{false};
};

}  // namespace weft::detail
