// A disabled SDK (OTEL_SDK_DISABLED=true): what instrumentation left in the code costs when tracing
// is switched off. (A sampled-out span is BM_UnsampledSpan in span_benchmark.cpp.)
#include <benchmark/benchmark.h>

#include <memory>
#include <optional>
#include <string>

#include "weft/weft.h"

namespace {

// Configured as a deployment switches weft off: through the environment variable, read by
// finalize_config() like every other OTEL_* variable.
std::shared_ptr<weft::TracerProvider> make_disabled_provider() {
  const weft::Environment environment = [](std::string_view name) -> std::optional<std::string> {
    if (name == "OTEL_SDK_DISABLED") return "true";
    return std::nullopt;
  };
  return std::make_shared<weft::TracerProvider>(weft::finalize_config({}, environment));
}

weft::TracerProvider& disabled_provider() {
  static auto instance = make_disabled_provider();
  return *instance;
}

void BM_DisabledSdkSpan(benchmark::State& state) {
  weft::Tracer tracer = disabled_provider().tracer("bench");
  if (tracer.enabled()) {
    state.SkipWithError("OTEL_SDK_DISABLED=true did not disable the SDK");
    return;
  }
  for (auto _ : state) {
    weft::Span span = tracer.start_span("disabled");
    span.end();
    benchmark::DoNotOptimize(span);
  }
}
BENCHMARK(BM_DisabledSdkSpan)->Threads(1)->Threads(2);

// With the attributes and the event of the decorated span: each call must be a cheap no-op too.
void BM_DisabledSdkSpanWithAttributesAndEvent(benchmark::State& state) {
  weft::Tracer tracer = disabled_provider().tracer("bench");
  for (auto _ : state) {
    weft::Span span = tracer.start_span("disabled");
    span.set_attribute("int.one", 1).set_attribute("int.two", 2);
    span.set_attribute("string.one", "value-one").set_attribute("string.two", "value-two");
    span.add_event("event");
    span.end();
    benchmark::DoNotOptimize(span);
  }
}
BENCHMARK(BM_DisabledSdkSpanWithAttributesAndEvent);

// A scoped span still makes its (invalid) context current, so nested code behaves the same.
void BM_DisabledSdkScopedSpan(benchmark::State& state) {
  weft::Tracer tracer = disabled_provider().tracer("bench");
  for (auto _ : state) {
    weft::ScopedSpan span = tracer.start_scoped_span("disabled");
    benchmark::DoNotOptimize(span.context());
  }
}
BENCHMARK(BM_DisabledSdkScopedSpan);

}  // namespace

BENCHMARK_MAIN();
