// The batch processor: each thread that ends spans gets its own queue (a SpanRing) into the
// processor, and one export thread drains all queues in batches. Ending a span never takes a lock;
// a full queue drops the span and counts it.
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "diagnostics/counters.h"
#include "diagnostics/log.h"
#include "export/span_ring.h"
#include "runtime/thread_state.h"
#include "trace/record_pool.h"
#include "weft/processor.h"

namespace weft {
namespace {

std::atomic<std::uint64_t> next_processor_id{1};
std::atomic<bool> queue_full_reported{false};

// What the export thread shares with the processor. The thread holds it too, so a shutdown that
// timed out can leave the thread running without a dangling processor.
struct BatchState {
  BatchState(std::unique_ptr<SpanExporter> exporter_, BatchOptions options_)
      : exporter(std::move(exporter_)), options(options_) {}

  std::unique_ptr<SpanExporter> exporter;
  const BatchOptions options;
  const std::uint64_t id = next_processor_id.fetch_add(1);
  std::atomic<bool> accepting{true};
  std::atomic<bool> wake_requested{false};

  std::mutex mutex;
  std::condition_variable wake;      // the export thread waits here
  std::condition_variable progress;  // flush and shutdown wait here
  std::vector<std::shared_ptr<detail::SpanRing>> rings;
  bool stop = false;
  bool exited = false;
  std::uint64_t flushes_requested = 0;
  std::uint64_t flushes_done = 0;
};

class BatchExportLoop {
 public:
  explicit BatchExportLoop(std::shared_ptr<BatchState> state) : state_(std::move(state)) {}

  void run() {
    detail::set_current_thread_name("weft-export");
    BatchState& state = *state_;
    std::unique_lock<std::mutex> lock(state.mutex);
    for (;;) {
      state.wake.wait_for(lock, state.options.schedule_delay, [&] {
        return state.stop || state.wake_requested.load(std::memory_order_relaxed) ||
               state.flushes_requested != state.flushes_done;
      });
      const bool stopping = state.stop;
      const std::uint64_t flush_target = state.flushes_requested;
      state.wake_requested.store(false, std::memory_order_relaxed);
      std::vector<std::shared_ptr<detail::SpanRing>> rings = take_ring_snapshot();
      lock.unlock();
      export_everything(rings);
      if (flush_target != 0) state.exporter->force_flush(state.options.export_timeout);
      rings.clear();
      lock.lock();
      state.flushes_done = flush_target;
      state.progress.notify_all();
      if (stopping) break;
    }
    lock.unlock();
    state.exporter->shutdown(state.options.export_timeout);
    lock.lock();
    for (const auto& ring : state.rings) ring->mark_consumer_gone();
    state.exited = true;
    state.progress.notify_all();
  }

 private:
  // Called with the mutex held. Forgets queues whose thread has exited once they are empty.
  std::vector<std::shared_ptr<detail::SpanRing>> take_ring_snapshot() {
    std::vector<std::shared_ptr<detail::SpanRing>>& rings = state_->rings;
    std::vector<std::shared_ptr<detail::SpanRing>> snapshot = rings;
    rings.erase(std::remove_if(rings.begin(), rings.end(),
                               [](const std::shared_ptr<detail::SpanRing>& ring) {
                                 return ring->producer_gone() && ring->size() == 0;
                               }),
                rings.end());
    return snapshot;
  }

  // Exports until a pass finds less than a full batch, so a flush finishes under steady load.
  void export_everything(const std::vector<std::shared_ptr<detail::SpanRing>>& rings) {
    if (rings.empty()) return;
    const std::size_t batch_size = std::max<std::size_t>(1, state_->options.max_export_batch_size);
    for (;;) {
      batch_.clear();
      for (std::size_t i = 0; i < rings.size() && batch_.size() < batch_size; ++i) {
        const auto& ring = rings[(next_ring_ + i) % rings.size()];
        ring->pop_into(batch_, batch_size - batch_.size());
      }
      next_ring_ = (next_ring_ + 1) % rings.size();
      if (batch_.empty()) return;
      export_batch();
      if (batch_.size() < batch_size) return;
    }
  }

  void export_batch() {
    view_.assign(batch_.begin(), batch_.end());
    const ExportResult result = state_->exporter->export_spans(view_);
    detail::Counters& counters = detail::counters();
    detail::count(result == ExportResult::kSuccess ? counters.spans_exported
                                                   : counters.spans_export_failed,
                  batch_.size());
    for (SpanData* span : batch_) detail::recycle_record(static_cast<detail::SpanRecord*>(span));
  }

  std::shared_ptr<BatchState> state_;
  std::vector<SpanData*> batch_;
  std::vector<const SpanData*> view_;
  std::size_t next_ring_ = 0;
};

class BatchProcessor final : public SpanProcessor {
 public:
  BatchProcessor(std::unique_ptr<SpanExporter> exporter, BatchOptions options)
      : state_(std::make_shared<BatchState>(std::move(exporter), options)) {
    thread_ = std::thread([state = state_] { BatchExportLoop(state).run(); });
  }

  ~BatchProcessor() override { shutdown(state_->options.export_timeout); }

  void on_end(FinishedSpan span) noexcept override {
    if (!span->context.is_sampled()) return;
    if (!state_->accepting.load(std::memory_order_acquire)) {
      detail::count(detail::counters().spans_dropped_after_shutdown);
      return;
    }
    detail::SpanRing* ring = ring_of_this_thread();
    if (ring == nullptr || !ring->try_push(span.get())) {
      detail::count(detail::counters().spans_dropped_queue_full);
      detail::log_once(queue_full_reported, LogLevel::kWarning,
                       "batch span queue full: spans are being dropped (counted in "
                       "weft::diagnostics().spans_dropped_queue_full; raise OTEL_BSP_MAX_QUEUE_SIZE "
                       "or export faster)");
      return;
    }
    span.release();
    if (ring->producer_sees_at_least(state_->options.max_export_batch_size) &&
        !state_->wake_requested.load(std::memory_order_relaxed) &&
        !state_->wake_requested.exchange(true, std::memory_order_relaxed)) {
      std::lock_guard<std::mutex> lock(state_->mutex);
      state_->wake.notify_one();
    }
  }

  bool force_flush(std::chrono::milliseconds timeout) noexcept override {
    std::unique_lock<std::mutex> lock(state_->mutex);
    if (state_->exited) return true;
    const std::uint64_t ticket = ++state_->flushes_requested;
    state_->wake.notify_one();
    return state_->progress.wait_for(lock, timeout, [&] {
      return state_->flushes_done >= ticket || state_->exited;
    });
  }

  bool shutdown(std::chrono::milliseconds timeout) noexcept override {
    if (!thread_.joinable()) return true;
    state_->accepting.store(false, std::memory_order_release);
    std::unique_lock<std::mutex> lock(state_->mutex);
    state_->stop = true;
    state_->wake.notify_one();
    const bool finished =
        state_->progress.wait_for(lock, timeout, [&] { return state_->exited; });
    lock.unlock();
    if (finished) {
      thread_.join();
    } else {
      thread_.detach();  // it keeps its own reference to the state
      detail::log_warning("batch span processor: shutdown timed out; the export thread was left "
                          "to finish on its own");
    }
    return finished;
  }

 private:
  detail::SpanRing* ring_of_this_thread() noexcept {
    auto& rings = detail::thread_state().rings;
    for (auto& entry : rings) {
      if (entry.first == state_->id) return entry.second.get();
    }
    // First span of this thread here: forget queues into processors that are gone, then register.
    rings.erase(std::remove_if(rings.begin(), rings.end(),
                               [](const auto& entry) { return entry.second->consumer_gone(); }),
                rings.end());
    try {
      auto ring = std::make_shared<detail::SpanRing>(state_->options.max_queue_size);
      {
        std::lock_guard<std::mutex> lock(state_->mutex);
        state_->rings.push_back(ring);
      }
      rings.emplace_back(state_->id, ring);
      return ring.get();
    } catch (...) {
      return nullptr;
    }
  }

  std::shared_ptr<BatchState> state_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<SpanProcessor> make_batch_processor(std::unique_ptr<SpanExporter> exporter,
                                                    BatchOptions options) {
  return std::make_unique<BatchProcessor>(std::move(exporter), options);
}

}  // namespace weft
