#include "trace/record_attributes.h"

#include "trace/attribute_limits.h"
#include "trace/thread_attributes.h"

namespace weft::detail {

void put_record_attribute(SpanRecord& record, std::string_view key, AttributeValue value,
                          const SpanLimits& limits) {
  if (record.attributes_as_bytes) {
    if (record.attribute_bytes.put_value(key, value, limits.attribute_count,
                                         limits.attribute_value_length,
                                         record.dropped_attributes_count)) {
      keep_thread_attributes_within(record, limits);
      return;
    }
    settle_attribute_bytes(record);  // an array, or a value too long for the byte layout
  }
  put_attribute(record.attributes, record.dropped_attributes_count, key, std::move(value),
                limits.attribute_count, limits.attribute_value_length);
  keep_thread_attributes_within(record, limits);
}

}  // namespace weft::detail
