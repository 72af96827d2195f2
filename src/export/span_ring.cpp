#include "export/span_ring.h"

#include "diagnostics/counters.h"
#include "trace/record_pool.h"

namespace weft::detail {
namespace {

std::size_t round_up_to_power_of_two(std::size_t value) {
  std::size_t result = 1;
  while (result < value) result <<= 1;
  return result;
}

}  // namespace

// Slots are left uninitialized: a slot is written in full by the producer before it is published.
SpanRing::SpanRing(std::size_t min_capacity)
    : capacity_(round_up_to_power_of_two(min_capacity < 1 ? 1 : min_capacity)),
      mask_(capacity_ - 1),
      slots_(new QueuedSpan[capacity_]) {}

SpanRing::~SpanRing() {
  std::vector<SpanRecord*> records;
  const std::size_t stranded = consume(capacity_, [&](const QueuedSpan& slot) {
    if (slot.record != nullptr) records.push_back(slot.record);
  });
  if (stranded == 0) return;
  count(counters().spans_dropped_after_shutdown, stranded);
  release_records(records);
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
