// Test support: reading exported OTLP/JSON lines files back and checking that traces are whole.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "trace_file.h"

namespace weft::testing {

inline std::vector<cli::SpanRecord> read_exported_spans(const std::string& path) {
  cli::TraceFileContents contents = cli::read_trace_files({path});
  EXPECT_TRUE(contents.problems.empty()) << (contents.problems.empty() ? "" : contents.problems[0]);
  return std::move(contents.spans);
}

inline const cli::SpanRecord* find_span(const std::vector<cli::SpanRecord>& spans,
                                        const std::string& name) {
  for (const cli::SpanRecord& span : spans) {
    if (span.name == name) return &span;
  }
  return nullptr;
}

inline std::vector<const cli::SpanRecord*> spans_named(const std::vector<cli::SpanRecord>& spans,
                                                       const std::string& name) {
  std::vector<const cli::SpanRecord*> found;
  for (const cli::SpanRecord& span : spans) {
    if (span.name == name) found.push_back(&span);
  }
  return found;
}

// One trace id, exactly one root, every parent present, no span id twice.
inline void expect_one_connected_trace(const std::vector<cli::SpanRecord>& spans) {
  ASSERT_FALSE(spans.empty());
  std::set<std::string> trace_ids;
  std::map<std::string, int> span_ids;
  for (const cli::SpanRecord& span : spans) {
    trace_ids.insert(span.trace_id);
    ++span_ids[span.span_id];
  }
  EXPECT_EQ(trace_ids.size(), 1u) << "spans belong to " << trace_ids.size() << " traces";
  int roots = 0;
  for (const cli::SpanRecord& span : spans) {
    EXPECT_EQ(span_ids[span.span_id], 1) << "span " << span.name << " exported twice";
    if (span.parent_span_id.empty()) {
      ++roots;
    } else {
      EXPECT_EQ(span_ids.count(span.parent_span_id), 1u)
          << "parent of " << span.name << " (" << span.parent_span_id << ") was never exported";
    }
  }
  EXPECT_EQ(roots, 1);
}

}  // namespace weft::testing
