// OTLP export: protobuf encoding (spans per second on one core, bytes per span, allocations per
// batch) next to the OTLP/JSON encoding, and end-to-end batch export over loopback HTTP to a real
// `weft collect` process.
#include <benchmark/benchmark.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "export/otlp_json.h"
#include "export/otlp_proto.h"
#include "weft/weft.h"

extern char** environ;

namespace {

// Counts every allocation of the process, to show that encoding allocates nothing per span.
std::atomic<std::uint64_t> allocations{0};

}  // namespace

// GCC cannot see that these replace the global operators, and warns that malloc and free are
// mismatched with new and delete.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }

namespace {

constexpr std::size_t kBatch = 512;

// A typical batch: HTTP-server-like spans with a few attributes, one in four with an event.
struct TypicalBatch {
  weft::Resource resource{weft::Resource::detect()};
  weft::InstrumentationScope scope{"bench", "1.0.0", ""};
  std::vector<weft::SpanData> spans;
  std::vector<const weft::SpanData*> view;

  TypicalBatch() {
    spans.resize(kBatch);
    for (std::size_t index = 0; index < kBatch; ++index) {
      weft::SpanData& span = spans[index];
      span.context.trace_id = weft::generate_trace_id();
      span.context.span_id = weft::generate_span_id();
      span.context.flags = weft::TraceFlags(weft::TraceFlags::kSampled);
      span.parent_span_id = weft::generate_span_id();
      span.name = "GET /api/orders/{id}";
      span.kind = weft::SpanKind::kServer;
      span.start_time_unix_nano = 1700000000000000000ULL + index * 1000;
      span.end_time_unix_nano = span.start_time_unix_nano + 250000;
      span.attributes = {{"http.request.method", "GET"},
                         {"http.route", "/api/orders/{id}"},
                         {"http.response.status_code", 200},
                         {"server.address", "orders.internal"},
                         {"weft.sample.ratio", 0.5}};
      if (index % 4 == 0) {
        weft::Event event;
        event.name = "cache.miss";
        event.time_unix_nano = span.start_time_unix_nano + 1000;
        event.attributes = {{"cache.key", "order:1234"}};
        span.events.push_back(event);
      }
      span.thread_id = 4242;
      span.thread_name = "worker-3";
      span.resource = &resource;
      span.scope = &scope;
      view.push_back(&span);
    }
  }
};

// A batch of plain spans: only what every weft span carries (name, ids, times, kind, and the
// thread.id and thread.name attributes), seven in eight of them children.
struct PlainBatch {
  weft::Resource resource{weft::Resource::detect()};
  weft::InstrumentationScope scope{"bench", "1.0.0", ""};
  std::vector<weft::SpanData> spans;
  std::vector<const weft::SpanData*> view;

  PlainBatch() {
    spans.resize(kBatch);
    const weft::TraceId trace_id = weft::generate_trace_id();
    for (std::size_t index = 0; index < kBatch; ++index) {
      weft::SpanData& span = spans[index];
      span.context.trace_id = index % 8 == 0 ? weft::generate_trace_id() : trace_id;
      span.context.span_id = weft::generate_span_id();
      span.context.flags = weft::TraceFlags(weft::TraceFlags::kSampled);
      if (index % 8 != 0) span.parent_span_id = spans[index - 1].context.span_id;
      span.name = "plain";
      span.start_time_unix_nano = 1700000000000000000ULL + index * 1000;
      span.end_time_unix_nano = span.start_time_unix_nano + 800;
      span.thread_id = 4242;
      span.thread_name = "worker-3";
      span.resource = &resource;
      span.scope = &scope;
      view.push_back(&span);
    }
  }
};

// Encodes `batch` again and again into one reused buffer, as the OTLP exporter does per export.
template <class Batch>
void encode_protobuf(benchmark::State& state, const Batch& batch) {
  weft::detail::OtlpProtoEncoder encoder;
  std::string body;
  encoder.append_request(body, batch.view);  // the buffer grows to its working size once
  const std::uint64_t allocations_before = allocations.load();
  for (auto _ : state) {
    body.clear();
    encoder.append_request(body, batch.view);
    benchmark::DoNotOptimize(body.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
  state.counters["bytes_per_span"] = static_cast<double>(body.size()) / kBatch;
  state.counters["allocations_per_batch"] =
      static_cast<double>(allocations.load() - allocations_before) /
      static_cast<double>(state.iterations());
}

void BM_OtlpProtobufEncode(benchmark::State& state) {
  const TypicalBatch batch;
  encode_protobuf(state, batch);
}
BENCHMARK(BM_OtlpProtobufEncode);

void BM_OtlpProtobufEncodePlain(benchmark::State& state) {
  const PlainBatch batch;
  encode_protobuf(state, batch);
}
BENCHMARK(BM_OtlpProtobufEncodePlain);

// Writes `batch` as OTLP/JSON again and again into one reused string, as the file exporter does.
template <class Batch>
void encode_json(benchmark::State& state, const Batch& batch) {
  std::string body;
  for (auto _ : state) {
    body.clear();
    weft::detail::append_otlp_json_request(body, batch.view);
    benchmark::DoNotOptimize(body.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
  state.counters["bytes_per_span"] = static_cast<double>(body.size()) / kBatch;
}

void BM_OtlpJsonEncode(benchmark::State& state) {
  const TypicalBatch batch;
  encode_json(state, batch);
}
BENCHMARK(BM_OtlpJsonEncode);

// Plain spans in OTLP/JSON: what the file exporter writes under the sustained load.
void BM_OtlpJsonEncodePlain(benchmark::State& state) {
  const PlainBatch batch;
  encode_json(state, batch);
}
BENCHMARK(BM_OtlpJsonEncodePlain);

#ifdef WEFT_CLI_PATH  // built with the tools
// `weft collect` on a free port of 127.0.0.1, writing to a scratch file.
class Collector {
 public:
  Collector() {
    std::string program = WEFT_CLI_PATH;
    std::string output = "/tmp/weft-bench-collect-" + std::to_string(getpid()) + ".jsonl";
    output_path_ = output;
    std::vector<std::string> arguments = {program, "collect", "--port", "0", "-o", output};
    std::vector<char*> argv;
    for (auto& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);
    int fds[2];
    if (pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    FILE* out = fdopen(fds[0], "r");
    char line[512];
    if (std::fgets(line, sizeof line, out) != nullptr) {
      const std::string text(line);
      const auto at = text.find("127.0.0.1:");
      if (at != std::string::npos) port_ = std::atoi(text.c_str() + at + 10);
    }
    std::fclose(out);
  }
  ~Collector() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    std::remove(output_path_.c_str());
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1/traces"; }
  bool ok() const { return port_ > 0; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string output_path_;
};

// What the batch processor's thread does per batch: encode, post, and wait for `weft collect` to
// decode the body and append it to its file.
void BM_ExportToWeftCollect(benchmark::State& state) {
  Collector collector;
  if (!collector.ok()) {
    state.SkipWithError("weft collect did not start");
    return;
  }
  weft::OtlpHttpOptions options;
  options.endpoint = collector.url();
  options.gzip = state.range(0) != 0;
  auto exporter = weft::make_otlp_http_exporter(options);
  TypicalBatch batch;
  for (auto _ : state) {
    if (exporter->export_spans(batch.view) != weft::ExportResult::kSuccess) {
      state.SkipWithError("export failed");
      break;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
  state.SetLabel(options.gzip ? "gzip" : "uncompressed");
}
BENCHMARK(BM_ExportToWeftCollect)->Arg(0)->Arg(1)->UseRealTime();
#endif

}  // namespace

BENCHMARK_MAIN();
