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

const std::string* SpanRing::thread_name_for(const std::string& name) {
  last_name_serial_ = 0;
  if (!thread_names_.empty() && *thread_names_.back() == name) return thread_names_.back().get();
  // Renamed (or spans started on other threads): reuse a name seen before, so the list stays as
  // short as the set of names, then make it the last one.
  for (auto& known : thread_names_) {
    if (*known == name) {
      std::swap(known, thread_names_.back());
      return thread_names_.back().get();
    }
  }
  // Spans started on many threads and ended on this one: beyond a few names, they are queued as
  // their records instead, so the list (kept for the queue's life) and its scan stay short.
  if (thread_names_.size() >= kMaxThreadNames) return nullptr;
  thread_names_.push_back(std::make_unique<const std::string>(name));
  return thread_names_.back().get();
}

}  // namespace weft::detail
