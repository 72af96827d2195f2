// Propagators: inject then extract over carriers, composite order, and OTEL_PROPAGATORS.
#include <gtest/gtest.h>

#include "propagation/global_propagator.h"
#include "weft/propagation.h"

namespace weft {
namespace {

Context sample_context() {
  SpanContext span;
  span.trace_id = generate_trace_id();
  span.span_id = generate_span_id();
  span.flags = TraceFlags(TraceFlags::kSampled | TraceFlags::kRandom);
  span.trace_state = *TraceState::parse("vendor=abc");
  return Context().with_span(span).with_baggage(Baggage().set("user", "alice smith"));
}

TEST(PropagationTest, InjectThenExtractGivesTheSameContextMarkedRemote) {
  const Context original = sample_context();
  std::map<std::string, std::string> headers;
  MapCarrier carrier(headers);
  CompositePropagator propagator({std::make_shared<TraceContextPropagator>(),
                                  std::make_shared<BaggagePropagator>()});
  propagator.inject(original, carrier);
  EXPECT_EQ(headers.count("traceparent"), 1u);
  EXPECT_EQ(headers["tracestate"], "vendor=abc");
  EXPECT_EQ(headers.count("baggage"), 1u);

  Context extracted = propagator.extract(carrier);
  SpanContext expected = original.span_context();
  expected.is_remote = true;
  EXPECT_EQ(extracted.span_context(), expected);
  EXPECT_EQ(extracted.baggage(), original.baggage());
}

TEST(PropagationTest, InvalidTraceparentLeavesTheBaseAndIgnoresTracestate) {
  std::map<std::string, std::string> headers{{"traceparent", "garbage"}, {"tracestate", "a=1"}};
  MapCarrier carrier(headers);
  const Context base = sample_context();
  EXPECT_EQ(TraceContextPropagator().extract(carrier, base), base);
}

TEST(PropagationTest, InvalidTracestateKeepsTheTraceparent) {
  std::map<std::string, std::string> headers{
      {"TraceParent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
      {"tracestate", "a=1,a=2"}};
  MapCarrier carrier(headers);
  Context extracted = TraceContextPropagator().extract(carrier);
  EXPECT_TRUE(extracted.has_span()) << "header names match case-insensitively";
  EXPECT_TRUE(extracted.span_context().trace_state.empty());
}

TEST(PropagationTest, NothingIsInjectedForAnEmptyContext) {
  std::map<std::string, std::string> headers;
  MapCarrier carrier(headers);
  CompositePropagator({std::make_shared<TraceContextPropagator>(),
                       std::make_shared<BaggagePropagator>()})
      .inject(Context(), carrier);
  EXPECT_TRUE(headers.empty());
}

TEST(MapCarrierTest, SetReplacesCaseInsensitively) {
  std::map<std::string, std::string> headers{{"Baggage", "old"}};
  MapCarrier carrier(headers);
  carrier.set("baggage", "new");
  EXPECT_EQ(headers.size(), 1u);
  EXPECT_EQ(carrier.get("BAGGAGE"), std::optional<std::string_view>("new"));
}

TEST(PropagationTest, PropagatorsFromTheEnvironmentValue) {
  EXPECT_EQ(detail::make_propagator_from_env_value("tracecontext,baggage")->fields(),
            (std::vector<std::string>{"traceparent", "tracestate", "baggage"}));
  EXPECT_EQ(detail::make_propagator_from_env_value("baggage")->fields(),
            (std::vector<std::string>{"baggage"}));
  EXPECT_TRUE(detail::make_propagator_from_env_value("none")->fields().empty());
  EXPECT_EQ(detail::make_propagator_from_env_value("b3, tracecontext")->fields(),
            (std::vector<std::string>{"traceparent", "tracestate"}))
      << "unsupported names are skipped";
}

}  // namespace
}  // namespace weft
