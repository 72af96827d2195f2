// Memory per queued span: a batch processor whose exporter is held back, N spans ended on one
// thread, and the growth of the process's allocated memory (malloc's own count, mallinfo2(), so
// weft's allocations are all seen whatever allocates them) divided by N. The growth includes the
// processor, its queue and the span records it holds: everything the queued spans cost.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "child_measurement.h"
#include "weft/weft.h"

namespace {

// A power of two: a queue's capacity is rounded up to one, so this fills it exactly and the figure
// is what a full queue costs per span, not the rounding.
constexpr std::size_t kQueuedSpans = 1 << 16;

// Blocks every export until released, so that all spans stay queued (the first batch waits inside
// the exporter, the rest in the queue).
class HeldBackExporter final : public weft::SpanExporter {
 public:
  struct Gate {
    std::mutex mutex;
    std::condition_variable opened;
    bool open = false;
    void release() {
      std::lock_guard<std::mutex> lock(mutex);
      open = true;
      opened.notify_all();
    }
  };

  explicit HeldBackExporter(std::shared_ptr<Gate> gate) : gate_(std::move(gate)) {}

  weft::ExportResult export_spans(const std::vector<const weft::SpanData*>&) noexcept override {
    std::unique_lock<std::mutex> lock(gate_->mutex);
    gate_->opened.wait(lock, [&] { return gate_->open; });
    return weft::ExportResult::kSuccess;
  }

 private:
  std::shared_ptr<Gate> gate_;
};

std::size_t allocated_bytes() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;  // in use from the heaps + in use as separate mappings
}

struct QueueMeasurement {
  double bytes_per_span = 0;
  std::uint64_t dropped = 0;
};

using SpanMaker = void (*)(weft::Tracer&);

void end_plain_span(weft::Tracer& tracer) { tracer.start_span("plain").end(); }

void end_decorated_span(weft::Tracer& tracer) {
  weft::Span span = tracer.start_span("decorated");
  span.set_attribute("int.one", 1).set_attribute("int.two", 2);
  span.set_attribute("string.one", "value-one").set_attribute("string.two", "value-two");
  span.add_event("event");
  span.end();
}

// In a fresh process: everything from before the provider exists to N spans waiting.
QueueMeasurement measure_queue(SpanMaker make_span) {
  weft::reset_diagnostics();
  auto gate = std::make_shared<HeldBackExporter::Gate>();
  const std::size_t before = allocated_bytes();
  weft::BatchOptions batch;
  batch.max_queue_size = kQueuedSpans;
  weft::Options options;
  options.sampler = weft::always_on_sampler();
  options.processors.push_back(
      weft::make_batch_processor(std::make_unique<HeldBackExporter>(gate), batch));
  auto provider = std::make_shared<weft::TracerProvider>(
      weft::finalize_config(std::move(options), [](std::string_view) { return std::nullopt; }));
  weft::Tracer tracer = provider->tracer("bench");
  for (std::size_t index = 0; index < kQueuedSpans; ++index) make_span(tracer);
  const std::size_t after = allocated_bytes();
  QueueMeasurement measurement;
  measurement.bytes_per_span =
      static_cast<double>(after - before) / static_cast<double>(kQueuedSpans);
  measurement.dropped = weft::diagnostics().spans_dropped_queue_full;
  gate->release();
  provider->shutdown();
  return measurement;
}

void report_queue_memory(benchmark::State& state, SpanMaker make_span) {
  std::optional<QueueMeasurement> measurement;
  for (auto _ : state) {
    measurement =
        weft_bench::measure_in_child<QueueMeasurement>([&] { return measure_queue(make_span); });
  }
  if (!measurement) {
    state.SkipWithError("the measuring child process failed");
    return;
  }
  if (measurement->dropped != 0) {
    state.SkipWithError("spans were dropped: the queue did not hold all of them");
    return;
  }
  state.counters["bytes_per_span"] = measurement->bytes_per_span;
  state.counters["queued_spans"] = static_cast<double>(kQueuedSpans);
}

void BM_QueuedPlainSpanMemory(benchmark::State& state) {
  report_queue_memory(state, end_plain_span);
}
BENCHMARK(BM_QueuedPlainSpanMemory)->Iterations(1);

void BM_QueuedDecoratedSpanMemory(benchmark::State& state) {
  report_queue_memory(state, end_decorated_span);
}
BENCHMARK(BM_QueuedDecoratedSpanMemory)->Iterations(1);

// Memory per thread that ends spans now and then: kQuietThreads threads each end kQuietSpans spans
// in small groups, with an export in between (a flush), at the default batch settings. They then
// stay alive while the allocated memory is read, so each still holds its queue (and its cached
// records). This is what weft costs a thread of a large pool that is mostly idle.
constexpr int kQuietThreads = 16;
constexpr int kQuietSpans = 4000;
constexpr int kQuietGroup = 20;

class DiscardingExporter final : public weft::SpanExporter {
 public:
  weft::ExportResult export_spans(const std::vector<const weft::SpanData*>&) noexcept override {
    return weft::ExportResult::kSuccess;
  }
};

// Memory per thread, and the spans exported, as a measuring child process reports them.
struct ThreadMemoryMeasurement {
  double bytes_per_thread = 0;
  std::uint64_t exported = 0;
};

// A provider at the default batch settings whose exporter discards, with fresh counters.
std::shared_ptr<weft::TracerProvider> make_discarding_provider() {
  weft::reset_diagnostics();
  weft::Options options;
  options.sampler = weft::always_on_sampler();
  options.processors.push_back(weft::make_batch_processor(std::make_unique<DiscardingExporter>()));
  return std::make_shared<weft::TracerProvider>(
      weft::finalize_config(std::move(options), [](std::string_view) { return std::nullopt; }));
}

// Runs `measure` in a child process and reports its bytes per thread; false (the benchmark
// failed) when the child failed or did not export all `spans`.
bool report_thread_memory(benchmark::State& state, ThreadMemoryMeasurement (*measure)(),
                          std::uint64_t spans) {
  std::optional<ThreadMemoryMeasurement> measurement;
  for (auto _ : state) measurement = weft_bench::measure_in_child<ThreadMemoryMeasurement>(measure);
  if (!measurement) {
    state.SkipWithError("the measuring child process failed");
    return false;
  }
  if (measurement->exported != spans) {
    state.SkipWithError("not every span was exported");
    return false;
  }
  state.counters["bytes_per_thread"] = measurement->bytes_per_thread;
  return true;
}

ThreadMemoryMeasurement measure_quiet_threads() {
  const std::shared_ptr<weft::TracerProvider> provider = make_discarding_provider();
  weft::Tracer tracer = provider->tracer("bench");
  provider->force_flush();  // the export thread and its batch exist before the measurement
  const std::size_t before = allocated_bytes();

  std::mutex mutex;
  std::condition_variable changed;
  int finished = 0;
  bool measured = false;
  std::vector<std::thread> threads;
  for (int t = 0; t < kQuietThreads; ++t) {
    threads.emplace_back([&] {
      for (int group = 0; group < kQuietSpans / kQuietGroup; ++group) {
        for (int i = 0; i < kQuietGroup; ++i) tracer.start_span("quiet").end();
        provider->force_flush();
      }
      std::unique_lock<std::mutex> lock(mutex);
      ++finished;
      changed.notify_all();
      changed.wait(lock, [&] { return measured; });
    });
  }
  ThreadMemoryMeasurement measurement;
  {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [&] { return finished == kQuietThreads; });
    measurement.bytes_per_thread =
        static_cast<double>(allocated_bytes() - before) / kQuietThreads;
    measured = true;
    changed.notify_all();
  }
  for (std::thread& thread : threads) thread.join();
  provider->shutdown();
  measurement.exported = weft::diagnostics().spans_exported;
  return measurement;
}

void BM_QuietThreadMemory(benchmark::State& state) {
  if (report_thread_memory(state, measure_quiet_threads,
                           static_cast<std::uint64_t>(kQuietThreads) * kQuietSpans)) {
    state.counters["spans_per_thread"] = kQuietSpans;
  }
}
BENCHMARK(BM_QuietThreadMemory)->Iterations(1);

// Memory still held for threads that have exited: kShortLivedThreads threads, one after the
// other, each end one span and exit (a thread per request), at the default batch settings. The
// allocated memory is read after the last one, with the schedule delay (5 s) not yet passed: what
// the exited threads' queues still hold, per thread. The export thread frees them a batch's worth
// at a time; before it did, each held its first segment (7 KB) until the scheduled export.
constexpr int kShortLivedThreads = 20000;

ThreadMemoryMeasurement measure_exited_threads() {
  const std::shared_ptr<weft::TracerProvider> provider = make_discarding_provider();
  weft::Tracer tracer = provider->tracer("bench");
  provider->force_flush();
  const std::size_t before = allocated_bytes();
  for (int t = 0; t < kShortLivedThreads; ++t) {
    std::thread([&tracer] { tracer.start_span("request").end(); }).join();
  }
  const std::size_t after = allocated_bytes();
  ThreadMemoryMeasurement measurement;
  measurement.bytes_per_thread =
      static_cast<double>(after > before ? after - before : 0) / kShortLivedThreads;
  provider->shutdown();
  measurement.exported = weft::diagnostics().spans_exported;
  return measurement;
}

void BM_ExitedThreadMemory(benchmark::State& state) {
  report_thread_memory(state, measure_exited_threads,
                       static_cast<std::uint64_t>(kShortLivedThreads));
}
BENCHMARK(BM_ExitedThreadMemory)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
