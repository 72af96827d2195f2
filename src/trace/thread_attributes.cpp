#include "trace/thread_attributes.h"

#include "trace/attribute_limits.h"

namespace weft::detail {

void fit_thread_attributes(SpanRecord& record, const SpanLimits& limits) noexcept {
  if (record.thread_id == 0) return;  // none to export
  const std::size_t own =
      record.attributes_as_bytes ? record.attribute_bytes.count() : record.attributes.size();
  const std::size_t room = own < limits.attribute_count ? limits.attribute_count - own : 0;
  // A record's thread name is trusted by its serial only while it is the thread's whole name.
  if (room == 0) {
    record.thread_id = 0;
    record.thread_name.clear();
    record.thread_name_serial = 0;
  } else if (room == 1 && !record.thread_name.empty()) {
    record.thread_name.clear();
    record.thread_name_serial = 0;
  } else if (record.thread_name.size() > limits.attribute_value_length) {
    record.thread_name.resize(utf8_prefix_bytes(record.thread_name, limits.attribute_value_length));
    record.thread_name_serial = 0;
  }
}

}  // namespace weft::detail
