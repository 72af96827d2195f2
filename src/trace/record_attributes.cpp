#include "trace/record_attributes.h"

#include "trace/attribute_limits.h"

namespace weft::detail {

void put_record_attribute(SpanRecord& record, std::string_view key, AttributeValue value,
                          const SpanLimits& limits) {
  if (record.attributes_as_bytes) {
    AttributeBytes& bytes = record.attribute_bytes;
    std::uint32_t& dropped = record.dropped_attributes_count;
    const std::size_t max_count = limits.attribute_count;
    if (const auto* text = std::get_if<std::string>(&value)) {
      bytes.put_string(key, truncated_text(*text, limits.attribute_value_length), max_count,
                       dropped);
      return;
    }
    if (const auto* number = std::get_if<std::int64_t>(&value)) {
      bytes.put_int(key, *number, max_count, dropped);
      return;
    }
    if (const auto* real = std::get_if<double>(&value)) {
      bytes.put_double(key, *real, max_count, dropped);
      return;
    }
    if (const auto* flag = std::get_if<bool>(&value)) {
      bytes.put_bool(key, *flag, max_count, dropped);
      return;
    }
    settle_attribute_bytes(record);  // an array
  }
  put_attribute(record.attributes, record.dropped_attributes_count, key, std::move(value),
                limits.attribute_count, limits.attribute_value_length);
}

}  // namespace weft::detail
