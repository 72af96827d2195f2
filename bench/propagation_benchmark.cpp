// W3C Trace Context propagation: inject a context into an HTTP-header-like carrier and extract it
// again (`traceparent` and `tracestate`), through the public propagator and carrier API.
#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>
#include <utility>
#include <string_view>
#include <optional>

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

// The measured loop: inject into `carrier`, extract from it; then a check that the round trip
// gave back the sent context (as a remote one).
void inject_and_extract(benchmark::State& state, const weft::Context& sent,
                        weft::TextMapCarrier& carrier) {
  const weft::TraceContextPropagator propagator;
  for (auto _ : state) {
    propagator.inject(sent, carrier);
    weft::Context received = propagator.extract(carrier);
    benchmark::DoNotOptimize(received);
  }
  weft::SpanContext expected = sent.span_context();
  expected.is_remote = true;
  if (propagator.extract(carrier).span_context() != expected) {
    state.SkipWithError("the extracted context is not the injected one");
  }
}

// One outgoing request and its arrival on the other side, with the header map reused from request
// to request as a server's or client's connection reuses its header storage.
void BM_W3cInjectExtract(benchmark::State& state) {
  std::map<std::string, std::string> headers = request_headers();
  weft::MapCarrier carrier(headers);
  inject_and_extract(state, context_to_send(), carrier);
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
  weft::SpanContext span = context_to_send().span_context();
  span.trace_state = weft::TraceState();
  std::map<std::string, std::string> headers = request_headers();
  weft::MapCarrier carrier(headers);
  inject_and_extract(state, weft::Context().with_span(span), carrier);
}
BENCHMARK(BM_W3cInjectExtractTraceparentOnly);

// Request headers kept as many HTTP libraries keep them: a short list of name/value pairs, reused
// from request to request and matched case-insensitively. Its lookups are a few compares, so this
// shows what the propagator itself costs; the std::map carrier above adds its tree walks.
class HeaderListCarrier final : public weft::TextMapCarrier {
 public:
  std::optional<std::string_view> get(std::string_view key) const override {
    for (const auto& [name, value] : headers_) {
      if (same_name(name, key)) return std::string_view(value);
    }
    return std::nullopt;
  }
  void set(std::string_view key, std::string_view value) override {
    for (auto& [name, existing] : headers_) {
      if (same_name(name, key)) {
        existing.assign(value);
        return;
      }
    }
    headers_.emplace_back(std::string(key), std::string(value));
  }
  void add(std::string name, std::string value) {
    headers_.emplace_back(std::move(name), std::move(value));
  }

 private:
  static bool same_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if ((a[i] | 0x20) != (b[i] | 0x20)) return false;  // header names: letters, digits, '-'
    }
    return true;
  }
  std::vector<std::pair<std::string, std::string>> headers_;
};

void BM_W3cInjectExtractHeaderList(benchmark::State& state) {
  HeaderListCarrier carrier;
  for (const auto& [name, value] : request_headers()) carrier.add(name, value);
  inject_and_extract(state, context_to_send(), carrier);
}
BENCHMARK(BM_W3cInjectExtractHeaderList);

}  // namespace

BENCHMARK_MAIN();
