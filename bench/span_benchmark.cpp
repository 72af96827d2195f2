// The span hot path: start+end of plain spans, spans with attributes and an event, nested spans,
// context hand-off, and the clock read they are compared with.
#include <time.h>

#include <benchmark/benchmark.h>

#include "runtime/clock.h"
#include "weft/diagnostics.h"
#include "weft/weft.h"

namespace {

// The share of the spans ended in a benchmark that the batch queue dropped because it was full (the
// export thread fell behind), as the counter dropped_percent. A dropped span costs less than a
// queued one (its end is never timed), so a figure is only comparable with its drop share beside
// it. Thread 0 reports for all threads (each runs as many iterations).
class DropShare {
 public:
  DropShare(benchmark::State& state, int spans_per_iteration)
      : state_(state),
        spans_per_iteration_(spans_per_iteration),
        before_(weft::diagnostics().spans_dropped_queue_full) {}
  ~DropShare() {
    if (state_.thread_index() != 0) return;
    const double dropped =
        static_cast<double>(weft::diagnostics().spans_dropped_queue_full - before_);
    const double ended = static_cast<double>(state_.iterations()) * state_.threads() *
                         spans_per_iteration_;
    state_.counters["dropped_percent"] = ended > 0 ? 100.0 * dropped / ended : 0.0;
  }
  DropShare(const DropShare&) = delete;
  DropShare& operator=(const DropShare&) = delete;

 private:
  benchmark::State& state_;
  const int spans_per_iteration_;
  const std::uint64_t before_;
};

// Spans go through the batch processor into an exporter that discards them, as in the reference
// measurement of the OpenTelemetry C++ SDK.
class DiscardingExporter final : public weft::SpanExporter {
 public:
  weft::ExportResult export_spans(const std::vector<const weft::SpanData*>&) noexcept override {
    return weft::ExportResult::kSuccess;
  }
};

std::shared_ptr<weft::TracerProvider> make_provider(std::shared_ptr<const weft::Sampler> sampler) {
  weft::Options options;
  options.sampler = std::move(sampler);
  options.processors.push_back(
      weft::make_batch_processor(std::make_unique<DiscardingExporter>()));
  return std::make_shared<weft::TracerProvider>(
      weft::finalize_config(std::move(options), [](std::string_view) { return std::nullopt; }));
}

weft::TracerProvider& provider() {
  static auto instance = make_provider(weft::always_on_sampler());
  return *instance;
}

void BM_ClockGettimeRealtime(benchmark::State& state) {
  for (auto _ : state) {
    timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    benchmark::DoNotOptimize(now);
  }
}
BENCHMARK(BM_ClockGettimeRealtime)->Threads(1)->Threads(2);

// The floor under every recorded span: weft's own clock (the calibrated time-stamp counter where
// the kernel keeps time with it) read twice, for the start and the end time. What a span costs
// above this is the library's work.
void BM_SpanClockTwice(benchmark::State& state) {
  for (auto _ : state) {
    std::uint64_t start = weft::detail::now_unix_nano();
    benchmark::DoNotOptimize(start);
    std::uint64_t end = weft::detail::now_unix_nano();
    benchmark::DoNotOptimize(end);
  }
}
BENCHMARK(BM_SpanClockTwice);

void BM_PlainSpan(benchmark::State& state) {
  weft::Tracer tracer = provider().tracer("bench");
  DropShare drops(state, 1);
  for (auto _ : state) {
    weft::Span span = tracer.start_span("plain");
    span.end();
  }
}
BENCHMARK(BM_PlainSpan)->Threads(1)->Threads(2);

void BM_SpanWithAttributesAndEvent(benchmark::State& state) {
  weft::Tracer tracer = provider().tracer("bench");
  DropShare drops(state, 1);
  for (auto _ : state) {
    weft::Span span = tracer.start_span("decorated");
    span.set_attribute("int.one", 1).set_attribute("int.two", 2);
    span.set_attribute("string.one", "value-one").set_attribute("string.two", "value-two");
    span.add_event("event");
    span.end();
  }
}
BENCHMARK(BM_SpanWithAttributesAndEvent)->Threads(1)->Threads(2);

void BM_ParentCurrentChildEnded(benchmark::State& state) {
  weft::Tracer tracer = provider().tracer("bench");
  DropShare drops(state, 2);
  for (auto _ : state) {
    weft::ScopedSpan parent = tracer.start_scoped_span("parent");
    tracer.start_span("child").end();
  }
}
BENCHMARK(BM_ParentCurrentChildEnded)->Threads(1)->Threads(2);

void BM_ContextHandOff(benchmark::State& state) {
  weft::Tracer tracer = provider().tracer("bench");
  weft::ScopedSpan parent = tracer.start_scoped_span("parent");
  for (auto _ : state) {
    weft::Context captured = weft::Context::current();
    weft::Scope scope(std::move(captured));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_ContextHandOff)->Threads(1)->Threads(2);

void BM_UnsampledSpan(benchmark::State& state) {
  static auto off = make_provider(weft::always_off_sampler());
  weft::Tracer tracer = off->tracer("bench");
  for (auto _ : state) {
    weft::Span span = tracer.start_span("unsampled");
    span.end();
  }
}
BENCHMARK(BM_UnsampledSpan)->Threads(1)->Threads(2);

// The common case under ratio or parent-based sampling: inside a trace that was not sampled, every
// span is a non-sampled child, which takes its trace id from the parent.
void BM_UnsampledChildSpan(benchmark::State& state) {
  static auto off = make_provider(weft::always_off_sampler());
  weft::Tracer tracer = off->tracer("bench");
  weft::ScopedSpan parent = tracer.start_scoped_span("unsampled-parent");
  for (auto _ : state) {
    weft::Span span = tracer.start_span("unsampled-child");
    span.end();
  }
}
BENCHMARK(BM_UnsampledChildSpan)->Threads(1)->Threads(2);

}  // namespace

BENCHMARK_MAIN();
