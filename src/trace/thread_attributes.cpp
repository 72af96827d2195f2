// The thread attributes under the span limits: see thread_attributes.h.
#include "trace/thread_attributes.h"

#include "trace/attribute_limits.h"

namespace weft::detail {

bool fit_thread_attributes(SpanData& span, std::size_t own_attributes,
                           const SpanLimits& limits) noexcept {
  if (span.thread_id == 0) return false;  // none to export
  const std::size_t room =
      own_attributes < limits.attribute_count ? limits.attribute_count - own_attributes : 0;
  if (room == 0) {
    span.thread_id = 0;
    span.thread_name.clear();
    return true;
  }
  if (room == 1 && !span.thread_name.empty()) {
    span.thread_name.clear();
    return true;
  }
  if (span.thread_name.size() > limits.attribute_value_length) {
    span.thread_name.resize(utf8_prefix_bytes(span.thread_name, limits.attribute_value_length));
    return true;
  }
  return false;
}

void fit_thread_attributes(SpanRecord& record, const SpanLimits& limits) noexcept {
  // A record's thread name is trusted by its serial only while it is the thread's whole name.
  if (fit_thread_attributes(static_cast<SpanData&>(record), own_attribute_count(record), limits)) {
    record.thread_name_serial = 0;
  }
}

}  // namespace weft::detail
