// Process-wide diagnostic counters. Incremented only off the span hot path (drops, export
// results, misuse, root spans on threads other than the first), so a shared relaxed atomic is
// fine here.
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
  std::atomic<std::uint64_t> fork_copies_discarded{0};
  std::atomic<std::uint64_t> spans_dropped_at_fork{0};
  std::atomic<std::uint64_t> spans_relayed{0};
  std::atomic<std::uint64_t> spans_dropped_relay{0};
  std::atomic<std::uint64_t> spans_received_from_children{0};
  std::atomic<std::uint64_t> incomplete_spans_reported{0};
  std::atomic<std::uint64_t> root_spans_off_main_thread{0};
  std::atomic<std::uint64_t> context_checks_failed{0};
  std::atomic<std::uint64_t> spans_rejected_by_collector{0};
};

Counters& counters() noexcept;

inline void count(std::atomic<std::uint64_t>& counter, std::uint64_t amount = 1) noexcept {
  counter.fetch_add(amount, std::memory_order_relaxed);
}

}  // namespace weft::detail
