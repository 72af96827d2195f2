// Sustained load: one thread creates 10 million plain spans as fast as it can, with the default
// batch settings and the file exporter (OTLP/JSON lines into a scratch file), then shuts down.
// Reports the producer's cost per span, how many spans were exported and how many dropped, and the
// peak RSS; every span must be accounted for: exported + counted as lost == created, exactly.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "child_measurement.h"
#include "weft/weft.h"

namespace {

constexpr std::uint64_t kSpans = 10000000;

struct LoadMeasurement {
  double producer_seconds = 0;      // wall time: what the application waits
  double producer_cpu_seconds = 0;  // the producer thread's CPU time: what it spends itself
  double shutdown_seconds = 0;
  std::uint64_t exported = 0;
  std::uint64_t dropped_queue_full = 0;
  std::uint64_t dropped_after_shutdown = 0;
  std::uint64_t export_failed = 0;
  std::uint64_t file_bytes = 0;
  long peak_rss_kb = 0;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// In a fresh process, so that the peak RSS is this run's alone.
LoadMeasurement run_load(const std::string& path) {
  weft::reset_diagnostics();
  weft::Options options;
  options.exporter = "file";
  options.file_path = path;
  options.sampler = weft::always_on_sampler();
  // Nothing else from the environment: the batch settings are the defaults.
  auto provider = std::make_shared<weft::TracerProvider>(
      weft::finalize_config(std::move(options), [](std::string_view) { return std::nullopt; }));
  weft::Tracer tracer = provider->tracer("bench");
  LoadMeasurement measurement;
  const double cpu_start = thread_cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t index = 0; index < kSpans; ++index) tracer.start_span("plain").end();
  measurement.producer_seconds = seconds_since(start);
  measurement.producer_cpu_seconds = thread_cpu_seconds() - cpu_start;
  const auto shutdown_start = std::chrono::steady_clock::now();
  provider->shutdown(std::chrono::minutes(5));
  measurement.shutdown_seconds = seconds_since(shutdown_start);
  const weft::Diagnostics counted = weft::diagnostics();
  measurement.exported = counted.spans_exported;
  measurement.dropped_queue_full = counted.spans_dropped_queue_full;
  measurement.dropped_after_shutdown = counted.spans_dropped_after_shutdown;
  measurement.export_failed = counted.spans_export_failed;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  measurement.peak_rss_kb = usage.ru_maxrss;
  if (FILE* file = std::fopen(path.c_str(), "rb")) {
    std::fseek(file, 0, SEEK_END);
    measurement.file_bytes = static_cast<std::uint64_t>(std::ftell(file));
    std::fclose(file);
  }
  return measurement;
}

void BM_SustainedLoadToFile(benchmark::State& state) {
  const std::string path = "/tmp/weft-bench-load-" + std::to_string(getpid()) + ".jsonl";
  std::optional<LoadMeasurement> measurement;
  for (auto _ : state) {
    measurement = weft_bench::measure_in_child<LoadMeasurement>([&] { return run_load(path); });
    std::remove(path.c_str());
    if (measurement) state.SetIterationTime(measurement->producer_seconds);
  }
  if (!measurement) {
    state.SkipWithError("the measuring child process failed");
    return;
  }
  const LoadMeasurement& result = *measurement;
  const std::uint64_t lost =
      result.dropped_queue_full + result.dropped_after_shutdown + result.export_failed;
  state.counters["ns_per_span"] = result.producer_seconds * 1e9 / static_cast<double>(kSpans);
  state.counters["cpu_ns_per_span"] =
      result.producer_cpu_seconds * 1e9 / static_cast<double>(kSpans);
  state.counters["spans_exported"] = static_cast<double>(result.exported);
  state.counters["spans_dropped"] = static_cast<double>(lost);
  state.counters["spans_dropped_queue_full"] = static_cast<double>(result.dropped_queue_full);
  state.counters["peak_rss_mb"] = static_cast<double>(result.peak_rss_kb) / 1024.0;
  state.counters["shutdown_seconds"] = result.shutdown_seconds;
  state.counters["file_mb"] = static_cast<double>(result.file_bytes) / (1024.0 * 1024.0);
  if (result.exported + lost != kSpans) {
    state.SkipWithError(("spans unaccounted for: exported " + std::to_string(result.exported) +
                         " + lost " + std::to_string(lost) + " != " + std::to_string(kSpans))
                            .c_str());
  }
}
// Each run writes up to a few GB of JSON: three repetitions whatever the command line asks.
BENCHMARK(BM_SustainedLoadToFile)
    ->Iterations(1)
    ->Repetitions(3)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
