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
  // Whether on_end reads a span's attributes and events as SpanRecord::attribute_bytes and
  // event_bytes when the record keeps them so, instead of SpanData::attributes and events. Only a
  // provider whose one processor says so has its spans keep them so.
  virtual bool takes_span_bytes() const noexcept { return false; }
  // Whether on_end reads the end time of a span that ended "now" itself (settle_end_time in
  // span_record.h), once it knows it keeps the span: one it drops is then never timed. Only a
  // provider whose one processor says so ends spans with the time pending.
  virtual bool times_span_ends() const noexcept { return false; }
};

}  // namespace weft::detail
