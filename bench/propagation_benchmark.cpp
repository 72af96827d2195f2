// W3C Trace Context propagation: inject a context into an HTTP-header-like carrier and extract it
// again (`traceparent` and `tracestate`), through the public propagator and carrier API.
#include <benchmark/benchmark.h>

#include <map>
#include <string>

#include "weft/weft.h"

namespace {

// A sampled span context as a service in the middle of a call chain holds it: two vendors have
// added their entries to the trace state.
weft::Context context_to_send() {
  weft::SpanContext span;
  span.trace_id = weft::generate_trace_id();
  span.span_id = weft::generate_span_id();
  span.flags = weft::TraceFlags(weft::TraceFlags::kSampled);
  span.trace_state = weft::TraceState().set("rojo", "00f067aa0ba902b7").set("congo", "t61rcWkgMzE");
  return weft::Context().with_span(span);
}

// The other headers of an ordinary request, so that looking up ours is not a one-entry search.
std::map<std::string, std::string> request_headers() {
  return {{"accept", "application/json"},
          {"host", "orders.internal:8080"},
          {"user-agent", "weft-bench/1.0"}};
}

// One outgoing request and its arrival on the other side, with the header map reused from request
// to request as a server's or client's connection reuses its header storage.
void BM_W3cInjectExtract(benchmark::State& state) {
  const weft::TraceContextPropagator propagator;
  const weft::Context sent = context_to_send();
  std::map<std::string, std::string> headers = request_headers();
  weft::MapCarrier carrier(headers);
  for (auto _ : state) {
    propagator.inject(sent, carrier);
    weft::Context received = propagator.extract(carrier);
    benchmark::DoNotOptimize(received);
  }
  if (propagator.extract(carrier).span_context().trace_id != sent.span_context().trace_id) {
    state.SkipWithError("the extracted context is not the injected one");
  }
}
BENCHMARK(BM_W3cInjectExtract);

// The same with a new header map per request, so the carrier's own allocations are included.
void BM_W3cInjectExtractFreshCarrier(benchmark::State& state) {
  const weft::TraceContextPropagator propagator;
  const weft::Context sent = context_to_send();
  for (auto _ : state) {
    std::map<std::string, std::string> headers = request_headers();
    weft::MapCarrier carrier(headers);
    propagator.inject(sent, carrier);
    weft::Context received = propagator.extract(carrier);
    benchmark::DoNotOptimize(received);
  }
}
BENCHMARK(BM_W3cInjectExtractFreshCarrier);

// `traceparent` alone (an empty trace state, the common case within one organisation).
void BM_W3cInjectExtractTraceparentOnly(benchmark::State& state) {
  const weft::TraceContextPropagator propagator;
  weft::SpanContext span = context_to_send().span_context();
  span.trace_state = weft::TraceState();
  const weft::Context sent = weft::Context().with_span(span);
  std::map<std::string, std::string> headers = request_headers();
  weft::MapCarrier carrier(headers);
  for (auto _ : state) {
    propagator.inject(sent, carrier);
    weft::Context received = propagator.extract(carrier);
    benchmark::DoNotOptimize(received);
  }
}
BENCHMARK(BM_W3cInjectExtractTraceparentOnly);

}  // namespace

BENCHMARK_MAIN();
