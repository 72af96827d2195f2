#include "trace/record_pool.h"

#include <mutex>

#include "runtime/fork_hooks.h"
#include "runtime/thread_state.h"
#include "weft/processor.h"

namespace weft::detail {
namespace {

constexpr std::size_t kChunk = 64;               // moved between a thread and the pool at once
static_assert(kRecordCacheLimit > kChunk, "a spill leaves a chunk in the cache");
constexpr std::size_t kMaxPooled = 16384;        // beyond this, recycled records are freed

struct SharedPool {
  std::mutex mutex;
  std::vector<SpanRecord*> records;
};

void lock_pool_for_fork() noexcept;
void unlock_pool_after_fork() noexcept;

SharedPool& shared_pool() {
  static SharedPool* const pool = [] {
    auto* created = new SharedPool();  // never destroyed: used during exit
    // A thread refilling its cache while another forks must not leave the lock held in the child.
    install_fork_handlers(ForkStage::kRecordPool,
                          {&lock_pool_for_fork, &unlock_pool_after_fork, &unlock_pool_after_fork});
    return created;
  }();
  return *pool;
}

void lock_pool_for_fork() noexcept { shared_pool().mutex.lock(); }
void unlock_pool_after_fork() noexcept { shared_pool().mutex.unlock(); }

// The name, the parent and the other fields every start sets are left (the start path skips the
// name when it is the same).
void clear(SpanRecord& record) noexcept {
  record.attributes.clear();
  record.attribute_bytes.clear();
  record.event_bytes.clear();
  record.next_event_attributes.clear();
  record.attributes_as_bytes = false;
  record.events_as_bytes = false;
  record.end_time_pending = false;
  record.dropped_attributes_count = 0;
  record.events.clear();
  record.dropped_events_count = 0;
  record.links.clear();
  record.dropped_links_count = 0;
  record.status.code = StatusCode::kUnset;
  record.status.message.clear();
  record.context.trace_state = TraceState();
}

void spill(std::vector<SpanRecord*>& cache, std::size_t keep) noexcept {
  SharedPool& pool = shared_pool();
  std::lock_guard<std::mutex> lock(pool.mutex);
  while (cache.size() > keep) {
    SpanRecord* record = cache.back();
    cache.pop_back();
    if (pool.records.size() < kMaxPooled) {
      try {
        pool.records.push_back(record);
        continue;
      } catch (...) {
      }
    }
    delete record;
  }
}

}  // namespace

SpanRecord* acquire_record_slowly() {
  std::vector<SpanRecord*>& cache = thread_state().free_records;
  if (cache.empty()) {
    SharedPool& pool = shared_pool();
    std::lock_guard<std::mutex> lock(pool.mutex);
    const std::size_t take = std::min(kChunk, pool.records.size());
    cache.insert(cache.end(), pool.records.end() - static_cast<std::ptrdiff_t>(take),
                 pool.records.end());
    pool.records.resize(pool.records.size() - take);
  }
  if (cache.empty()) return new SpanRecord();
  SpanRecord* record = cache.back();
  cache.pop_back();
  return record;
}

void recycle_record(SpanRecord* record) noexcept {
  clear(*record);
  recycle_plain_record(record);
}

void keep_record_slowly(SpanRecord* record) noexcept {
  std::vector<SpanRecord*>& cache = thread_state().free_records;
  if (cache.size() >= kRecordCacheLimit) spill(cache, kRecordCacheLimit - kChunk);
  try {
    cache.reserve(kRecordCacheLimit);
    cache.push_back(record);
  } catch (...) {
    delete record;
  }
}

void release_records(std::vector<SpanRecord*>& records) noexcept {
  for (SpanRecord* record : records) clear(*record);
  spill(records, 0);
}

}  // namespace weft::detail

namespace weft::detail {
void SpanRecycler::operator()(SpanData* span) const noexcept {
  recycle_record(static_cast<SpanRecord*>(span));
}
}  // namespace weft::detail
