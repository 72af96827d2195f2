// A bounded single-producer/single-consumer queue of finished spans: the producer is the thread
// that ends spans, the consumer a batch processor's export thread. Pushing is two relaxed loads, a
// store and a release store; no lock, no shared counter.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "weft/span_data.h"

namespace weft::detail {

class SpanRing {
 public:
  explicit SpanRing(std::size_t min_capacity);
  // Spans still queued when both sides are gone were never exported: counted, then recycled.
  ~SpanRing();
  SpanRing(const SpanRing&) = delete;
  SpanRing& operator=(const SpanRing&) = delete;

  // Producer side. False when full (the caller drops the span).
  bool try_push(SpanData* span) noexcept {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - cached_head_ >= capacity_) {
      cached_head_ = head_.load(std::memory_order_acquire);
      if (tail - cached_head_ >= capacity_) return false;
    }
    slots_[tail & mask_] = span;
    tail_.store(tail + 1, std::memory_order_release);
    return true;
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

  // Consumer side: moves up to `max` spans to `out`; returns how many.
  std::size_t pop_into(std::vector<SpanData*>& out, std::size_t max);
  std::size_t size() const noexcept {
    return tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_relaxed);
  }
  bool producer_gone() const noexcept { return producer_gone_.load(std::memory_order_acquire); }

 private:
  const std::size_t capacity_;
  const std::size_t mask_;
  std::unique_ptr<SpanData*[]> slots_;
  alignas(64) std::atomic<std::size_t> head_{0};  // written by the consumer
  alignas(64) std::atomic<std::size_t> tail_{0};  // written by the producer
  std::size_t cached_head_ = 0;                   // the producer's last view of head_
  std::atomic<bool> producer_gone_{false};
  std::atomic<bool> consumer_gone_{false};
};

}  // namespace weft::detail
