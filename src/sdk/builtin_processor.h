// The span processors of weft itself (batch, simple, relay, multi). They read what a span holds and
// never change its thread identity, so the span path may trust a recycled record's thread name by
// its serial number instead of comparing the text (see TracerState and record_pool); and most
// ignore span starts.
#pragma once

#include "weft/processor.h"

namespace weft::detail {

class BuiltinProcessor : public SpanProcessor {
 public:
  // Whether on_start does anything: when no configured processor needs it, the span start path
  // skips the call.
  virtual bool watches_starts() const noexcept { return false; }
};

}  // namespace weft::detail
