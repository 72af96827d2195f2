// Round-trip properties over random valid data:
//   spans -> weft's OTLP protobuf encoder -> weft collect's decoder   is the identity,
//   spans -> weft's OTLP/JSON encoder     -> weft collect's JSON path is the identity,
//   contexts -> inject -> extract (W3C headers, the environment carrier) is the identity.
// The expected OTLP/JSON of a span is written here from SpanData, independently of both encoders,
// and decoded spans are compared field by field after filling in OTLP's defaults.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "export/otlp_json.h"
#include "export/otlp_proto.h"
#include "otlp_receiver.h"
#include "weft/environment.h"
#include "weft/propagation.h"
#include "weft/span_data.h"

namespace weft {
namespace {

using nlohmann::json;

constexpr int kIterations = 300;

// ---- Random valid data -------------------------------------------------------------------------

class RandomData {
 public:
  explicit RandomData(unsigned seed) : engine_(seed) {}

  std::uint64_t bits() { return engine_(); }
  std::size_t below(std::size_t bound) { return static_cast<std::size_t>(engine_() % bound); }
  bool coin() { return below(2) == 0; }

  // Valid UTF-8 with the characters that need escaping in JSON: quotes, backslashes, controls,
  // and two-, three- and four-byte sequences.
  std::string text(std::size_t max_length = 12) {
    static const char* const kPieces[] = {"a",    "Z",    "7",    " ", "\"", "\\", "/", "\n", "\t",
                                          "\x01", "\x1f", "\x7f", "é", "€",  "😀",  "{", "]"};
    std::string out;
    const std::size_t length = below(max_length + 1);
    for (std::size_t i = 0; i < length; ++i) out += kPieces[below(std::size(kPieces))];
    return out;
  }
  double finite_double() {
    for (;;) {
      const std::uint64_t raw = bits();
      double value;
      std::memcpy(&value, &raw, sizeof value);
      if (std::isfinite(value)) return value;
    }
  }
  AttributeValue value() {
    switch (below(8)) {
      case 0:
        return coin();
      case 1:
        return static_cast<std::int64_t>(bits());
      case 2:
        return finite_double();
      case 3:
        return text();
      case 4:
        return std::vector<bool>{coin(), coin()};
      case 5:
        return std::vector<std::int64_t>{static_cast<std::int64_t>(bits()), -1};
      case 6:
        return std::vector<double>{finite_double()};
      default:
        return std::vector<std::string>{text(), text(), ""};
    }
  }
  Attributes attributes(std::size_t max_count) {
    Attributes out;
    const std::size_t count = below(max_count + 1);
    for (std::size_t i = 0; i < count; ++i)
      out.push_back({"key." + std::to_string(i) + text(4), value()});
    return out;
  }
  TraceId trace_id() {
    for (;;) {
      TraceId id = TraceId::from_words(bits(), bits());
      if (id.is_valid()) return id;
    }
  }
  SpanId span_id() {
    for (;;) {
      SpanId id = SpanId::from_word(bits());
      if (id.is_valid()) return id;
    }
  }
  std::uint32_t count() { return coin() ? 0 : static_cast<std::uint32_t>(bits()); }

  TraceState trace_state() {
    TraceState state;
    const std::size_t members = below(5);
    for (std::size_t i = 0; i < members; ++i) {
      std::string key = std::string(1, static_cast<char>('a' + below(26))) + std::to_string(i);
      if (coin()) key += "@vendor_" + std::to_string(below(100));
      std::string value;
      const std::size_t length = 1 + below(16);
      for (std::size_t j = 0; j < length; ++j) {
        char c;
        do c = static_cast<char>(0x21 + below(0x7e - 0x21 + 1));
        while (c == ',' || c == '=');
        value += c;
      }
      state = state.set(key, value);
    }
    return state;
  }
  Baggage baggage() {
    Baggage out;
    const std::size_t members = below(6);
    for (std::size_t i = 0; i < members; ++i) {
      out = out.set("k" + std::to_string(i) + (coin() ? "-x_y" : ""), text(10),
                    coin() ? "" : "prop=" + std::to_string(below(9)));
    }
    return out;
  }

  SpanData span(const Resource* resource, const InstrumentationScope* scope) {
    SpanData span;
    span.context.trace_id = trace_id();
    span.context.span_id = span_id();
    span.context.flags = TraceFlags(static_cast<std::uint8_t>(below(4)));
    if (coin()) span.context.trace_state = trace_state();
    if (coin()) span.parent_span_id = span_id();
    span.parent_is_remote = coin();
    span.name = text(20);
    span.kind = static_cast<SpanKind>(1 + below(5));
    span.start_time_unix_nano = bits();
    span.end_time_unix_nano = bits();
    span.attributes = attributes(6);
    span.dropped_attributes_count = count();
    const std::size_t events = below(3);
    for (std::size_t i = 0; i < events; ++i) {
      span.events.push_back(Event{text(), bits(), attributes(3), count()});
    }
    span.dropped_events_count = count();
    const std::size_t links = below(3);
    for (std::size_t i = 0; i < links; ++i) {
      Link link;
      link.context.trace_id = trace_id();
      link.context.span_id = span_id();
      link.context.flags = TraceFlags(static_cast<std::uint8_t>(below(4)));
      link.context.is_remote = coin();
      if (coin()) link.context.trace_state = trace_state();
      link.attributes = attributes(3);
      link.dropped_attributes_count = count();
      span.links.push_back(link);
    }
    span.dropped_links_count = count();
    const auto code = static_cast<StatusCode>(below(3));
    span.status = Status{code, code == StatusCode::kError ? text() : std::string()};
    span.thread_id = coin() ? 0 : static_cast<std::int64_t>(1 + below(1 << 22));
    span.thread_name = text(8);
    span.scope = scope;
    span.resource = resource;
    return span;
  }

 private:
  std::mt19937_64 engine_;
};

// ---- What a span must look like in OTLP/JSON, written from SpanData
// ------------------------------

json expected_value(const AttributeValue& value) {
  return std::visit(
      [](const auto& held) -> json {
        using T = std::decay_t<decltype(held)>;
        if constexpr (std::is_same_v<T, bool>)
          return {{"boolValue", held}};
        else if constexpr (std::is_same_v<T, std::int64_t>)
          return {{"intValue", std::to_string(held)}};
        else if constexpr (std::is_same_v<T, double>)
          return {{"doubleValue", held}};
        else if constexpr (std::is_same_v<T, std::string>)
          return {{"stringValue", held}};
        else {
          json values = json::array();
          for (const auto& element : held) {
            values.push_back(expected_value(AttributeValue(typename T::value_type(element))));
          }
          return {{"arrayValue", {{"values", values}}}};
        }
      },
      value);
}

json expected_attributes(const Attributes& attributes) {
  json out = json::array();
  for (const KeyValue& attribute : attributes) {
    out.push_back({{"key", attribute.key}, {"value", expected_value(attribute.value)}});
  }
  return out;
}

std::uint32_t expected_flags(TraceFlags flags, bool is_remote) {
  return flags.value() | 0x100u | (is_remote ? 0x200u : 0u);
}

json expected_span(const SpanData& span) {
  Attributes attributes = span.attributes;
  if (span.thread_id != 0) {
    attributes.push_back({"thread.id", span.thread_id});
    if (!span.thread_name.empty()) attributes.push_back({"thread.name", span.thread_name});
  }
  json events = json::array();
  for (const Event& event : span.events) {
    events.push_back({{"name", event.name},
                      {"timeUnixNano", std::to_string(event.time_unix_nano)},
                      {"attributes", expected_attributes(event.attributes)},
                      {"droppedAttributesCount", event.dropped_attributes_count}});
  }
  json links = json::array();
  for (const Link& link : span.links) {
    links.push_back({{"traceId", link.context.trace_id.to_hex()},
                     {"spanId", link.context.span_id.to_hex()},
                     {"traceState", link.context.trace_state.to_header()},
                     {"attributes", expected_attributes(link.attributes)},
                     {"droppedAttributesCount", link.dropped_attributes_count},
                     {"flags", expected_flags(link.context.flags, link.context.is_remote)}});
  }
  return {
      {"traceId", span.context.trace_id.to_hex()},
      {"spanId", span.context.span_id.to_hex()},
      {"traceState", span.context.trace_state.to_header()},
      {"parentSpanId", span.parent_span_id.is_valid() ? span.parent_span_id.to_hex() : ""},
      {"flags", expected_flags(span.context.flags, span.parent_is_remote)},
      {"name", span.name},
      {"kind", static_cast<int>(span.kind)},
      {"startTimeUnixNano", std::to_string(span.start_time_unix_nano)},
      {"endTimeUnixNano", std::to_string(span.end_time_unix_nano)},
      {"attributes", expected_attributes(attributes)},
      {"droppedAttributesCount", span.dropped_attributes_count},
      {"events", events},
      {"droppedEventsCount", span.dropped_events_count},
      {"links", links},
      {"droppedLinksCount", span.dropped_links_count},
      {"status", {{"code", static_cast<int>(span.status.code)}, {"message", span.status.message}}}};
}

// ---- A decoded span with OTLP's defaults filled in, in the shape of expected_span() ------------

json field_or(const json& object, const char* name, json fallback) {
  return object.contains(name) ? object.at(name) : fallback;
}

json normalized_value(const json& value) {
  if (value.contains("arrayValue")) {
    json values = json::array();
    for (const json& element : field_or(value["arrayValue"], "values", json::array())) {
      values.push_back(normalized_value(element));
    }
    return {{"arrayValue", {{"values", values}}}};
  }
  return value;
}

json normalized_attributes(const json& owner) {
  json out = json::array();
  for (const json& attribute : field_or(owner, "attributes", json::array())) {
    out.push_back(
        {{"key", attribute.at("key")}, {"value", normalized_value(attribute.at("value"))}});
  }
  return out;
}

json normalized_span(const json& span) {
  json events = json::array();
  for (const json& event : field_or(span, "events", json::array())) {
    events.push_back({{"name", field_or(event, "name", "")},
                      {"timeUnixNano", field_or(event, "timeUnixNano", "0")},
                      {"attributes", normalized_attributes(event)},
                      {"droppedAttributesCount", field_or(event, "droppedAttributesCount", 0)}});
  }
  json links = json::array();
  for (const json& link : field_or(span, "links", json::array())) {
    links.push_back({{"traceId", link.at("traceId")},
                     {"spanId", link.at("spanId")},
                     {"traceState", field_or(link, "traceState", "")},
                     {"attributes", normalized_attributes(link)},
                     {"droppedAttributesCount", field_or(link, "droppedAttributesCount", 0)},
                     {"flags", field_or(link, "flags", 0)}});
  }
  const json status = field_or(span, "status", json::object());
  return {{"traceId", span.at("traceId")},
          {"spanId", span.at("spanId")},
          {"traceState", field_or(span, "traceState", "")},
          {"parentSpanId", field_or(span, "parentSpanId", "")},
          {"flags", field_or(span, "flags", 0)},
          {"name", field_or(span, "name", "")},
          {"kind", field_or(span, "kind", 0)},
          {"startTimeUnixNano", field_or(span, "startTimeUnixNano", "0")},
          {"endTimeUnixNano", field_or(span, "endTimeUnixNano", "0")},
          {"attributes", normalized_attributes(span)},
          {"droppedAttributesCount", field_or(span, "droppedAttributesCount", 0)},
          {"events", events},
          {"droppedEventsCount", field_or(span, "droppedEventsCount", 0)},
          {"links", links},
          {"droppedLinksCount", field_or(span, "droppedLinksCount", 0)},
          {"status",
           {{"code", field_or(status, "code", 0)}, {"message", field_or(status, "message", "")}}}};
}

// Every span of a stored request, in order, with its resource and scope.
struct DecodedSpan {
  json resource_attributes;
  std::string scope_name;
  std::string scope_version;
  json span;
};

std::vector<DecodedSpan> spans_of(const json& request) {
  std::vector<DecodedSpan> out;
  for (const json& resource_spans : field_or(request, "resourceSpans", json::array())) {
    const json resource = field_or(resource_spans, "resource", json::object());
    for (const json& scope_spans : field_or(resource_spans, "scopeSpans", json::array())) {
      const json scope = field_or(scope_spans, "scope", json::object());
      for (const json& span : field_or(scope_spans, "spans", json::array())) {
        out.push_back({normalized_attributes(resource), field_or(scope, "name", ""),
                       field_or(scope, "version", ""), normalized_span(span)});
      }
    }
  }
  return out;
}

// Random batches of spans over two resources and two scopes; `encode` writes one request and
// `decode` is weft collect's way back to the stored OTLP/JSON line.
template <class Encode>
void check_round_trips(unsigned seed, const char* content_type, Encode encode) {
  RandomData random(seed);
  const Resource resources[] = {
      Resource(Attributes{{"service.name", "a"}, {"process.pid", 1}}),
      Resource(Attributes{{"service.name", "b\"é"}, {"list", std::vector<double>{0.5}}})};
  const InstrumentationScope scopes[] = {{"scope.one", "1.0", ""}, {"scope.two", "", ""}};
  for (int iteration = 0; iteration < kIterations; ++iteration) {
    std::vector<SpanData> spans;
    const std::size_t count = 1 + random.below(4);
    for (std::size_t i = 0; i < count; ++i) {
      spans.push_back(random.span(&resources[random.below(2)], &scopes[random.below(2)]));
    }
    std::vector<const SpanData*> pointers;
    for (const SpanData& span : spans) pointers.push_back(&span);
    std::string body;
    encode(body, pointers);

    const cli::ReceivedTraces received = cli::receive_traces(body, content_type);
    ASSERT_EQ(received.status, 200) << received.error;
    ASSERT_EQ(received.span_count, spans.size());
    const std::vector<DecodedSpan> decoded = spans_of(json::parse(received.line));
    ASSERT_EQ(decoded.size(), spans.size());
    // The encoders group by resource then scope: match each decoded span to its original by id.
    for (const DecodedSpan& got : decoded) {
      const SpanData* original = nullptr;
      for (const SpanData& span : spans) {
        if (span.context.span_id.to_hex() == got.span["spanId"]) original = &span;
      }
      ASSERT_NE(original, nullptr);
      EXPECT_EQ(got.span, expected_span(*original))
          << "seed " << seed << " iteration " << iteration;
      EXPECT_EQ(got.resource_attributes, expected_attributes(original->resource->attributes()));
      EXPECT_EQ(got.scope_name, original->scope->name);
      EXPECT_EQ(got.scope_version, original->scope->version);
    }
  }
}

TEST(RoundTrip, RandomSpansThroughTheProtobufEncoderAndCollectsDecoderAreUnchanged) {
  detail::OtlpProtoEncoder encoder;
  check_round_trips(1, "application/x-protobuf",
                    [&](std::string& body, const std::vector<const SpanData*>& spans) {
                      encoder.append_request(body, spans);
                    });
}

TEST(RoundTrip, RandomSpansThroughTheJsonEncoderAndCollectsJsonPathAreUnchanged) {
  check_round_trips(2, "application/json",
                    [](std::string& body, const std::vector<const SpanData*>& spans) {
                      detail::append_otlp_json_request(body, spans);
                    });
}

TEST(RoundTrip, RandomContextsInjectedIntoHeadersExtractUnchanged) {
  RandomData random(3);
  for (int iteration = 0; iteration < kIterations; ++iteration) {
    SpanContext span_context;
    span_context.trace_id = random.trace_id();
    span_context.span_id = random.span_id();
    span_context.flags = TraceFlags(static_cast<std::uint8_t>(random.below(4)));
    span_context.trace_state = random.trace_state();
    const Context context = Context().with_span(span_context).with_baggage(random.baggage());

    std::map<std::string, std::string> headers;
    MapCarrier carrier(headers);
    propagation::global().inject(context, carrier);
    const Context extracted = propagation::global().extract(carrier);

    SpanContext expected = span_context;
    expected.is_remote = true;
    ASSERT_EQ(extracted.span_context(), expected)
        << headers["traceparent"] << " / " << headers["tracestate"];
    ASSERT_EQ(extracted.baggage(), context.baggage()) << headers["baggage"];
  }
}

TEST(RoundTrip, RandomContextsInjectedIntoAnEnvironmentExtractUnchanged) {
  RandomData random(4);
  for (int iteration = 0; iteration < kIterations; ++iteration) {
    SpanContext span_context;
    span_context.trace_id = random.trace_id();
    span_context.span_id = random.span_id();
    span_context.flags = TraceFlags(static_cast<std::uint8_t>(random.below(4)));
    span_context.trace_state = random.trace_state();
    const Context context = Context().with_span(span_context).with_baggage(random.baggage());

    std::vector<std::string> environment{"HOME=/root", "TRACEPARENT=stale"};
    inject_environment(context, environment);
    EnvironmentCarrier carrier(environment);
    const Context extracted = propagation::global().extract(carrier);

    SpanContext expected = span_context;
    expected.is_remote = true;
    ASSERT_EQ(extracted.span_context(), expected);
    ASSERT_EQ(extracted.baggage(), context.baggage());
    EXPECT_EQ(environment.front(), "HOME=/root");
  }
}

}  // namespace
}  // namespace weft
