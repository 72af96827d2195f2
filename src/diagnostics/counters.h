// Process-wide diagnostic counters. Most are incremented off the span hot path (drops, export
// results, misuse), so a shared relaxed atomic is fine; the one the start path may hit from every
// thread at once (root spans on threads other than the first) is sharded by thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace weft::detail {

// A counter many threads may increment at once: one cache line per shard, chosen by the thread,
// so threads seldom share a line. Reading sums the shards.
class ShardedCounter {
 public:
  void add(std::uint64_t thread_key, std::uint64_t amount = 1) noexcept {
    shards_[thread_key % kShards].value.fetch_add(amount, std::memory_order_relaxed);
  }
  std::uint64_t load() const noexcept {
    std::uint64_t total = 0;
    for (const Shard& shard : shards_) total += shard.value.load(std::memory_order_relaxed);
    return total;
  }
  void reset() noexcept {
    for (Shard& shard : shards_) shard.value.store(0, std::memory_order_relaxed);
  }

 private:
  static constexpr std::size_t kShards = 16;
  struct alignas(64) Shard {
    std::atomic<std::uint64_t> value{0};
  };
  Shard shards_[kShards];
};

struct Counters {
  std::atomic<std::uint64_t> spans_exported{0};
  std::atomic<std::uint64_t> spans_export_failed{0};
  ShardedCounter spans_dropped_queue_full;  // hit by every producer while its queue is full
  std::atomic<std::uint64_t> spans_dropped_after_shutdown{0};
  std::atomic<std::uint64_t> out_of_order_detaches{0};
  std::atomic<std::uint64_t> foreign_thread_detaches{0};
  std::atomic<std::uint64_t> fork_copies_discarded{0};
  std::atomic<std::uint64_t> spans_dropped_at_fork{0};
  std::atomic<std::uint64_t> spans_relayed{0};
  std::atomic<std::uint64_t> spans_dropped_relay{0};
  std::atomic<std::uint64_t> spans_received_from_children{0};
  std::atomic<std::uint64_t> incomplete_spans_reported{0};
  ShardedCounter root_spans_off_main_thread;
  std::atomic<std::uint64_t> context_checks_failed{0};
  std::atomic<std::uint64_t> spans_rejected_by_collector{0};
};

Counters& counters() noexcept;

inline void count(std::atomic<std::uint64_t>& counter, std::uint64_t amount = 1) noexcept {
  counter.fetch_add(amount, std::memory_order_relaxed);
}

}  // namespace weft::detail
