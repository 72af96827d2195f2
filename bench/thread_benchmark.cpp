// What carrying context across threads costs: the pool with and without propagation (end to end,
// and the two steps propagation adds to each task), and wrapping + invoking a callable against
// invoking it bare. Each at 1 and 2 threads, to show the cost does not grow with threads.
#include <benchmark/benchmark.h>

#include <atomic>
#include <vector>

#include "threads/worker_context.h"
#include "weft/weft.h"

namespace {

class DiscardingExporter final : public weft::SpanExporter {
 public:
  weft::ExportResult export_spans(const std::vector<const weft::SpanData*>&) noexcept override {
    return weft::ExportResult::kSuccess;
  }
};

weft::Tracer& tracer() {
  static auto provider = [] {
    weft::Options options;
    options.processors.push_back(
        weft::make_batch_processor(std::make_unique<DiscardingExporter>()));
    return std::make_shared<weft::TracerProvider>(
        weft::finalize_config(std::move(options), [](std::string_view) { return std::nullopt; }));
  }();
  static weft::Tracer instance = provider->tracer("bench");
  return instance;
}

weft::ThreadPool& pool(bool carry_context) {
  auto make = [](bool carry) {
    weft::ThreadPoolOptions options;
    options.threads = 2;
    options.name = carry ? "carrying" : "plain";
    options.carry_context = carry;
    return options;
  };
  static weft::ThreadPool carrying(make(true));
  static weft::ThreadPool plain(make(false));
  return carry_context ? carrying : plain;
}

constexpr int kBatch = 64;
std::atomic<std::uint64_t> sink{0};

// Posts a batch of trivial tasks from inside a sampled span and waits for the pool to be idle:
// the time per task, with propagation (arg 1) and without (arg 0).
void BM_PoolTask(benchmark::State& state) {
  weft::ThreadPool& target = pool(state.range(0) != 0);
  weft::ScopedSpan parent = tracer().start_scoped_span("parent");
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) {
      target.post([] { sink.fetch_add(1, std::memory_order_relaxed); });
    }
    target.wait();
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_PoolTask)
    ->ArgName("carry_context")
    ->Arg(0)
    ->Arg(1)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

// Exactly what propagation adds to one task, as the pool does it: capturing the current context
// where the task is queued, and making it current (then the worker's empty one again) where it
// runs. As in the pool, a task's context is captured well before it runs: 32 tasks earlier here.
void BM_PropagationPerTask(benchmark::State& state) {
  // This thread plays submitter and worker; its own context stays empty, as a worker's is.
  weft::Span parent = tracer().start_span("parent");
  const weft::Context submitters = weft::Context().with_span(parent.context());
  constexpr std::size_t kRing = 64;
  std::vector<weft::Context> queued(kRing);
  std::size_t next = 0;
  weft::detail::WorkerContext worker;
  for (auto _ : state) {
    queued[next % kRing] = submitters;  // enqueue(): Context::current() is this copy
    worker.run(std::move(queued[(next + 32) % kRing]), [] { benchmark::ClobberMemory(); });
    ++next;
  }
}
BENCHMARK(BM_PropagationPerTask)->Threads(1)->Threads(2);

// The same ring without propagation: what the loop itself costs.
void BM_NoPropagationPerTask(benchmark::State& state) {
  constexpr std::size_t kRing = 64;
  std::vector<int> queued(kRing);
  std::size_t next = 0;
  for (auto _ : state) {
    queued[next % kRing] = static_cast<int>(next);
    benchmark::DoNotOptimize(queued[(next + 32) % kRing]);
    benchmark::ClobberMemory();
    ++next;
  }
}
BENCHMARK(BM_NoPropagationPerTask)->Threads(1)->Threads(2);

int add_one(int value) { return value + 1; }

void BM_InvokeBare(benchmark::State& state) {
  int value = 0;
  auto task = [&value] { value = add_one(value); };
  for (auto _ : state) {
    task();
    benchmark::DoNotOptimize(value);
  }
}
BENCHMARK(BM_InvokeBare)->Threads(1)->Threads(2);

// Wrapping (capturing the context) and invoking (making it current, then restoring) per call.
void BM_WrapAndInvoke(benchmark::State& state) {
  weft::ScopedSpan parent = tracer().start_scoped_span("parent");
  int value = 0;
  for (auto _ : state) {
    auto wrapped = weft::wrap([&value] { value = add_one(value); });
    wrapped();
    benchmark::DoNotOptimize(value);
  }
}
BENCHMARK(BM_WrapAndInvoke)->Threads(1)->Threads(2);

// The same, invoked once as an rvalue (as std::thread, std::async and Asio invoke handlers).
void BM_WrapAndInvokeOnce(benchmark::State& state) {
  weft::ScopedSpan parent = tracer().start_scoped_span("parent");
  int value = 0;
  for (auto _ : state) {
    std::move(weft::wrap([&value] { value = add_one(value); }))();
    benchmark::DoNotOptimize(value);
  }
}
BENCHMARK(BM_WrapAndInvokeOnce)->Threads(1)->Threads(2);

}  // namespace

BENCHMARK_MAIN();
