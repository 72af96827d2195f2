// Test support: one span that uses every field OTLP carries (all attribute types, events, links,
// status, trace state, dropped counts, a remote parent), for the encoder tests and the interop
// tests that decode weft's output with other decoders.
#pragma once

#include <string>
#include <vector>

#include "weft/span_data.h"
#include "weft/trace_state.h"

namespace weft::testing {

struct SampleSpans {
  Resource resource{{{"service.name", "checkout"}, {"process.pid", 4242}},
                    "https://opentelemetry.io/schemas/1.24.0"};
  InstrumentationScope scope{"weft.test", "1.2.3", "https://example.com/scope-schema"};
  TraceState trace_state = *TraceState::parse("vendor=abc,other=x-y");

  SpanData full_span() const {
    SpanData span;
    span.context.trace_id = TraceId::from_words(0x0102030405060708, 0x090a0b0c0d0e0f10);
    span.context.span_id = SpanId::from_word(0x1112131415161718);
    span.context.flags = TraceFlags(TraceFlags::kSampled | TraceFlags::kRandom);
    span.context.trace_state = trace_state;
    span.parent_span_id = SpanId::from_word(0x2122232425262728);
    span.parent_is_remote = true;
    span.name = "charge-card";
    span.kind = SpanKind::kClient;
    span.start_time_unix_nano = 1700000000123456789ULL;
    span.end_time_unix_nano = 1700000000987654321ULL;
    span.attributes = {{"flag", true},
                       {"count", -42},
                       {"big", std::int64_t{INT64_MAX}},
                       {"ratio", 0.25},
                       {"text", "héllo"},
                       {"empty", ""},
                       {"zero", 0},
                       {"bools", std::vector<bool>{true, false}},
                       {"ints", std::vector<std::int64_t>{1, -2, 300}},
                       {"doubles", std::vector<double>{1.5, -0.0}},
                       {"strings", std::vector<std::string>{"a", ""}}};
    span.dropped_attributes_count = 3;
    Event event;
    event.name = "retry";
    event.time_unix_nano = 1700000000500000000ULL;
    event.attributes = {{"attempt", 2}};
    event.dropped_attributes_count = 1;
    span.events.push_back(event);
    span.dropped_events_count = 4;
    Link link;
    link.context.trace_id = TraceId::from_words(0xa1, 0xa2);
    link.context.span_id = SpanId::from_word(0xb1);
    link.context.flags = TraceFlags(TraceFlags::kSampled);
    link.context.is_remote = true;
    link.context.trace_state = trace_state;
    link.attributes = {{"link.reason", "batch"}};
    link.dropped_attributes_count = 2;
    span.links.push_back(link);
    span.dropped_links_count = 5;
    span.status = Status{StatusCode::kError, "card declined"};
    span.thread_id = 777;
    span.thread_name = "worker-1";
    span.scope = &scope;
    span.resource = &resource;
    return span;
  }
};

}  // namespace weft::testing
