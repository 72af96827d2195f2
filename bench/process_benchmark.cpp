// Crossing a process boundary: serializing the context into an environment and restoring it on
// the other side, and relaying a finished span to the parent process versus exporting it in the
// process that ended it.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <benchmark/benchmark.h>

#include "process/relay_codec.h"
#include "process/relay_sender.h"
#include "weft/weft.h"

namespace {

weft::Context sample_context() {
  weft::SpanContext span;
  span.trace_id = *weft::TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736");
  span.span_id = *weft::SpanId::from_hex("00f067aa0ba902b7");
  span.flags = weft::TraceFlags(weft::TraceFlags::kSampled);
  return weft::Context().with_span(span);
}

// What spawn() does in the parent and a weft program does at start-up, on a small environment.
void BM_ContextThroughEnvironment(benchmark::State& state) {
  const weft::Context context = sample_context();
  std::vector<std::string> environment{"PATH=/usr/bin:/bin", "HOME=/root", "LANG=C.UTF-8"};
  for (auto _ : state) {
    weft::inject_environment(context, environment);
    weft::EnvironmentCarrier carrier(environment);
    weft::Context restored = weft::propagation::global().extract(carrier);
    benchmark::DoNotOptimize(restored);
  }
}
BENCHMARK(BM_ContextThroughEnvironment);

class DiscardingExporter final : public weft::SpanExporter {
 public:
  weft::ExportResult export_spans(const std::vector<const weft::SpanData*>&) noexcept override {
    return weft::ExportResult::kSuccess;
  }
};

std::shared_ptr<weft::TracerProvider> make_provider(std::shared_ptr<weft::SpanProcessor> processor) {
  weft::Options options;
  options.processors.push_back(std::move(processor));
  return std::make_shared<weft::TracerProvider>(
      weft::finalize_config(std::move(options), [](std::string_view) { return std::nullopt; }));
}

// Baseline: the span ends in this process and goes through the batch processor.
void BM_SpanExportedInProcess(benchmark::State& state) {
  static auto provider =
      make_provider(weft::make_batch_processor(std::make_unique<DiscardingExporter>()));
  weft::Tracer tracer = provider->tracer("bench");
  for (auto _ : state) tracer.start_span("plain").end();
}
BENCHMARK(BM_SpanExportedInProcess);

// The span is sent to the "parent" (a thread here that reads and decodes every message, as the
// parent's relay thread does): one message at start, one at end.
void BM_SpanRelayedToParent(benchmark::State& state) {
  int ends[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, ends) != 0) {
    state.SkipWithError("socketpair failed");
    return;
  }
  std::atomic<std::uint64_t> decoded{0};
  std::thread parent([fd = ends[0], &decoded] {
    std::vector<char> buffer(1 << 20);
    for (;;) {
      const ssize_t size = recv(fd, buffer.data(), buffer.size(), 0);
      if (size <= 0) return;
      if (weft::detail::decode_relay_message(
              std::string_view(buffer.data(), static_cast<std::size_t>(size)))) {
        decoded.fetch_add(1, std::memory_order_relaxed);
      }
    }
  });
  {
    auto provider = make_provider(weft::detail::make_relay_sender(ends[1]));
    weft::Tracer tracer = provider->tracer("bench");
    for (auto _ : state) tracer.start_span("plain").end();
    provider->shutdown();
  }
  shutdown(ends[1], SHUT_RDWR);
  close(ends[1]);
  parent.join();
  close(ends[0]);
  state.counters["messages_decoded"] = static_cast<double>(decoded.load());
}
BENCHMARK(BM_SpanRelayedToParent);

}  // namespace

BENCHMARK_MAIN();
