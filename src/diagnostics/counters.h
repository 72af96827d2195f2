// Process-wide diagnostic counters. Incremented only off the span hot path (drops, export
// results, misuse), so a shared relaxed atomic is fine here.
#pragma once

#include <atomic>
#include <cstdint>

namespace weft::detail {

struct Counters {
  std::atomic<std::uint64_t> spans_exported{0};
  std::atomic<std::uint64_t> spans_export_failed{0};
  std::atomic<std::uint64_t> spans_dropped_queue_full{0};
  std::atomic<std::uint64_t> spans_dropped_after_shutdown{0};
  std::atomic<std::uint64_t> out_of_order_detaches{0};
  std::atomic<std::uint64_t> foreign_thread_detaches{0};
  std::atomic<std::uint64_t> spans_rejected_by_collector{0};
};

Counters& counters() noexcept;

inline void count(std::atomic<std::uint64_t>& counter, std::uint64_t amount = 1) noexcept {
  counter.fetch_add(amount, std::memory_order_relaxed);
}

}  // namespace weft::detail
