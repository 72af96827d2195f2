// weft exports the thread that started a span as the attributes thread.id and thread.name
// (SpanData::thread_id and thread_name). They obey the span limits as the span's own attributes
// do: they take what room the span's attributes leave under the count limit (the span's own come
// first; a span never exports more attributes than the limit), and thread.name is cut to the value
// length limit. A thread attribute that has no room is not exported (thread_id 0 drops both,
// an empty thread_name drops the name).
#pragma once

#include "trace/span_record.h"
#include "weft/config.h"

namespace weft::detail {

// Whether the limits can cut a span's thread attributes whatever the span's own attributes: a
// count limit under 2 or a value length limit (ProviderState::limits_cut_thread_attributes).
inline bool limits_may_cut_thread_attributes(const SpanLimits& limits) noexcept {
  return limits.attribute_count < 2 || limits.attribute_value_length != SIZE_MAX;
}

// Fits the span's thread attributes to `limits`, next to `own_attributes` of its own. Returns
// whether it changed them.
bool fit_thread_attributes(SpanData& span, std::size_t own_attributes,
                           const SpanLimits& limits) noexcept;
// The same for a record being recorded, its own attributes kept in either form (out of line).
void fit_thread_attributes(SpanRecord& record, const SpanLimits& limits) noexcept;

// After an attribute was put: the thread attributes give way once the record's own attributes
// come within two of the count limit.
inline void keep_thread_attributes_within(SpanRecord& record, const SpanLimits& limits) noexcept {
  if (__builtin_expect(own_attribute_count(record) + 2 > limits.attribute_count, 0)) {
    fit_thread_attributes(record, limits);
  }
}

}  // namespace weft::detail
