// SpanData: a finished span as processors and exporters see it. It is what gets encoded to OTLP.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "weft/attributes.h"
#include "weft/resource.h"
#include "weft/span_context.h"

namespace weft {

// Values as in OTLP's Span.SpanKind.
enum class SpanKind : std::uint8_t {
  kInternal = 1,
  kServer = 2,
  kClient = 3,
  kProducer = 4,
  kConsumer = 5,
};

// Values as in OTLP's Status.StatusCode.
enum class StatusCode : std::uint8_t { kUnset = 0, kOk = 1, kError = 2 };

struct Status {
  StatusCode code = StatusCode::kUnset;
  std::string message;  // only kept for kError
};

struct Event {
  std::string name;
  std::uint64_t time_unix_nano = 0;
  Attributes attributes;
  std::uint32_t dropped_attributes_count = 0;
};

struct Link {
  SpanContext context;
  Attributes attributes;
  std::uint32_t dropped_attributes_count = 0;
};

struct SpanData {
  SpanContext context;
  SpanId parent_span_id;  // invalid (all zero) for a root span
  bool parent_is_remote = false;
  std::string name;
  SpanKind kind = SpanKind::kInternal;
  std::uint64_t start_time_unix_nano = 0;
  std::uint64_t end_time_unix_nano = 0;
  Attributes attributes;
  std::uint32_t dropped_attributes_count = 0;
  std::vector<Event> events;
  std::uint32_t dropped_events_count = 0;
  std::vector<Link> links;
  std::uint32_t dropped_links_count = 0;
  Status status;
  // The thread that started the span; exported as the attributes thread.id and thread.name.
  std::int64_t thread_id = 0;
  std::string thread_name;
  // Owned by the provider that created the span, which outlives it.
  const InstrumentationScope* scope = nullptr;
  const Resource* resource = nullptr;
};

}  // namespace weft
