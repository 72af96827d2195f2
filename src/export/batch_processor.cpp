// The batch processor: each thread that ends spans gets its own queue (a SpanRing) into the
// processor, and one export thread drains all queues in batches. Ending a span never takes a lock;
// a full queue drops the span and counts it.
//
// fork(): before the fork, every batch processor holds its locks, so the child copies a consistent
// processor. In the child, spans queued before the fork are left to the parent (which exports them
// once); the child gets fresh queues and a new export thread on the same exporter. An export in
// progress at the fork leaves the child's copy of the exporter mid-call in a thread the child does
// not have: weft's own exporters then make the child a new one (fresh_in_child.h), so fork() does
// not wait for the export; for another exporter fork() waits (boundedly) for the export to end,
// and if it does not, the child drops what it ends through this processor, counted in
// spans_dropped_at_fork.
#include <sys/prctl.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "config/env_values.h"
#include "diagnostics/counters.h"
#include "diagnostics/log.h"
#include "export/export_time_limit.h"
#include "export/final_drain.h"
#include "export/fresh_in_child.h"
#include "export/queued_span.h"
#include "export/span_extension.h"
#include "export/span_ring.h"
#include "runtime/fork_hooks.h"
#include "runtime/thread_state.h"
#include "sdk/builtin_processor.h"
#include "sdk/provider_state.h"
#include "trace/record_pool.h"
#include "weft/processor.h"

namespace weft {
namespace {

std::atomic<std::uint64_t> next_processor_id{1};
std::atomic<bool> queue_full_reported{false};
std::atomic<bool> dropped_at_fork_reported{false};

// How long fork() waits for an export in progress before the child gives up on the exporter.
constexpr std::chrono::milliseconds kForkExportWait{2000};

// A thread's queue holds its spans by value, 112 bytes each (a plain one; up to 17 times that
// with attributes and events), and grows with its backlog up to OTEL_BSP_MAX_QUEUE_SIZE spans
// waiting: this bounds that (7 MB of plain spans, briefly up to twice as many while an old segment
// drains) whatever the variable says.
constexpr std::size_t kMaxQueuePerThread = 65536;

// The waits of the export thread and of shutdown, within what a condition variable can wait: a
// schedule delay of 0 made the export thread spin (every wait returned at once), and a wait past
// the clock's range (about 292 years in nanoseconds) is an overflow waiting to happen. Longer than
// about 24.8 days (the longest timeout the specification lets an SDK use for "no limit") is capped
// there.
BatchOptions with_usable_waits(BatchOptions options) {
  constexpr std::chrono::milliseconds kLongest = detail::kIndefiniteTimeout;
  options.schedule_delay =
      std::clamp(options.schedule_delay, std::chrono::milliseconds(1), kLongest);
  options.export_timeout =
      std::clamp(options.export_timeout, std::chrono::milliseconds(0), kLongest);
  return options;
}

// Exited threads whose queues wait for the export thread before it is woken to drain and free
// them: a batch's worth (each exited thread ended a span here at least once), so a program that
// starts a thread per request exports full batches, at most 1,024 (7 MB of queues).
std::size_t exited_producers_before_reclaim(const BatchOptions& options) {
  return std::clamp<std::size_t>(options.max_export_batch_size, 1, 1024);
}

// How many spans a thread queues between two reports (see BatchState::reported_waiting), with
// `queues` threads' queues listed: half a batch shared out over at least 8 queues. A thread keeps
// under a step unreported, with the step of its last span: one that went idle while the step was
// larger keeps more. Up to 8 threads, what is unreported stays under half a batch; beyond, each
// new thread adds under half a batch divided by the number of threads.
std::size_t report_step_for(std::size_t batch_size, std::size_t queues) {
  constexpr std::size_t kFewestQueues = 8;
  return std::max<std::size_t>(1, batch_size / (2 * std::max(kFewestQueues, queues)));
}

struct BatchState;

// What a thread's queue tells of its thread's exit. Separate from the BatchState, which owns the
// exporter: a queue may hold it only weakly, and an exiting thread that held the BatchState itself
// would, when the processor let go of it meanwhile, be the one to destroy the exporter, after
// ~TracerProvider had returned. The BatchState detaches itself before it is destroyed.
class ExitNotice final : public detail::ProducerExitListener {
 public:
  explicit ExitNotice(BatchState* state) noexcept : state_(state) {}
  void producer_exited() noexcept override;
  void detach() noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    state_ = nullptr;
  }

 private:
  std::mutex mutex_;
  BatchState* state_;  // guarded by `mutex_`
};

// What the export thread shares with the processor. The thread holds it too, so a shutdown that
// timed out can leave the thread running without a dangling processor.
struct BatchState {
  BatchState(std::unique_ptr<SpanExporter> exporter_, BatchOptions options_)
      : exporter(std::move(exporter_)), options(with_usable_waits(options_)) {
    detail::limit_each_export(exporter.get(), options.export_timeout);
  }
  ~BatchState() { exit_notice->detach(); }
  BatchState(const BatchState&) = delete;
  BatchState& operator=(const BatchState&) = delete;

  // Called with `mutex` held whenever `rings` changes. Stored only when it changes: every span
  // end reads it, and a store would take its cache line from the producers' cores.
  void recount_report_step() noexcept {
    const std::size_t step = report_step_for(options.max_export_batch_size, rings.size());
    if (report_step.load(std::memory_order_relaxed) != step) {
      report_step.store(step, std::memory_order_relaxed);
    }
  }

  // Called by ExitNotice, with its mutex held (so the BatchState is not being destroyed).
  void producer_exited() noexcept {
    if (exited_producers.fetch_add(1, std::memory_order_relaxed) + 1 <
        static_cast<std::ptrdiff_t>(exited_producers_before_reclaim(options))) {
      return;
    }
    if (wake_requested.exchange(true, std::memory_order_relaxed)) return;
    std::lock_guard<std::mutex> lock(mutex);
    wake.notify_one();
  }

  std::unique_ptr<SpanExporter> exporter;  // null in a child forked during an export: drop
  // In a child forked during an export of an exporter that can: what makes its new exporter.
  const detail::FreshInChild* fresh_from = nullptr;
  const BatchOptions options;
  std::mutex export_mutex;  // held by the export thread while it calls the exporter
  std::atomic<bool> fork_pending{false};  // a fork() waits for export_mutex
  const std::uint64_t id = next_processor_id.fetch_add(1);
  std::atomic<bool> accepting{true};
  // Spans waiting in all the queues, as far as their threads have reported them: each thread
  // reports once `report_step` spans have queued since its last report (one shared write per
  // step, not per span), and the export thread settles them as it consumes. A batch's worth
  // reported wakes the export thread, so threads that each hold less than a batch, but together
  // more, do not wait for the schedule delay (see report_step_for for how far it can lag). It can
  // also run ahead, by under a step per thread: a report may cover spans the export thread took
  // before it, which the next pass settles. That wakes it early with a smaller batch, never
  // late.
  std::atomic<std::size_t> report_step{report_step_for(options.max_export_batch_size, 1)};
  std::atomic<std::size_t> reported_waiting{0};
  std::atomic<bool> wake_requested{false};
  // Threads that have exited with their queue still listed: counted up as each exits, down as
  // their drained queues are freed. Never stored outright, which would lose the exits counted
  // meanwhile. Signed: a queue may be freed just before its thread's exit is counted.
  std::atomic<std::ptrdiff_t> exited_producers{0};
  const std::shared_ptr<ExitNotice> exit_notice = std::make_shared<ExitNotice>(this);

  std::mutex mutex;
  std::condition_variable wake;      // the export thread waits here
  std::condition_variable progress;  // flush and shutdown wait here
  std::vector<std::shared_ptr<detail::SpanRing>> rings;
  bool stop = false;
  bool exited = false;
  std::uint64_t flushes_requested = 0;
  std::uint64_t flushes_done = 0;
};

// Never waits for the mutex: a thread that was inside it when another forked would leave it
// locked in the child for good. A notice that finds it taken (by another exiting thread, or the
// BatchState going away) is dropped; the early wake-up only saves memory, and the next one
// recounts the exited threads.
void ExitNotice::producer_exited() noexcept {
  std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
  if (lock.owns_lock() && state_ != nullptr) state_->producer_exited();
}

class BatchExportLoop {
 public:
  explicit BatchExportLoop(std::shared_ptr<BatchState> state) : state_(std::move(state)) {}

  void run() {
    detail::set_current_thread_name("weft-export");
    // The busy spells' short sleeps end on time, not up to the default 50 us late.
    prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
    BatchState& state = *state_;
    std::unique_lock<std::mutex> lock(state.mutex);
    for (;;) {
      state.wake.wait_for(lock, state.options.schedule_delay, [&] {
        return state.stop || state.wake_requested.load(std::memory_order_relaxed) ||
               state.flushes_requested != state.flushes_done;
      });
      const bool stopping = state.stop;
      const std::uint64_t flush_target = state.flushes_requested;
      const bool woken = state.wake_requested.exchange(false, std::memory_order_relaxed);
      std::vector<std::shared_ptr<detail::SpanRing>> rings = take_ring_snapshot();
      lock.unlock();
      // Woken by a producer with a batch's worth (or close) waiting, this thread expects more.
      const bool busy = export_everything(rings) && woken;
      if (flush_target != 0) {
        std::unique_lock<std::mutex> exporting = lock_exporter();
        if (state.exporter) state.exporter->force_flush(state.options.export_timeout);
      }
      rings.clear();
      lock.lock();
      // Exited threads' queues drained just now are freed now, not at the next wake (and not
      // with the mutex held).
      rings = take_exited_producers();
      lock.unlock();
      rings.clear();
      lock.lock();
      state.flushes_done = flush_target;
      state.progress.notify_all();
      if (stopping) break;
      if (busy) {
        lock.unlock();
        wait_out_a_busy_spell();
        lock.lock();
      }
    }
    lock.unlock();
    {
      std::unique_lock<std::mutex> exporting = lock_exporter();
      if (state.exporter) state.exporter->shutdown(state.options.export_timeout);
    }
    lock.lock();
    for (const auto& ring : state.rings) ring->mark_consumer_gone();
    state.exited = true;
    state.progress.notify_all();
  }

 private:
  // Called with the mutex held. The snapshot holds the exited threads' empty queues that are no
  // longer listed: they are freed with it, once the caller has let go of the mutex.
  std::vector<std::shared_ptr<detail::SpanRing>> take_ring_snapshot() {
    std::vector<std::shared_ptr<detail::SpanRing>> snapshot = state_->rings;
    take_exited_producers();
    return snapshot;
  }

  // Called with the mutex held. Takes the queues whose thread has exited and that are empty out
  // of the list, and returns them to be freed once the mutex is let go.
  std::vector<std::shared_ptr<detail::SpanRing>> take_exited_producers() {
    std::vector<std::shared_ptr<detail::SpanRing>>& rings = state_->rings;
    const auto finished = std::stable_partition(
        rings.begin(), rings.end(), [](const std::shared_ptr<detail::SpanRing>& ring) {
          return !(ring->producer_gone() && ring->size() == 0);
        });
    std::vector<std::shared_ptr<detail::SpanRing>> taken(std::make_move_iterator(finished),
                                                         std::make_move_iterator(rings.end()));
    rings.erase(finished, rings.end());
    for (const auto& ring : taken) settle(*ring);
    state_->recount_report_step();
    // Exited threads whose queues still hold spans (ended since the snapshot) stay counted
    // towards the next early wake-up.
    state_->exited_producers.fetch_sub(static_cast<std::ptrdiff_t>(taken.size()),
                                       std::memory_order_relaxed);
    return taken;
  }

  // While producers keep a batch coming, the next one is often ready within microseconds. Then
  // this thread sleeps for short spells instead of on the condition variable, and looks for the
  // wake request itself: a producer that asks for a wake finds no waiter, and so makes no system
  // call (waking a sleeping thread cost the producer about 10% of its time). A flush or a
  // shutdown requests a wake too. After kBusySpells without a request it waits as usual.
  void wait_out_a_busy_spell() noexcept {
    for (int spell = 0; spell < kBusySpells; ++spell) {
      if (state_->wake_requested.load(std::memory_order_relaxed)) return;
      std::this_thread::sleep_for(kBusySpell);
    }
  }
  static constexpr int kBusySpells = 50;
  static constexpr std::chrono::microseconds kBusySpell{20};

  // Exports until a pass finds less than a full batch, so a flush finishes under steady load.
  // Returns whether it exported any span.
  bool export_everything(const std::vector<std::shared_ptr<detail::SpanRing>>& rings) {
    if (rings.empty()) return false;
    bool exported = false;
    const std::size_t batch_size = std::max<std::size_t>(1, state_->options.max_export_batch_size);
    // Sized once: view_ points into copied_, and taking a span must not allocate (it cannot
    // fail halfway through a queue).
    if (copied_.size() < batch_size) {
      copied_.resize(batch_size);
      view_.reserve(batch_size);
      records_.reserve(batch_size);
    }
    for (;;) {
      view_.clear();
      records_.clear();
      std::size_t copies = 0;
      const auto take = [&](const detail::QueuedSpan& slot, const detail::SlotRun& extension) {
        if (slot.record != nullptr) {
          try {
            detail::settle_attribute_bytes(*slot.record);
            detail::settle_event_bytes(*slot.record);
          } catch (...) {  // out of memory: the span is lost, and counted
            detail::count(detail::counters().spans_export_failed);
            detail::recycle_record(slot.record);
            return;
          }
          records_.push_back(slot.record);
          view_.push_back(slot.record);
        } else {
          try {
            detail::copy_from_slot(slot, copied_[copies]);
            if (slot.extension_slots != 0) {
              detail::read_extension(extension, slot.extension_slots, copied_[copies]);
            }
          } catch (...) {  // out of memory for a name or a value: the span is lost, and counted
            detail::count(detail::counters().spans_export_failed);
            return;
          }
          view_.push_back(&copied_[copies++]);
        }
      };
      for (std::size_t i = 0; i < rings.size() && view_.size() < batch_size; ++i) {
        detail::SpanRing& ring = *rings[(next_ring_ + i) % rings.size()];
        ring.consume(batch_size - view_.size(), take);
        settle(ring);
      }
      next_ring_ = (next_ring_ + 1) % rings.size();
      if (view_.empty()) return exported;
      export_batch();
      exported = true;
      if (view_.size() < batch_size) return exported;
    }
  }

  void settle(detail::SpanRing& ring) noexcept {
    if (const std::size_t settled = ring.settle_reported()) {
      state_->reported_waiting.fetch_sub(settled, std::memory_order_relaxed);
    }
  }

  void export_batch() {
    detail::Counters& counters = detail::counters();
    if (state_->exporter == nullptr) {
      detail::count(counters.spans_dropped_at_fork, view_.size());
      detail::log_once(dropped_at_fork_reported, LogLevel::kWarning,
                       "batch span processor: this process was forked while an export was "
                       "running; its spans are dropped (counted in spans_dropped_at_fork)");
    } else {
      ExportResult result;
      {
        std::unique_lock<std::mutex> exporting = lock_exporter();
        result = state_->exporter->export_spans(view_);
      }
      detail::count(result == ExportResult::kSuccess ? counters.spans_exported
                                                     : counters.spans_export_failed,
                    view_.size());
    }
    for (detail::SpanRecord* record : records_) detail::recycle_record(record);
  }

  // Between two exporter calls, a fork() that waits for the exporter goes first (a mutex alone
  // would let this thread take it back at once, over and over, under steady load).
  std::unique_lock<std::mutex> lock_exporter() {
    while (state_->fork_pending.load(std::memory_order_acquire)) {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    return std::unique_lock<std::mutex>(state_->export_mutex);
  }

  std::shared_ptr<BatchState> state_;
  std::vector<const SpanData*> view_;         // the batch the exporter sees
  std::vector<SpanData> copied_;              // the batch's spans that were queued as copies
  std::vector<detail::SpanRecord*> records_;  // the batch's spans that were queued as records
  std::size_t next_ring_ = 0;
};

class BatchProcessor;

// The live batch processors, for the fork handlers.
struct ProcessorRegistry {
  std::mutex mutex;
  std::vector<BatchProcessor*> processors;
};

ProcessorRegistry& registry() {
  static ProcessorRegistry* const instance = new ProcessorRegistry();  // used during exit
  return *instance;
}

void prepare_processors_for_fork() noexcept;

// Polls try_lock rather than using a timed mutex: ThreadSanitizer does not follow
// pthread_mutex_clocklock, and the wait is rare and short.
bool lock_within(std::mutex& mutex, std::chrono::milliseconds limit) noexcept {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!mutex.try_lock()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  return true;
}
void release_processors_in_parent() noexcept;
void rebuild_processors_in_child() noexcept;

class BatchProcessor final : public detail::BuiltinProcessor {
 public:
  BatchProcessor(std::unique_ptr<SpanExporter> exporter, BatchOptions options)
      : state_(std::make_shared<BatchState>(std::move(exporter), options)) {
    detail::install_fork_handlers(detail::ForkStage::kExport,
                                  {&prepare_processors_for_fork, &release_processors_in_parent,
                                   &rebuild_processors_in_child});
    start_export_thread();
    std::lock_guard<std::mutex> lock(registry().mutex);
    registry().processors.push_back(this);
  }

  ~BatchProcessor() override {
    {
      std::lock_guard<std::mutex> lock(registry().mutex);
      auto& all = registry().processors;
      all.erase(std::remove(all.begin(), all.end(), this), all.end());
    }
    shutdown(state_->options.export_timeout);
  }

  // fork(), called with the registry locked: see the comment at the top of the file.
  void prepare_fork() noexcept {
    thread_mutex_.lock();
    state_->fork_pending.store(true, std::memory_order_release);
    fresh_from_ = detail::fresh_in_child(state_->exporter.get());
    export_held_at_fork_ = fresh_from_ != nullptr
                               ? state_->export_mutex.try_lock()
                               : lock_within(state_->export_mutex, kForkExportWait);
    state_->mutex.lock();
  }

  void release_in_parent() noexcept {
    state_->mutex.unlock();
    if (export_held_at_fork_) state_->export_mutex.unlock();
    state_->fork_pending.store(false, std::memory_order_release);
    thread_mutex_.unlock();
  }

  void rebuild_in_child() noexcept {
    const std::shared_ptr<BatchState> old = state_;
    const bool running = (thread_ != nullptr || thread_pending_) && !old->stop;
    // The queues hold spans the parent exports; this process's threads start new ones.
    for (const auto& ring : old->rings) ring->mark_consumer_gone();
    old->fork_pending.store(false, std::memory_order_release);
    old->mutex.unlock();
    if (export_held_at_fork_) old->export_mutex.unlock();
    thread_mutex_.unlock();
    if (!running) return;
    try {
      std::unique_ptr<SpanExporter> exporter;
      if (export_held_at_fork_) exporter = std::move(old->exporter);
      state_ = std::make_shared<BatchState>(std::move(exporter), old->options);
      // The old exporter stays allocated with the old state (see below) for make_for_child().
      if (!export_held_at_fork_) state_->fresh_from = fresh_from_;
      // The old export thread does not exist here: its std::thread is forgotten, never joined,
      // and the old state it references stays allocated.
      static_cast<void>(thread_.release());
      // Started when this process first queues a span: a child that never ends a span through
      // this processor (or relays instead) runs no export thread at all.
      thread_pending_ = true;
    } catch (...) {
      state_->accepting.store(false, std::memory_order_release);
    }
  }

  // The queue holds a span's attributes and events in the layout a record can keep them in
  // (span_extension.h).
  bool takes_span_bytes() const noexcept override { return true; }
  // A span's end time is read once it has a slot (settle_end_time).
  bool times_span_ends() const noexcept override { return true; }

  void on_end(FinishedSpan span) noexcept override {
    if (!span->context.is_sampled()) return;
    if (!state_->accepting.load(std::memory_order_acquire)) {
      detail::count(detail::counters().spans_dropped_after_shutdown);
      return;
    }
    auto& record = static_cast<detail::SpanRecord&>(*span);
    detail::SpanRing* ring = known_ring_of_this_thread();
    if (__builtin_expect(ring == nullptr, 0)) {
      // This thread's first span here: the span ended before the queue is made for it.
      detail::settle_end_time(record);
      ring = register_ring_of_this_thread();
    }
    // Plain spans, the common case, take a path of their own: one slot, no extension to size.
    const bool queued = __builtin_expect(detail::fits_in_slot(record), 1)
                            ? queue_plain(span, record, ring)
                            : queue_decorated(span, record, ring);
    if (!queued) {
      detail::counters().spans_dropped_queue_full.add(detail::thread_state().serial);
      detail::log_once(queue_full_reported, LogLevel::kWarning,
                       "batch span queue full: spans are being dropped (counted in "
                       "weft::diagnostics().spans_dropped_queue_full; raise OTEL_BSP_MAX_QUEUE_SIZE "
                       "or export faster)");
      return;
    }
    if (batch_is_waiting(*ring) && !state_->wake_requested.load(std::memory_order_relaxed) &&
        !state_->wake_requested.exchange(true, std::memory_order_relaxed)) {
      std::lock_guard<std::mutex> lock(state_->mutex);
      state_->wake.notify_one();
    }
  }

  // Whether a batch's worth of spans waits: in all the queues together, as far as they have been
  // reported, or in this thread's queue (exact). The report comes first whatever this queue
  // holds, so that it never covers more than a step's worth of spans.
  bool batch_is_waiting(detail::SpanRing& ring) noexcept {
    const std::size_t batch_size = state_->options.max_export_batch_size;
    bool waiting = false;
    if (const std::size_t reported =
            ring.unreported(state_->report_step.load(std::memory_order_relaxed))) {
      waiting = state_->reported_waiting.fetch_add(reported, std::memory_order_relaxed) +
                    reported >=
                batch_size;
      ring.mark_reported(reported);
    }
    return waiting || ring.producer_sees_at_least(batch_size);
  }

  bool force_flush(std::chrono::milliseconds timeout) noexcept override {
    if (export_thread_pending()) return true;  // nothing was queued in this process
    std::unique_lock<std::mutex> lock(state_->mutex);
    if (state_->exited) return true;
    const std::uint64_t ticket = ++state_->flushes_requested;
    state_->wake_requested.store(true, std::memory_order_relaxed);  // seen by a busy spell too
    state_->wake.notify_one();
    return state_->progress.wait_for(lock, timeout, [&] {
      return state_->flushes_done >= ticket || state_->exited;
    });
  }

  bool shutdown(std::chrono::milliseconds timeout) noexcept override {
    if (export_thread_pending()) {
      state_->accepting.store(false, std::memory_order_release);
      return true;
    }
    if (thread_ == nullptr || !thread_->joinable()) return true;
    state_->accepting.store(false, std::memory_order_release);
    // An export waiting to retry a collector that does not answer stops waiting: see
    // final_drain.h.
    detail::begin_final_drain(state_->exporter.get());
    std::unique_lock<std::mutex> lock(state_->mutex);
    state_->stop = true;
    state_->wake_requested.store(true, std::memory_order_relaxed);  // seen by a busy spell too
    state_->wake.notify_one();
    const bool finished =
        state_->progress.wait_for(lock, timeout, [&] { return state_->exited; });
    lock.unlock();
    if (finished) {
      thread_->join();
    } else {
      thread_->detach();  // it keeps its own reference to the state
      detail::log_warning("batch span processor: shutdown timed out; the export thread was left "
                          "to finish on its own");
    }
    return finished;
  }

 private:
  // Each returns false when the queue is full (or missing): the span is dropped. A copied span's
  // record is reused by this thread at once; a span queued as its record is the export thread's.
  // A plain record needs only its scalars reset, also when dropped (the common case when a
  // producer outruns the exporter).
  static bool queue_plain(FinishedSpan& span, detail::SpanRecord& record,
                          detail::SpanRing* ring) noexcept {
    detail::QueuedSpan* slot = ring != nullptr ? ring->claim(1) : nullptr;
    static_cast<void>(span.release());
    if (slot == nullptr) {
      detail::recycle_plain_record(&record);
      return false;
    }
    detail::settle_end_time(record);
    if (const detail::QueuedThread* thread = thread_of(record, *ring)) {
      detail::copy_into_slot(record, thread, 0, *slot);
      ring->publish(1);
      detail::recycle_plain_record(&record);
    } else {
      queue_as_record(record, *ring, *slot);
    }
    return true;
  }

  // A span with attributes, events and the like is copied into its slot and the slots after it,
  // unless it cannot be (see span_extension.h). A dropped one is cleared by the FinishedSpan.
  static bool queue_decorated(FinishedSpan& span, detail::SpanRecord& record,
                              detail::SpanRing* ring) noexcept {
    const std::size_t extension = detail::extension_slots_for(record);
    const bool copy = extension != detail::kQueueAsRecord && detail::slot_can_hold_origin(record);
    detail::QueuedSpan* slot = ring != nullptr ? ring->claim(copy ? 1 + extension : 1) : nullptr;
    if (slot == nullptr) return false;
    static_cast<void>(span.release());
    detail::settle_end_time(record);
    const detail::QueuedThread* thread = copy ? thread_of(record, *ring) : nullptr;
    if (thread != nullptr) {
      detail::copy_into_slot(record, thread, extension, *slot);
      detail::write_extension(record, ring->extension_run(), extension);
      ring->publish(1 + extension);
      detail::recycle_record(&record);
    } else {
      queue_as_record(record, *ring, *slot);
    }
    return true;
  }

  static void queue_as_record(detail::SpanRecord& record, detail::SpanRing& ring,
                              detail::QueuedSpan& slot) noexcept {
    slot.record = &record;
    slot.extension_slots = 0;
    ring.publish(1);
  }

  // The queue's entry for the thread that started the span, or null when it keeps too many.
  static const detail::QueuedThread* thread_of(const detail::SpanRecord& record,
                                               detail::SpanRing& ring) noexcept {
    try {
      const bool by_serial =
          record.thread_name_serial != 0 && record.tracer->provider->thread_names_trusted;
      return by_serial ? ring.thread_for(record.thread_name_serial, record.thread_id,
                                         record.thread_name)
                       : ring.thread_for(record.thread_id, record.thread_name);
    } catch (...) {
      return nullptr;
    }
  }

  // This thread's queue into this processor, or null before its first span here.
  detail::SpanRing* known_ring_of_this_thread() noexcept {
    for (auto& entry : detail::thread_state().rings) {
      if (entry.first == state_->id) return entry.second.get();
    }
    return nullptr;
  }

  // Made at this thread's first span here: forget queues into processors that are gone, then
  // register a new one (null when there is no memory for it). In a forked child the first span
  // also starts the export thread.
  detail::SpanRing* register_ring_of_this_thread() noexcept {
    auto& rings = detail::thread_state().rings;
    start_pending_export_thread();
    rings.erase(std::remove_if(rings.begin(), rings.end(),
                               [](const auto& entry) { return entry.second->consumer_gone(); }),
                rings.end());
    try {
      auto ring = std::make_shared<detail::SpanRing>(
          std::min(state_->options.max_queue_size, kMaxQueuePerThread),
          std::weak_ptr<detail::ProducerExitListener>(state_->exit_notice));
      {
        std::lock_guard<std::mutex> lock(state_->mutex);
        state_->rings.push_back(ring);
        state_->recount_report_step();
      }
      rings.emplace_back(state_->id, ring);
      return ring.get();
    } catch (...) {
      return nullptr;
    }
  }

  bool export_thread_pending() noexcept {
    std::lock_guard<std::mutex> lock(thread_mutex_);
    return thread_pending_;
  }

  void start_pending_export_thread() noexcept {
    std::lock_guard<std::mutex> lock(thread_mutex_);
    if (!thread_pending_) return;
    thread_pending_ = false;
    try {
      // Made here, not in the fork handler, and before the thread that uses it exists.
      if (state_->exporter == nullptr && state_->fresh_from != nullptr) {
        try {
          state_->exporter = state_->fresh_from->make_for_child();
        } catch (...) {
          // No exporter: this process's spans are dropped and counted, as without one.
        }
      }
      start_export_thread();
    } catch (...) {
      state_->accepting.store(false, std::memory_order_release);
    }
  }

  void start_export_thread() {
    thread_ = std::make_unique<std::thread>([state = state_] { BatchExportLoop(state).run(); });
  }

  std::shared_ptr<BatchState> state_;
  std::unique_ptr<std::thread> thread_;
  std::mutex thread_mutex_;      // for thread_pending_
  bool thread_pending_ = false;  // in a fork()ed child, until the first span is queued
  bool export_held_at_fork_ = false;
  const detail::FreshInChild* fresh_from_ = nullptr;  // set by prepare_fork()
};

void prepare_processors_for_fork() noexcept {
  registry().mutex.lock();
  for (BatchProcessor* processor : registry().processors) processor->prepare_fork();
}

void release_processors_in_parent() noexcept {
  for (BatchProcessor* processor : registry().processors) processor->release_in_parent();
  registry().mutex.unlock();
}

void rebuild_processors_in_child() noexcept {
  for (BatchProcessor* processor : registry().processors) processor->rebuild_in_child();
  registry().mutex.unlock();
}

}  // namespace

std::unique_ptr<SpanProcessor> make_batch_processor(std::unique_ptr<SpanExporter> exporter,
                                                    BatchOptions options) {
  return std::make_unique<BatchProcessor>(std::move(exporter), options);
}

}  // namespace weft
