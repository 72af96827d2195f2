// The W3C propagators, the composite propagator and the map carrier.
#include <strings.h>

#include "weft/propagation.h"

namespace weft {
namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::optional<std::string_view> MapCarrier::get(std::string_view key) const {
  for (const auto& [name, value] : map_) {
    if (equal_ignoring_case(name, key)) return std::string_view(value);
  }
  return std::nullopt;
}

void MapCarrier::set(std::string_view key, std::string_view value) {
  for (auto& [name, existing] : map_) {
    if (equal_ignoring_case(name, key)) {
      existing.assign(value);
      return;
    }
  }
  map_.emplace(std::string(key), std::string(value));
}

void TraceContextPropagator::inject(const Context& context, TextMapCarrier& carrier) const {
  const SpanContext& span = context.span_context();
  if (!span.is_valid()) return;
  carrier.set("traceparent", format_traceparent(span));
  if (!span.trace_state.empty()) carrier.set("tracestate", span.trace_state.to_header());
}

Context TraceContextPropagator::extract(const TextMapCarrier& carrier, const Context& base) const {
  const auto traceparent = carrier.get("traceparent");
  if (!traceparent) return base;
  std::optional<SpanContext> span = parse_traceparent(*traceparent);
  if (!span) return base;  // an invalid traceparent: tracestate is ignored too
  if (const auto tracestate = carrier.get("tracestate")) {
    if (auto parsed = TraceState::parse(*tracestate)) span->trace_state = std::move(*parsed);
  }
  return base.with_span(std::move(*span));
}

void BaggagePropagator::inject(const Context& context, TextMapCarrier& carrier) const {
  if (context.baggage().empty()) return;
  const std::string header = context.baggage().to_header();
  if (!header.empty()) carrier.set("baggage", header);
}

Context BaggagePropagator::extract(const TextMapCarrier& carrier, const Context& base) const {
  const auto header = carrier.get("baggage");
  if (!header) return base;
  Baggage received = Baggage::parse(*header);
  if (received.empty()) return base;
  Baggage merged = base.baggage();
  for (const Baggage::Entry& entry : received.entries()) {
    merged = merged.set(entry.key, entry.value, entry.metadata);
  }
  return base.with_baggage(std::move(merged));
}

void CompositePropagator::inject(const Context& context, TextMapCarrier& carrier) const {
  for (const auto& propagator : propagators_) propagator->inject(context, carrier);
}

Context CompositePropagator::extract(const TextMapCarrier& carrier, const Context& base) const {
  Context result = base;
  for (const auto& propagator : propagators_) result = propagator->extract(carrier, result);
  return result;
}

std::vector<std::string> CompositePropagator::fields() const {
  std::vector<std::string> all;
  for (const auto& propagator : propagators_) {
    for (std::string& field : propagator->fields()) all.push_back(std::move(field));
  }
  return all;
}

}  // namespace weft
