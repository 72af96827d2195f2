// The part of a span that crosses boundaries: its ids, flags and trace state. `is_remote` is true
// for a context that arrived from another process (extracted from a carrier).
#pragma once

#include "weft/ids.h"
#include "weft/trace_state.h"

namespace weft {

struct SpanContext {
  TraceId trace_id;
  SpanId span_id;
  TraceFlags flags;
  bool is_remote = false;
  TraceState trace_state;

  // Valid when both ids are non-zero (W3C Trace Context).
  bool is_valid() const noexcept { return trace_id.is_valid() && span_id.is_valid(); }
  bool is_sampled() const noexcept { return flags.sampled(); }

  friend bool operator==(const SpanContext& a, const SpanContext& b) noexcept {
    return a.trace_id == b.trace_id && a.span_id == b.span_id && a.flags == b.flags &&
           a.is_remote == b.is_remote && a.trace_state == b.trace_state;
  }
  friend bool operator!=(const SpanContext& a, const SpanContext& b) noexcept { return !(a == b); }
};

}  // namespace weft
