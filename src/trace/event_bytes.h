// A span's events kept as the bytes of its batch queue slots while it is recorded, as its
// attributes are (attribute_bytes.h) and for the same reason: an Event is a std::string name and
// a vector of attributes, built, sized, written into the queue and destroyed again for every span.
//
// Layout of one event (span_extension.cpp writes the same after its count):
//   u32 name length, name bytes, u64 time, u32 dropped attributes, u32 attribute count,
//   attributes (attribute_bytes.h)
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "runtime/short_text.h"
#include "trace/attribute_bytes.h"
#include "trace/byte_buffer.h"
#include "weft/span_data.h"

namespace weft::detail {

class EventBytes : public ByteList {
 public:
  // Adds an event whose `attribute_count` attributes, already under the event limits, are
  // `attribute_bytes` (an AttributeBytes' bytes). False, with nothing changed, for a name of
  // 4 GiB or more (see kMaxLength). Throws std::bad_alloc only.
  bool add(std::string_view name, std::uint64_t time, std::string_view attribute_bytes,
           std::uint32_t attribute_count, std::uint32_t dropped_attributes) {
    if (__builtin_expect(name.size() > kMaxLength, 0)) return false;
    const auto name_size = static_cast<std::uint32_t>(name.size());
    char* at =
        buffer_.extend(sizeof name_size + name_size + sizeof time + sizeof dropped_attributes +
                       sizeof attribute_count + attribute_bytes.size());
    std::memcpy(at, &name_size, sizeof name_size);
    at += sizeof name_size;
    copy_short_text(name.data(), name_size, at);
    at += name_size;
    std::memcpy(at, &time, sizeof time);
    at += sizeof time;
    std::memcpy(at, &dropped_attributes, sizeof dropped_attributes);
    at += sizeof dropped_attributes;
    std::memcpy(at, &attribute_count, sizeof attribute_count);
    at += sizeof attribute_count;
    if (!attribute_bytes.empty()) {
      std::memcpy(at, attribute_bytes.data(), attribute_bytes.size());
    }
    ++count_;
    return true;
  }

  // Appends the events to `out`, in their order, and clears them; if that throws, `out` and the
  // events are as they were.
  void move_to(std::vector<Event>& out);
};

}  // namespace weft::detail
