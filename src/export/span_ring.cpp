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

SpanRing::SpanRing(std::size_t min_capacity)
    : capacity_(round_up_to_power_of_two(min_capacity < 1 ? 1 : min_capacity)),
      mask_(capacity_ - 1),
      slots_(new SpanData*[capacity_]) {}

SpanRing::~SpanRing() {
  std::vector<SpanData*> stranded;
  pop_into(stranded, capacity_);
  if (stranded.empty()) return;
  count(counters().spans_dropped_after_shutdown, stranded.size());
  std::vector<SpanRecord*> records;
  for (SpanData* span : stranded) records.push_back(static_cast<SpanRecord*>(span));
  release_records(records);
}

std::size_t SpanRing::pop_into(std::vector<SpanData*>& out, std::size_t max) {
  const std::size_t head = head_.load(std::memory_order_relaxed);
  const std::size_t tail = tail_.load(std::memory_order_acquire);
  std::size_t count = tail - head;
  if (count > max) count = max;
  for (std::size_t i = 0; i < count; ++i) out.push_back(slots_[(head + i) & mask_]);
  head_.store(head + count, std::memory_order_release);
  return count;
}

}  // namespace weft::detail
