// Test support: is a trace connected? Computed from exported spans — what an in-memory exporter
// received, or what was read back from an OTLP/JSON file — never from weft's internal state.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "trace_file.h"
#include "weft/span_data.h"

namespace weft::testing {

struct TraceShape {
  std::size_t spans = 0;
  std::size_t roots = 0;         // spans without a parent
  std::size_t broken_links = 0;  // spans whose parent is not among the trace's spans
  std::set<std::int64_t> threads;

  bool connected() const { return spans > 0 && roots == 1 && broken_links == 0; }
};

inline TraceShape shape_of(const std::vector<SpanData>& all, const TraceId& trace) {
  std::set<SpanId> ids;
  for (const SpanData& span : all) {
    if (span.context.trace_id == trace) ids.insert(span.context.span_id);
  }
  TraceShape shape;
  for (const SpanData& span : all) {
    if (span.context.trace_id != trace) continue;
    ++shape.spans;
    shape.threads.insert(span.thread_id);
    if (!span.parent_span_id.is_valid()) {
      ++shape.roots;
    } else if (ids.count(span.parent_span_id) == 0) {
      ++shape.broken_links;
    }
  }
  return shape;
}

inline TraceShape shape_of(const std::vector<cli::SpanRecord>& all, const TraceId& trace) {
  const std::string hex = trace.to_hex();
  std::set<std::string> ids;
  for (const cli::SpanRecord& span : all) {
    if (span.trace_id == hex) ids.insert(span.span_id);
  }
  TraceShape shape;
  for (const cli::SpanRecord& span : all) {
    if (span.trace_id != hex) continue;
    ++shape.spans;
    shape.threads.insert(std::stoll(span.attribute("thread.id")));
    if (span.parent_span_id.empty()) {
      ++shape.roots;
    } else if (ids.count(span.parent_span_id) == 0) {
      ++shape.broken_links;
    }
  }
  return shape;
}

// The exported span named `name` of `trace`; nullptr if there is none.
inline const SpanData* find_span(const std::vector<SpanData>& all, const TraceId& trace,
                                 const std::string& name) {
  for (const SpanData& span : all) {
    if (span.context.trace_id == trace && span.name == name) return &span;
  }
  return nullptr;
}

}  // namespace weft::testing
