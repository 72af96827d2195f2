#include "trace/event_bytes.h"

#include "trace/attribute_bytes.h"

namespace weft::detail {

void EventBytes::move_to(std::vector<Event>& out) {
  const std::size_t had = out.size();
  try {
    out.reserve(had + count_);
    const char* at = buffer_.data();
    for (std::uint32_t i = 0; i < count_; ++i) {
      Event& event = out.emplace_back();
      std::uint32_t name_size;
      std::memcpy(&name_size, at, sizeof name_size);
      at += sizeof name_size;
      event.name.assign(at, name_size);
      at += name_size;
      std::memcpy(&event.time_unix_nano, at, sizeof event.time_unix_nano);
      at += sizeof event.time_unix_nano;
      std::memcpy(&event.dropped_attributes_count, at, sizeof event.dropped_attributes_count);
      at += sizeof event.dropped_attributes_count;
      std::uint32_t attribute_count;
      std::memcpy(&attribute_count, at, sizeof attribute_count);
      at += sizeof attribute_count;
      at = append_attributes(at, attribute_count, event.attributes);
    }
  } catch (...) {
    out.resize(had);  // all or nothing: the events stay here
    throw;
  }
  clear();
}

}  // namespace weft::detail
